// A QoS 1 message published from the dashboard while the broker is unreachable is kept in IndexedDB
// (IndexedDbStore), survives a page reload, and is delivered once the broker is back.
import { expect, test, type Page } from '@playwright/test'
import { startMosquitto, type Mosquitto } from '../support/mosquitto.js'
import { env, nodePeer, topicRoot } from './support/fixtures.js'

/** Keys of the outbound packets the dashboard's IndexedDbStore holds (read straight from IndexedDB). */
function storedOutbound(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const id = localStorage.getItem('isomqtt-dashboard-client-id')
    const name = `isomqtt-store:isomqtt-dashboard-${id}`
    if (!(await indexedDB.databases()).some((d) => d.name === name)) return []
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(name)
      req.onsuccess = () => resolve(req.result)
      req.onerror = () => reject(req.error)
    })
    try {
      if (!db.objectStoreNames.contains('packets')) return []
      const keys = await new Promise<IDBValidKey[]>((resolve, reject) => {
        const req = db.transaction('packets', 'readonly').objectStore('packets').getAllKeys()
        req.onsuccess = () => resolve(req.result)
        req.onerror = () => reject(req.error)
      })
      return keys.map(String).filter((k) => k.startsWith('o.'))
    } finally {
      db.close()
    }
  })
}

let broker: Mosquitto

test.beforeAll(async () => {
  broker = await startMosquitto({ websockets: true, persistence: true })
})

test.afterAll(async () => {
  await broker?.stop()
})

test('a QoS 1 message published offline survives a reload and is delivered when the broker is back', async ({ page }) => {
  test.setTimeout(90_000)
  const root = topicRoot('offline')
  const subscriberId = `offline-sub-${Date.now().toString(36)}`
  // A persistent Node subscriber: the broker keeps its subscription and queues for it across the outage.
  const first = await nodePeer(broker.url, { clientId: subscriberId, clean: false })
  await first.client.subscribe(`${root}/#`, undefined, { qos: 1 })
  await first.client.disconnect()

  const wsUrl = `ws://127.0.0.1:${broker.wsPort}`
  await page.goto(`${env.pageUrl}/examples/dashboard/?${new URLSearchParams({ url: wsUrl, filter: `${root}/echo`, connect: '1' })}`)
  await expect(page.locator('#state')).toHaveAttribute('data-state', 'connected')

  await broker.stopProcess()
  await expect(page.locator('#state')).not.toHaveAttribute('data-state', 'connected')
  // The reconnect loop announces each attempt; the dashboard counts down to it.
  await expect(page.locator('#countdown')).toContainText(/reconnecting.*\(attempt \d+\)/)

  const form = page.getByRole('form', { name: 'Publish' })
  await form.getByLabel('Topic').fill(`${root}/offline`)
  await form.getByLabel('QoS').selectOption('1')
  await form.getByLabel('Payload').fill('kept across a reload')
  await form.getByRole('button', { name: 'Publish' }).click()
  await expect(page.locator('#publish-result')).toContainText('queued while offline')
  await expect(page.locator('#unacked')).toHaveText('1')
  await expect.poll(() => storedOutbound(page)).toHaveLength(1)

  // The reload loses everything in memory; the dashboard reconnects on its own with the same client id and store.
  await page.reload()
  await expect(page.locator('#state')).not.toHaveAttribute('data-state', 'connected')
  await expect.poll(() => storedOutbound(page)).toHaveLength(1)

  await broker.start()
  await expect(page.locator('#state')).toHaveAttribute('data-state', 'connected', { timeout: 30_000 })
  const second = await nodePeer(broker.url, { clientId: subscriberId, clean: false })
  const [message] = await second.waitFor(1, `${root}/offline`)
  expect([message!.text(), message!.qos]).toEqual(['kept across a reload', 1])
  // Acknowledged: the store lets go of it.
  await expect.poll(() => storedOutbound(page)).toHaveLength(0)
  await expect(page.locator('#unacked')).toHaveText('0')
  await expect(page.getByRole('log')).toContainText(`${root}/offline`)
  expect(second.received.filter((m) => m.topic === `${root}/offline`)).toHaveLength(1)
  await second.client.disconnect({ quiesceMs: 0 })
})

// The dashboard (examples/dashboard) against Mosquitto: live data published from Node shows up in the table,
// the sparkline and the log; its publish form reaches a Node subscriber.
import { expect, test } from '@playwright/test'
import { env, nodePeer, topicRoot } from './support/fixtures.js'

function dashboardUrl(params: Record<string, string>): string {
  return `${env.pageUrl}/examples/dashboard/?${new URLSearchParams({ ...params, connect: '1' })}`
}

test('shows live data published from Node: table, sparkline and log', async ({ page }, testInfo) => {
  const root = topicRoot('dash-live')
  const node = await nodePeer()
  await page.goto(dashboardUrl({ url: env.brokerWsUrl, filter: `${root}/#` }))
  await expect(page.locator('#state')).toHaveAttribute('data-state', 'connected')
  // The subscription is made right after connect; a retained message proves it is in place.
  await node.client.publish(`${root}/ready`, 'yes', { qos: 1, retain: true })
  await expect(page.locator(`#topics tr[data-topic="${root}/ready"] td.value`)).toHaveText('yes')

  const temperatures = [20.5, 21, 21.75, 22.5, 22, 23.25]
  for (const t of temperatures) await node.client.publish(`${root}/sensors/temperature`, String(t), { qos: 1 })
  await node.client.publish(`${root}/sensors/door`, 'open', { qos: 0 })

  const row = page.locator(`#topics tr[data-topic="${root}/sensors/temperature"]`)
  await expect(row.locator('td.value')).toHaveText('23.25')
  await expect(row.locator('td.count')).toHaveText(String(temperatures.length))
  const points = await row.locator('svg.spark polyline').getAttribute('points')
  expect(points?.split(' ')).toHaveLength(temperatures.length)
  await expect(page.locator(`#topics tr[data-topic="${root}/sensors/door"] td.value`)).toHaveText('open')
  await expect(page.getByRole('log')).toContainText(`${root}/sensors/door [QoS 0] open`)

  await page.screenshot({ path: testInfo.outputPath('dashboard-live.png'), fullPage: true })
  await testInfo.attach('dashboard-live', { path: testInfo.outputPath('dashboard-live.png'), contentType: 'image/png' })
  await node.client.publish(`${root}/ready`, '', { qos: 1, retain: true })
  await node.client.disconnect()
})

test('its publish form reaches a Node subscriber with the chosen QoS and retain flag', async ({ page }) => {
  const root = topicRoot('dash-pub')
  const node = await nodePeer()
  await node.client.subscribe(`${root}/#`, undefined, { qos: 2 })
  await page.goto(dashboardUrl({ url: env.brokerWsUrl, filter: `${root}/echo` }))
  await expect(page.locator('#state')).toHaveAttribute('data-state', 'connected')

  const form = page.getByRole('form', { name: 'Publish' })
  await form.getByLabel('Topic').fill(`${root}/commands/lamp`)
  await form.getByLabel('QoS').selectOption('2')
  await form.getByLabel('Retain').check()
  await form.getByLabel('Payload').fill('on')
  await form.getByRole('button', { name: 'Publish' }).click()
  await expect(page.locator('#publish-result')).toHaveText(`published to ${root}/commands/lamp (PUBCOMP)`)

  const [message] = await node.waitFor(1, `${root}/commands/`)
  expect(message!.text()).toBe('on')
  expect(message!.qos).toBe(2)
  // Retained: a subscriber that comes later still gets it, flagged as retained.
  const later = await nodePeer()
  await later.client.subscribe(`${root}/commands/#`, undefined, { qos: 1 })
  const [retained] = await later.waitFor(1)
  expect([retained!.text(), retained!.retain]).toEqual(['on', true])
  await node.client.publish(`${root}/commands/lamp`, '', { qos: 1, retain: true })
  await later.client.disconnect()
  await node.client.disconnect()
})

test('a second tab gets a client id and a store of its own, and both tabs stay connected and live', async ({ page }) => {
  const root = topicRoot('dash-tabs')
  const node = await nodePeer()
  const second = await page.context().newPage()
  const url = dashboardUrl({ url: env.brokerWsUrl, filter: `${root}/#` })
  await page.goto(url)
  await expect(page.locator('#state')).toHaveAttribute('data-state', 'connected')
  await second.goto(url)
  await expect(second.locator('#state')).toHaveAttribute('data-state', 'connected')
  // The first tab holds the browser's id (its IndexedDbStore is LOCKED to others): the second uses its own.
  const idOf = async (p: typeof page): Promise<string> => (await p.locator('#state').textContent())!.replace(/.* as /, '')
  const [first, other] = [await idOf(page), await idOf(second)]
  expect(first).toBe(await page.evaluate(() => localStorage.getItem('isomqtt-dashboard-client-id')))
  expect(other).toMatch(/^dash-/)
  expect(other).not.toBe(first)
  // Each has its own broker session: neither took the other's over.
  await node.client.publish(`${root}/both`, 'seen', { qos: 1 })
  for (const p of [page, second]) {
    await expect(p.locator(`#topics tr[data-topic="${root}/both"] td.value`)).toHaveText('seen')
    await expect(p.locator('#state')).toHaveAttribute('data-state', 'connected')
  }
  await second.close()
  await node.client.disconnect()
})

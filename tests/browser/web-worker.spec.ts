// isomqtt in a dedicated Web Worker: the ES module bundle loads in a module worker, connects over WebSocket
// with an IndexedDbStore and the Worker-based timers, and exchanges QoS 2 messages with a Node client.
import { expect, test } from '@playwright/test'
import { env, nodePeer, topicRoot } from './support/fixtures.js'

test('the ES module bundle runs in a dedicated Web Worker and round-trips QoS 2 with a Node client', async ({ page }) => {
  const root = topicRoot('worker')
  const node = await nodePeer()
  await node.client.subscribe(`${root}/from-worker`, undefined, { qos: 2 })
  await page.goto(`${env.pageUrl}/tests/browser/pages/blank.html`)
  const ready = await page.evaluate(({ url, root }) => new Promise<unknown>((resolve) => {
    const worker = new Worker('/tests/browser/pages/worker-client.mjs', { type: 'module' })
    const g = globalThis as Record<string, unknown>
    g.fromWorker = []
    worker.onmessage = ({ data }) => {
      if (data.type === 'message') (g.fromWorker as unknown[]).push(data)
      else resolve(data)
    }
    worker.onerror = (e) => resolve({ type: 'error', message: e.message })
    worker.postMessage({ url, root })
  }), { url: env.brokerWsUrl, root })
  expect(ready).toEqual({ type: 'ready', qos: 2 })

  const [fromWorker] = await node.waitFor(1, `${root}/from-worker`)
  expect(fromWorker!.text()).toBe('hello from a worker')
  expect(fromWorker!.qos).toBe(2)

  await node.client.publish(`${root}/to-worker`, 'hello worker', { qos: 2 })
  await page.waitForFunction(() => ((globalThis as unknown as Record<string, unknown[]>).fromWorker!).length === 1)
  expect(await page.evaluate(() => (globalThis as unknown as Record<string, unknown[]>).fromWorker)).toEqual([{ type: 'message', text: 'hello worker', qos: 2 }])
  await node.client.disconnect()
})

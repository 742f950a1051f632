// The CDN bundles in Chromium: dist/isomqtt.min.js (IIFE, global `isomqtt`) and dist/isomqtt.esm.js each
// connect over WebSocket to Mosquitto and exchange QoS 0, 1 and 2 messages with a Node client both ways.
import { expect, test } from '@playwright/test'
import type { Page } from '@playwright/test'
import { env, nodePeer, topicRoot } from './support/fixtures.js'

interface Received { topic: string; text: string; qos: number; bytes: number[] }

const loaders: Record<string, (page: Page) => Promise<void>> = {
  'IIFE dist/isomqtt.min.js': async (page) => {
    await page.addScriptTag({ url: '/dist/isomqtt.min.js' })
  },
  'ES module dist/isomqtt.esm.js': async (page) => {
    await page.evaluate(async () => {
      (globalThis as Record<string, unknown>).isomqtt = await import('/dist/isomqtt.esm.js' as string)
    })
  },
}

for (const [name, load] of Object.entries(loaders)) {
  test(`${name} round-trips QoS 0, 1 and 2 with a Node client over WebSocket`, async ({ page }) => {
    const root = topicRoot('bundle')
    const node = await nodePeer()
    await node.client.subscribe(`${root}/from-browser/#`, undefined, { qos: 2 })
    await page.goto(`${env.pageUrl}/tests/browser/pages/blank.html`)
    await load(page)
    expect(await page.evaluate(() => typeof (globalThis as Record<string, any>).isomqtt?.connect)).toBe('function')

    // Browser side: connect, subscribe, publish QoS 0/1/2 (each promise settles at its completion).
    const results = await page.evaluate(async ({ url, root }) => {
      const { connect } = (globalThis as Record<string, any>).isomqtt
      const received: Received[] = []
      ;(globalThis as Record<string, unknown>).received = received
      const client = await connect(url, { clientId: `browser-${Math.random().toString(36).slice(2, 10)}` })
      ;(globalThis as Record<string, unknown>).client = client
      await client.subscribe(`${root}/from-node/#`, (m: any) => {
        received.push({ topic: m.topic, text: m.text(), qos: m.qos, bytes: Array.from(m.payload as Uint8Array) })
      }, { qos: 2 })
      const out = []
      for (const qos of [0, 1, 2]) out.push(await client.publish(`${root}/from-browser/q${qos}`, `browser says ${qos}`, { qos }))
      await client.publish(`${root}/from-browser/binary`, new Uint8Array([0, 255, 128, 1]), { qos: 1 })
      return out.map((r: any) => typeof r)
    }, { url: env.brokerWsUrl, root })
    expect(results).toHaveLength(3)

    const fromBrowser = await node.waitFor(4, `${root}/from-browser/`)
    const byTopic = new Map(fromBrowser.map((m) => [m.topic, m]))
    for (const qos of [0, 1, 2]) {
      const m = byTopic.get(`${root}/from-browser/q${qos}`)
      expect(m?.text()).toBe(`browser says ${qos}`)
      expect(m?.qos).toBe(qos)
    }
    expect(Array.from(byTopic.get(`${root}/from-browser/binary`)!.payload)).toEqual([0, 255, 128, 1])

    // Node to browser.
    for (const qos of [0, 1, 2] as const) await node.client.publish(`${root}/from-node/q${qos}`, `node says ${qos}`, { qos })
    await page.waitForFunction(() => ((globalThis as Record<string, unknown>).received as unknown[]).length >= 3)
    const received = await page.evaluate(() => (globalThis as Record<string, unknown>).received as Received[])
    expect(received.map((m) => [m.topic, m.text, m.qos]).sort()).toEqual(
      [0, 1, 2].map((qos) => [`${root}/from-node/q${qos}`, `node says ${qos}`, qos]),
    )

    await page.evaluate(() => ((globalThis as Record<string, any>).client).disconnect())
    await node.client.disconnect()
  })
}

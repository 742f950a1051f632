// The npm packages as a web app's bundler takes them (esbuild, no plugins, no polyfill settings; built by the
// global setup from pages/bundler-app.mjs): the app runs in Chromium and exchanges QoS 0, 1 and 2 messages
// with a Node client both ways, over MQTT 3.1.1 and over MQTT 5 (whose client code is a lazy chunk it fetches).
import { expect, test } from '@playwright/test'
import { env, nodePeer, topicRoot } from './support/fixtures.js'

for (const protocolVersion of [4, 5] as const) {
  test(`an app bundled by esbuild round-trips QoS 0, 1 and 2 over MQTT ${protocolVersion === 5 ? '5' : '3.1.1'}`, async ({ page }) => {
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    const root = topicRoot(`esbuild-v${protocolVersion}`)
    const node = await nodePeer()
    await node.client.subscribe(`${root}/from-browser/#`, undefined, { qos: 2 })
    await page.goto(`${env.pageUrl}/tests/browser/pages/blank.html`)

    const lazyChunks = await page.evaluate(async ({ url, root, protocolVersion }) => {
      const fetched = (): string[] => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('/bundler-app/'))
      const app = await import('/.tmp/browser-pages/bundler-app/bundler-app.js' as string)
      const before = fetched()
      ;(globalThis as Record<string, unknown>).app = await app.start(url, root, protocolVersion)
      return fetched().filter((n) => !before.includes(n))
    }, { url: env.brokerWsUrl, root, protocolVersion })
    // MQTT 5's client code is a chunk of its own, fetched on the first MQTT 5 connect; a 3.1.1 app never loads it.
    if (protocolVersion === 5) expect(lazyChunks.length).toBeGreaterThan(0)
    else expect(lazyChunks).toEqual([])

    const fromBrowser = await node.waitFor(3, `${root}/from-browser/`)
    expect(fromBrowser.map((m) => [m.topic, m.text(), m.qos]).sort()).toEqual(
      [0, 1, 2].map((qos) => [`${root}/from-browser/q${qos}`, `browser says ${qos}`, qos]),
    )

    for (const qos of [0, 1, 2] as const) await node.client.publish(`${root}/from-node/q${qos}`, `node says ${qos}`, { qos })
    await page.waitForFunction(() => (globalThis as Record<string, any>).app.received.length >= 3)
    const received = await page.evaluate(() => (globalThis as Record<string, any>).app.received as unknown[])
    expect(received.sort()).toEqual([0, 1, 2].map((qos) => [`${root}/from-node/q${qos}`, `node says ${qos}`, qos]))

    await page.evaluate(() => (globalThis as Record<string, any>).app.client.disconnect())
    await node.client.disconnect()
    expect(errors).toEqual([])
  })
}

test('an app bundled by esbuild connects and round-trips with main-thread timers throttled as in a background tab', async ({ page }) => {
  // Chrome runs a hidden tab's timers at most once a second, and chained ones once a minute after a while:
  // here every setTimeout waits at least a minute. readable-stream's nextTick (the `process` package's, on
  // setTimeout) must not be what the app waits for; keepalive and timeouts use the client's Worker timers.
  const root = topicRoot('esbuild-throttled')
  const node = await nodePeer()
  await node.client.subscribe(`${root}/from-browser/#`, undefined, { qos: 2 })
  await page.goto(`${env.pageUrl}/tests/browser/pages/blank.html`)
  await page.evaluate(async ({ url, root }) => {
    const g = globalThis as Record<string, any>
    const realSetTimeout = g.setTimeout.bind(globalThis)
    g.setTimeout = (fn: () => void, ms?: number, ...args: unknown[]) => realSetTimeout(fn, Math.max(60_000, ms ?? 0), ...args)
    const app = await import('/.tmp/browser-pages/bundler-app/bundler-app.js' as string)
    g.app = await app.start(url, root, 4)
  }, { url: env.brokerWsUrl, root })
  expect((await node.waitFor(3, `${root}/from-browser/`)).map((m) => m.text()).sort()).toEqual(['browser says 0', 'browser says 1', 'browser says 2'])
  await node.client.publish(`${root}/from-node/q1`, 'node says 1', { qos: 1 })
  await page.waitForFunction(() => (globalThis as Record<string, any>).app.received.length === 1)
  await page.evaluate(() => (globalThis as Record<string, any>).app.client.disconnect())
  await node.client.disconnect()
})

// Background tabs throttle main-thread timers (Chrome: to 1 per minute for chained timers). This page
// throttles window.setTimeout the same way and shows that with the browser entry's default Worker timers
// keepalive pings still leave on time, while main-thread timers starve them and the broker drops the client.
import { expect, test } from '@playwright/test'
import type { Page } from '@playwright/test'
import { env } from './support/fixtures.js'

/** Where the client comes from: the CDN bundle (built from dist/ with the `browser` condition), or the sources. */
const CLIENT_MODULES = { 'dist/isomqtt.esm.js': '/dist/isomqtt.esm.js', 'the browser entry built from source': '/.tmp/browser-pages/sources.js' }

async function throttledPage(page: Page, clientModule = CLIENT_MODULES['the browser entry built from source']): Promise<void> {
  await page.goto(`${env.pageUrl}/tests/browser/pages/blank.html`)
  await page.evaluate(async (clientModule) => {
    const g = globalThis as Record<string, any>
    // Intensive throttling: no main-thread timer fires sooner than a minute after it was set.
    const realSetTimeout = g.setTimeout.bind(globalThis)
    g.setTimeout = (fn: () => void, ms?: number, ...args: unknown[]) => realSetTimeout(fn, Math.max(60_000, ms ?? 0), ...args)
    g.setInterval = () => { throw new Error('setInterval is not expected here') }
    // Count PINGREQ packets (0xC0 0x00) as they are handed to the WebSocket.
    g.pingreqs = 0
    const send = WebSocket.prototype.send
    WebSocket.prototype.send = function (this: WebSocket, data: any) {
      const bytes = data instanceof Uint8Array ? data : new Uint8Array(data as ArrayBuffer)
      if (bytes.length === 2 && bytes[0] === 0xc0 && bytes[1] === 0x00) g.pingreqs++
      return send.call(this, data)
    }
    const mod = await import(clientModule)
    g.isomqttClient = mod.connect ? mod : g.sources.client
  }, clientModule)
}

for (const [from, clientModule] of Object.entries(CLIENT_MODULES)) {
  test(`keepalive pings leave on time with the default Worker timers while main-thread timers are throttled (${from})`, async ({ page }) => {
    await throttledPage(page, clientModule)
    await page.evaluate(async (url) => {
      const g = globalThis as Record<string, any>
      g.lost = 0
      const client = await g.isomqttClient.connect(url, { keepalive: 1 })
      client.on('connectionLost', () => { g.lost++ })
      g.client = client
    }, env.brokerWsUrl)
    // Mosquitto drops a client silent for 1.5 keepalive periods; three pings mean 3 s of staying connected.
    await page.waitForFunction(() => (globalThis as Record<string, any>).pingreqs >= 3, undefined, { timeout: 20_000 })
    expect(await page.evaluate(() => {
      const g = globalThis as Record<string, any>
      return { connected: g.client.connected, lost: g.lost }
    })).toEqual({ connected: true, lost: 0 })
    await page.evaluate(() => (globalThis as Record<string, any>).client.disconnect())
  })
}

test('with main-thread timers under the same throttling, pings starve and the broker drops the client', async ({ page }) => {
  await throttledPage(page)
  await page.evaluate(async (url) => {
    const g = globalThis as Record<string, any>
    const mainThread = { setTimeout: (fn: () => void, ms: number) => g.setTimeout(fn, ms), clearTimeout: (h: number) => g.clearTimeout(h) }
    g.lost = new Promise((resolve) => {
      void g.isomqttClient.connect(url, { keepalive: 1, timers: mainThread }).then((client: any) => {
        client.on('connectionLost', (err: Error) => resolve(err.message))
      })
    })
  }, env.brokerWsUrl)
  const message = await page.evaluate(() => (globalThis as Record<string, any>).lost, undefined)
  expect(typeof message).toBe('string')
  expect(await page.evaluate(() => (globalThis as Record<string, any>).pingreqs)).toBe(0)
})

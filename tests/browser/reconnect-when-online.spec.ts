// A browser client waiting out a long reconnect delay tries at once when the window says the network is back
// ('online'), with connect() and with createClient(); without the event it would wait the whole minute.
import { expect, test } from '@playwright/test'
import { env, nodePeer } from './support/fixtures.js'

for (const how of ['connect', 'createClient'] as const) {
  test(`a client made with ${how}() reconnects on the window's 'online' event instead of after its delay`, async ({ page }) => {
    await page.goto(`${env.pageUrl}/tests/browser/pages/blank.html`)
    const clientId = `online-${how}-${Date.now().toString(36)}`
    await page.evaluate(async ({ url, clientId, how }) => {
      const g = globalThis as Record<string, any>
      await import('/.tmp/browser-pages/sources.js' as string)
      const { connect, createClient } = g.sources.client
      const options = { clientId, reconnect: { minDelayMs: 60_000, maxDelayMs: 60_000 } }
      let client
      if (how === 'connect') client = await connect(url, options)
      else { client = createClient({ ...options, servers: [url] }); await client.connect() }
      g.client = client
      g.delays = [] as number[]
      g.reconnects = 0
      client.on('reconnecting', (info: { delayMs: number }) => g.delays.push(info.delayMs))
      client.on('connect', () => { g.reconnects++ })
    }, { url: env.brokerWsUrl, clientId, how })
    // A Node client with the same id takes the session over: the broker closes the page's connection.
    const thief = await nodePeer(env.brokerUrl, { clientId })
    await page.waitForFunction(() => (globalThis as Record<string, any>).delays.length === 1)
    await thief.client.disconnect()
    expect(await page.evaluate(() => (globalThis as Record<string, any>).delays)).toEqual([60_000])
    await page.evaluate(() => { window.dispatchEvent(new Event('online')) })
    await page.waitForFunction(() => (globalThis as Record<string, any>).reconnects === 1, undefined, { timeout: 15_000 })
    expect(await page.evaluate(() => (globalThis as Record<string, any>).client.connected)).toBe(true)
    await page.evaluate(() => (globalThis as Record<string, any>).client.disconnect())
  })
}

// The browser WebSocket transport honours backpressure: while the peer does not read, the browser's
// bufferedAmount rises, write() returns false and 'drain' waits, so the browser's (unbounded) send buffer stays
// small; once the peer reads, the writer goes on and every byte arrives, in order.
import { createHash } from 'node:crypto'
import { expect, test } from '@playwright/test'
import { WebSocketServer, type WebSocket as NodeWebSocket } from 'ws'
import { env } from './support/fixtures.js'

const CHUNK = 64 * 1024
const TOTAL = 48 * 1024 * 1024
/** Far below TOTAL: the adapter hands the WebSocket a little more than its 256 KiB mark at a time. */
const MAX_BROWSER_BUFFER = 4 * 1024 * 1024

test('browser WebSocket transport: write() returns false while the peer stalls and drains once it reads', async ({ page }) => {
  // A peer that accepts the MQTT subprotocol, stops reading at once, and hashes what it gets later.
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (p) => (p.has('mqtt') ? 'mqtt' : false) })
  await new Promise<void>((resolve) => server.once('listening', resolve))
  const port = (server.address() as { port: number }).port
  const hash = createHash('sha256')
  let receivedBytes = 0
  const peer = new Promise<NodeWebSocket>((resolve) => server.once('connection', (ws) => {
    ws.pause()
    ws.on('message', (data: Buffer) => { receivedBytes += data.length; hash.update(data) })
    resolve(ws)
  }))

  try {
    await page.goto(`${env.pageUrl}/tests/browser/pages/blank.html`)
    await page.evaluate(async ({ url, CHUNK, TOTAL }) => {
      const g = globalThis as Record<string, any>
      await import('/.tmp/browser-pages/sources.js' as string)
      const duplex = await g.sources.transport.openTransport(url, { protocolVersion: 4 })
      g.duplex = duplex
      g.sent = []
      g.maxBuffered = 0
      g.waitingForDrain = false
      g.written = 0
      // An application's write loop: write until write() returns false, then wait for 'drain'.
      g.allWritten = (async () => {
        for (let i = 0; i < TOTAL / CHUNK; i++) {
          const chunk = new Uint8Array(CHUNK)
          for (let j = 0; j < CHUNK; j += 512) chunk[j] = (i * 7 + j) & 0xff
          chunk[0] = i & 0xff
          g.sent.push(chunk)
          g.written += CHUNK
          if (!duplex.write(chunk)) {
            g.waitingForDrain = true
            await new Promise((resolve) => duplex.once('drain', resolve))
            g.waitingForDrain = false
          }
        }
        await new Promise((resolve) => duplex.write(new Uint8Array(0), resolve))
        return true
      })()
      g.done = false
      g.allWritten.then(() => { g.done = true })
      const watch = (): void => {
        g.maxBuffered = Math.max(g.maxBuffered, duplex.webSocket.bufferedAmount)
        if (!g.done) requestAnimationFrame(watch)
      }
      watch()
    }, { url: `ws://127.0.0.1:${port}`, CHUNK, TOTAL })

    // The peer is stalled once the browser's own send buffer holds more than the adapter's mark.
    await page.waitForFunction(() => (globalThis as Record<string, any>).duplex.webSocket.bufferedAmount > 256 * 1024)
    const stalled = await page.evaluate(() => {
      const g = globalThis as Record<string, any>
      return { waiting: g.waitingForDrain, done: g.done, written: g.written, bufferedAmount: g.duplex.webSocket.bufferedAmount }
    })
    // The writer is held at 'drain' with a bounded amount in the browser's buffer, long before all was written.
    expect(stalled.waiting).toBe(true)
    expect(stalled.done).toBe(false)
    expect(stalled.written).toBeLessThan(TOTAL)
    expect(stalled.bufferedAmount).toBeLessThan(MAX_BROWSER_BUFFER)

    const ws = await peer
    ws.resume()
    expect(await page.evaluate(() => (globalThis as Record<string, any>).allWritten)).toBe(true)
    expect(await page.evaluate(() => (globalThis as Record<string, any>).maxBuffered)).toBeLessThan(MAX_BROWSER_BUFFER)
    const expected = await page.evaluate(async () => {
      const g = globalThis as Record<string, any>
      const all = new Uint8Array(g.sent.length * g.sent[0].length)
      g.sent.forEach((c: Uint8Array, i: number) => all.set(c, i * c.length))
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', all))
      return { bytes: all.length, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('') }
    })
    await expect.poll(() => receivedBytes, { timeout: 30_000 }).toBe(expected.bytes)
    expect(hash.digest('hex')).toBe(expected.sha256)
    await page.evaluate(() => (globalThis as Record<string, any>).duplex.destroy())
  } finally {
    for (const client of server.clients) client.terminate()
    await new Promise((resolve) => server.close(resolve))
  }
})

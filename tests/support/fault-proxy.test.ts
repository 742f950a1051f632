import { createServer, connect, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFaultProxy, type FaultProxy } from './fault-proxy.js'

// An echo server behind the proxy: what the client sends comes back through both directions.
let echo: Server
let echoPort: number
let proxy: FaultProxy

beforeAll(async () => {
  echo = createServer((s) => s.pipe(s))
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r))
  echoPort = (echo.address() as { port: number }).port
  proxy = await startFaultProxy({ targetPort: echoPort })
})
afterAll(async () => {
  await proxy.close()
  await new Promise((r) => echo.close(r))
})

async function open(): Promise<{ socket: Socket; chunks: Buffer[]; received: () => number }> {
  const next = proxy.nextConnection()
  const socket = connect({ port: proxy.port, host: '127.0.0.1' })
  const chunks: Buffer[] = []
  socket.on('data', (c: Buffer) => chunks.push(c))
  socket.on('error', () => {})
  await next
  return { socket, chunks, received: () => chunks.reduce((n, c) => n + c.length, 0) }
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}

const pattern = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => i % 251))

describe('fault-injection proxy', () => {
  it('forwards bytes unchanged in both directions', async () => {
    const c = await open()
    const data = pattern(200_000)
    c.socket.write(data)
    await until(() => c.received() === data.length)
    expect(Buffer.concat(c.chunks).equals(data)).toBe(true)
    c.socket.destroy()
  })

  it('cut() closes every open connection', async () => {
    const a = await open()
    const b = await open()
    const closed = Promise.all([a, b].map((c) => new Promise((r) => c.socket.once('close', r))))
    expect(proxy.cut()).toBeGreaterThanOrEqual(2)
    await closed
  })

  it('stall() holds bytes without closing; resume() delivers them intact', async () => {
    const c = await open()
    proxy.stall()
    c.socket.write(pattern(1000))
    // Nothing can come back while stalled; prove it by round-tripping through a second, unstalled hop later.
    await new Promise((r) => setImmediate(r))
    expect(c.received()).toBe(0)
    expect(c.socket.destroyed).toBe(false)
    proxy.resume()
    await until(() => c.received() === 1000)
    expect(Buffer.concat(c.chunks).equals(pattern(1000))).toBe(true)
    c.socket.destroy()
  })

  it('split() cuts the stream into small writes that still reassemble exactly', async () => {
    proxy.shape({ splitBytes: 7 })
    const c = await open()
    const data = pattern(300)
    c.socket.write(data)
    await until(() => c.received() === 300)
    proxy.shape({ splitBytes: 0 })
    expect(c.chunks.length).toBeGreaterThan(10)
    expect(Buffer.concat(c.chunks).equals(data)).toBe(true)
    c.socket.destroy()
  })

  it('delay and throttle keep order and content', async () => {
    proxy.shape({ delayMs: 20, bytesPerSecond: 200_000 })
    const c = await open()
    const data = pattern(20_000)
    for (let i = 0; i < 20; i++) c.socket.write(data.subarray(i * 1000, (i + 1) * 1000))
    await until(() => c.received() === data.length)
    proxy.shape({ delayMs: 0, bytesPerSecond: 0 })
    expect(Buffer.concat(c.chunks).equals(data)).toBe(true)
    c.socket.destroy()
  })

  it('refuse(true) closes new connections at once', async () => {
    proxy.refuse(true)
    const s = connect({ port: proxy.port, host: '127.0.0.1' })
    s.on('error', () => {})
    await new Promise((r) => s.once('close', r))
    proxy.refuse(false)
  })
})

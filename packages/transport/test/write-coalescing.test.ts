// Packets written in one tick leave as one socket write (one writev syscall) or one WebSocket frame.
import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { createServer, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws'
import WebSocket from 'ws'
import { afterEach, describe, expect, it } from 'vitest'
import { createBrowserWebSocketTransport, openTransport, type Transport, type TransportOptions, type WebSocketConstructor } from '../src/index.node.js'
import { closeTransport } from './support/raw-mqtt.js'
import { createTestCertificates } from '../../../tests/support/certs.js'

const cleanups: Array<() => Promise<unknown> | void> = []
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c() })

const packets = Array.from({ length: 50 }, (_, i) => new Uint8Array([0x30, 3, 0, 1, i]))
const expected = Buffer.concat(packets)

describe('TCP', () => {
  async function sink(tls?: { cert: Buffer; key: Buffer }): Promise<{ port: number; received: () => Promise<Buffer> }> {
    const chunks: Buffer[] = []
    let done: (b: Buffer) => void
    const all = new Promise<Buffer>((r) => { done = r })
    const onSocket = (s: Socket): void => {
      s.on('data', (c: Buffer) => {
        chunks.push(c)
        const joined = Buffer.concat(chunks)
        if (joined.length >= expected.length) done(joined)
      })
    }
    const server: Server = tls ? createTlsServer(tls, onSocket) : createServer(onSocket)
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    cleanups.push(() => new Promise((r) => server.close(r)))
    return { port: (server.address() as { port: number }).port, received: () => all }
  }

  it.each(['mqtt', 'mqtts'])('%s: 50 writes in one tick reach the socket in one writev call, in order', async (scheme) => {
    let tls: { cert: Buffer; key: Buffer } | undefined
    let ca: Buffer | undefined
    if (scheme === 'mqtts') {
      const certs = await createTestCertificates()
      cleanups.push(() => certs.cleanup())
      ;[ca, tls] = await Promise.all([readFile(certs.caFile), Promise.all([readFile(certs.serverCertFile), readFile(certs.serverKeyFile)]).then(([cert, key]) => ({ cert, key }))])
    }
    const { port, received } = await sink(tls)
    const t = await openTransport(`${scheme}://127.0.0.1:${port}`, ca ? { tls: { ca } } : {})
    cleanups.push(() => closeTransport(t))
    const socket = t as unknown as { _write: (...a: unknown[]) => void; _writev: (chunks: unknown[], cb: unknown) => void }
    const calls: number[] = []
    const write = socket._write
    const writev = socket._writev
    socket._write = function (...a: unknown[]) { calls.push(1); return write.apply(this, a) }
    socket._writev = function (chunks: unknown[], cb: unknown) { calls.push(chunks.length); return writev.call(this, chunks, cb) }
    for (const p of packets) t.write(p)
    expect(await received()).toEqual(expected)
    expect(calls).toEqual([50])
  })

  it('a long synchronous run of writes leaves once a high-water mark is held, not at the end of the tick', async () => {
    const { port } = await sink()
    const t = await openTransport(`mqtt://127.0.0.1:${port}`)
    cleanups.push(() => closeTransport(t))
    const socket = t as unknown as { writableLength: number; writableHighWaterMark: number; bytesWritten: number }
    const chunk = new Uint8Array(4096)
    let accepted = 0
    // 256 KiB in one synchronous run: without leaving early, all of it would sit corked until the tick ends.
    for (let i = 0; i < 64; i++) if (t.write(chunk)) accepted++
    expect(socket.writableLength).toBeLessThan(socket.writableHighWaterMark)
    expect(accepted).toBe(64)
  })

  it('a peer that stops reading makes write() return false with a bounded buffer, and everything arrives once it reads', async () => {
    let peer: Socket | undefined
    const arrived: Buffer[] = []
    const server = createServer((s) => { peer = s; s.pause(); s.on('data', (c: Buffer) => arrived.push(c)) })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    cleanups.push(() => new Promise((r) => { peer?.destroy(); server.close(r) }))
    const t = await openTransport(`mqtt://127.0.0.1:${(server.address() as { port: number }).port}`)
    cleanups.push(() => closeTransport(t))
    const socket = t as unknown as { writableLength: number; writableHighWaterMark: number }
    const chunk = new Uint8Array(16 * 1024)
    let written = 0
    let maxBuffered = 0
    let full = false
    while (!full) {
      chunk.fill(written & 255)
      full = !t.write(chunk)
      written++
      maxBuffered = Math.max(maxBuffered, socket.writableLength)
      if (!full && written % 64 === 0) await new Promise((r) => setImmediate(r)) // let the kernel buffers fill
    }
    expect(maxBuffered).toBeLessThanOrEqual(socket.writableHighWaterMark + chunk.length)
    const drained = once(t, 'drain')
    peer!.resume()
    await drained
    const total = written * chunk.length
    while (arrived.reduce((n, c) => n + c.length, 0) < total) await once(peer!, 'data')
    const all = Buffer.concat(arrived)
    for (let i = 0; i < written; i++) expect(all[i * chunk.length]).toBe(i & 255)
  })

  it('writes in separate ticks are not held back', async () => {
    const { port, received } = await sink()
    const t = await openTransport(`mqtt://127.0.0.1:${port}`)
    cleanups.push(() => closeTransport(t))
    for (const p of packets) {
      t.write(p)
      await new Promise((r) => setImmediate(r))
    }
    expect(await received()).toEqual(expected)
  })
})

describe.each([
  ['Node ws factory', (url: string) => openTransport(url)],
  ['browser adapter over ws\'s class', (url: string) => createBrowserWebSocketTransport(new URL(url), { wsOptions: { WebSocket: WebSocket as unknown as WebSocketConstructor } })],
] as Array<[string, (url: string) => Promise<Transport>]>)('WebSocket (%s)', (_name, open) => {
  async function frameCounter(): Promise<{ url: string; frames: Buffer[]; next: () => Promise<void> }> {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' })
    await once(wss, 'listening')
    cleanups.push(() => new Promise((r) => { for (const c of wss.clients) c.terminate(); wss.close(r) }))
    const frames: Buffer[] = []
    let wake: () => void = () => {}
    wss.on('connection', (ws: ServerSocket) => ws.on('message', (data: Buffer) => { frames.push(data); wake() }))
    return {
      url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}`,
      frames,
      next: () => new Promise<void>((r) => { wake = r }),
    }
  }

  it('50 writes in one tick become one binary frame', async () => {
    const { url, frames, next } = await frameCounter()
    const t = await open(url)
    cleanups.push(() => closeTransport(t))
    const arrived = next()
    for (const p of packets) t.write(p)
    await arrived
    expect(frames).toHaveLength(1)
    expect(frames[0]).toEqual(expected)
  })
})

describe.each([
  ['Node ws factory', (url: string, o: TransportOptions) => openTransport(url, o)],
  ['browser adapter over ws\'s class', (url: string, o: TransportOptions) => createBrowserWebSocketTransport(new URL(url), { ...o, wsOptions: { ...o.wsOptions, WebSocket: WebSocket as unknown as WebSocketConstructor } })],
] as Array<[string, (url: string, o: TransportOptions) => Promise<Transport>]>)('WebSocket merged frames are capped (%s)', (_name, open) => {
  async function frameSink(total: number): Promise<{ url: string; frames: Promise<Buffer[]> }> {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', maxPayload: 64 * 1024 * 1024 })
    await once(wss, 'listening')
    cleanups.push(() => new Promise((r) => { for (const c of wss.clients) c.terminate(); wss.close(r) }))
    const frames = new Promise<Buffer[]>((resolve) => {
      const got: Buffer[] = []
      let bytes = 0
      wss.on('connection', (ws: ServerSocket) => ws.on('message', (data: Buffer) => {
        got.push(data)
        bytes += data.length
        if (bytes >= total) resolve(got)
      }))
    })
    return { url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}`, frames }
  }

  // 1000-byte packets with distinct contents, so order and completeness show in the bytes.
  const many = (count: number, size = 1000): Uint8Array[] =>
    Array.from({ length: count }, (_, i) => new Uint8Array(size).fill(i % 251))

  it('4 MB written in one tick leave as frames of at most 64 KiB (the default), in order', async () => {
    const writes = many(4000)
    const { url, frames } = await frameSink(4_000_000)
    const t = await open(url, {})
    cleanups.push(() => closeTransport(t))
    for (const w of writes) t.write(w)
    const got = await frames
    expect(Math.max(...got.map((f) => f.length))).toBeLessThanOrEqual(64 * 1024)
    // Still batched: whole 64 KiB frames of 1000-byte packets, not a frame per packet.
    expect(got.length).toBe(Math.ceil(4000 / Math.floor(65536 / 1000)))
    // Buffer#equals: a deep toEqual over 4 MB would take seconds.
    expect(Buffer.concat(got).equals(Buffer.concat(writes))).toBe(true)
  })

  it('honours wsOptions.maxMergedFrameBytes, and a single larger write still goes whole', async () => {
    const writes = [...many(10), new Uint8Array(20_000).fill(7), ...many(3)]
    const { url, frames } = await frameSink(33_000)
    const t = await open(url, { wsOptions: { maxMergedFrameBytes: 4096 } })
    cleanups.push(() => closeTransport(t))
    for (const w of writes) t.write(w)
    const got = await frames
    expect(got.map((f) => f.length)).toEqual([4000, 4000, 2000, 20_000, 3000])
    expect(Buffer.concat(got).equals(Buffer.concat(writes))).toBe(true)
  })
})

// Packets written in one tick leave as one socket write (one writev syscall) or one WebSocket frame.
import { once } from 'node:events'
import { readFile } from 'node:fs/promises'
import { createServer, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws'
import WebSocket from 'ws'
import { afterEach, describe, expect, it } from 'vitest'
import { createBrowserWebSocketTransport, openTransport, type Transport, type WebSocketConstructor } from '../src/index.node.js'
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

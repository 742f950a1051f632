// The WebSocket Duplex: binary frames both ways, frames and packets independent, end/destroy semantics,
// subprotocols, per-connection header and URL providers, readable backpressure, and peer closes.
import { once } from 'node:events'
import { Agent, type IncomingMessage } from 'node:http'
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws'
import WebSocket from 'ws'
import { afterEach, describe, expect, it } from 'vitest'
import { createBrowserWebSocketTransport, openTransport, TransportError, type WebSocketDuplex, type Transport, type TransportOptions, type WebSocketConstructor } from '../src/index.node.js'
import { closeTransport } from './support/raw-mqtt.js'

const cleanups: Array<() => Promise<unknown> | void> = []
afterEach(async () => { for (const c of cleanups.splice(0).reverse()) await c() })

interface Peer { ws: ServerSocket; req: IncomingMessage }

async function server(): Promise<{ url: string; port: number; next: () => Promise<Peer> }> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: (p) => [...p][0] ?? false })
  await once(wss, 'listening')
  cleanups.push(() => new Promise((r) => { for (const c of wss.clients) c.terminate(); wss.close(r) }))
  const port = (wss.address() as { port: number }).port
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    next: () => once(wss, 'connection').then(([ws, req]) => ({ ws, req }) as Peer),
  }
}

const browserOptions: TransportOptions = { wsOptions: { WebSocket: WebSocket as unknown as WebSocketConstructor } }
const factories: Array<[string, (url: string, o?: TransportOptions) => Promise<Transport>]> = [
  ['Node ws', (url, o = {}) => openTransport(url, o)],
  ['browser adapter', (url, o = {}) => createBrowserWebSocketTransport(new URL(url), { ...o, wsOptions: { ...browserOptions.wsOptions, ...o.wsOptions } })],
]

function readAll(t: Transport, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let have = 0
  return new Promise((resolve, reject) => {
    t.on('data', (c: Uint8Array) => {
      expect(c).toBeInstanceOf(Uint8Array)
      chunks.push(Buffer.from(c))
      have += c.length
      if (have >= bytes) resolve(Buffer.concat(chunks))
    })
    t.once('error', reject)
  })
}

describe.each(factories)('%s', (_name, open) => {
  it('offers subprotocol mqtt, or mqttv3.1 for MQTT 3.1, on path /mqtt by default', async () => {
    const s = await server()
    const [peer, t] = await Promise.all([s.next(), open(s.url)])
    cleanups.push(() => closeTransport(t))
    expect(peer.ws.protocol).toBe('mqtt')
    expect(peer.req.url).toBe('/mqtt')
    const [peer31, t31] = await Promise.all([s.next(), open(`${s.url}/custom`, { protocolVersion: 3 })])
    cleanups.push(() => closeTransport(t31))
    expect(peer31.ws.protocol).toBe('mqttv3.1')
    expect(peer31.req.url).toBe('/custom')
  })

  it('passes bytes through whatever the framing: a packet split over frames, two packets in one frame', async () => {
    const s = await server()
    const [peer, t] = await Promise.all([s.next(), open(s.url)])
    cleanups.push(() => closeTransport(t))
    const bytes = Buffer.from([0x30, 5, 0, 1, 0x61, 0x62, 0x63, 0xd0, 0, 0xd0, 0])
    const got = readAll(t, bytes.length)
    peer.ws.send(bytes.subarray(0, 2))
    peer.ws.send(bytes.subarray(2, 5))
    peer.ws.send(bytes.subarray(5))
    expect(await got).toEqual(bytes)
  })

  it('a text frame is a protocol error [MQTT-6.0.0-1]', async () => {
    const s = await server()
    const [peer, t] = await Promise.all([s.next(), open(s.url)])
    cleanups.push(() => closeTransport(t))
    const failed = once(t, 'error')
    peer.ws.send('not binary')
    const [err] = (await failed) as [TransportError]
    expect(err.code).toBe('WS_PROTOCOL_ERROR')
  })

  it('end() sends everything written, then closes with 1000', async () => {
    const s = await server()
    const [peer, t] = await Promise.all([s.next(), open(s.url)])
    const received: Buffer[] = []
    peer.ws.on('message', (d: Buffer) => received.push(d))
    const closed = once(peer.ws, 'close')
    const big = new Uint8Array(1024 * 1024).fill(7)
    t.write(big)
    t.write(new Uint8Array([1, 2, 3]))
    t.end()
    t.resume()
    const [code] = await closed
    expect(code).toBe(1000)
    expect(Buffer.concat(received)).toEqual(Buffer.concat([big, Buffer.from([1, 2, 3])]))
    await once(t, 'close')
  })

  it('destroy() tears the connection down at once', async () => {
    const s = await server()
    const [peer, t] = await Promise.all([s.next(), open(s.url)])
    const closed = once(peer.ws, 'close')
    t.write(new Uint8Array(4 * 1024 * 1024))
    t.destroy()
    await once(t, 'close')
    const [code] = await closed
    expect(code === 1006 || code === 1000).toBe(true)
  })

  it('a clean close by the server ends the readable side without an error', async () => {
    const s = await server()
    const [peer, t] = await Promise.all([s.next(), open(s.url)])
    const errors: unknown[] = []
    t.on('error', (e) => errors.push(e))
    peer.ws.send(Buffer.from([0xd0, 0]))
    peer.ws.close(1000)
    t.resume()
    await once(t, 'close')
    expect(t.readableEnded).toBe(true)
    expect(errors).toEqual([])
  })

  it('the server dropping the connection mid-stream yields CONNECTION_CLOSED', async () => {
    const s = await server()
    const [peer, t] = await Promise.all([s.next(), open(s.url)])
    peer.ws.once('message', () => peer.ws.terminate())
    const failed = once(t, 'error')
    const chunk = new Uint8Array(64 * 1024)
    const writing = (async () => {
      for (let i = 0; i < 256 && !t.destroyed; i++) if (!t.write(chunk)) await once(t, 'drain')
    })().catch(() => {}) // once() rejects with the stream's error, awaited below
    const [err] = (await failed) as [TransportError]
    await writing
    expect(err).toBeInstanceOf(TransportError)
    expect(err.code).toBe('CONNECTION_CLOSED')
  })

  it('a peer that stops reading stalls the writer with bounded buffers, and nothing is lost', async () => {
    const s = await server()
    const [peer, t] = await Promise.all([s.next(), open(s.url)])
    cleanups.push(() => closeTransport(t))
    const ws = (t as unknown as WebSocketDuplex).webSocket
    let received = 0
    peer.ws.on('message', (d: Buffer) => { received += d.length })
    const serverSocket = (peer.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket
    serverSocket.pause()
    const chunk = new Uint8Array(64 * 1024)
    let written = 0
    let waiting = false
    let stop = false
    let maxWritable = 0
    let maxBuffered = 0
    const writer = (async () => {
      while (!stop && written < 256 * 1024 * 1024) {
        const ok = t.write(chunk)
        written += chunk.length
        maxWritable = Math.max(maxWritable, t.writableLength)
        maxBuffered = Math.max(maxBuffered, ws.bufferedAmount)
        if (!ok) { waiting = true; await once(t, 'drain'); waiting = false }
      }
    })()
    // Stalled: the writer waits for 'drain' while the WebSocket still holds unsent bytes.
    while (!(waiting && ws.bufferedAmount > 0 && t.writableLength > 0)) await new Promise((r) => setImmediate(r))
    stop = true
    expect(written).toBeLessThan(256 * 1024 * 1024)
    expect(maxWritable).toBeLessThanOrEqual(t.writableHighWaterMark + chunk.length)
    // Either one frame in flight (Node ws send callback) or the bufferedAmount mark plus one batch (browser).
    expect(maxBuffered).toBeLessThanOrEqual(256 * 1024 + t.writableHighWaterMark + 2 * chunk.length)
    serverSocket.resume()
    await writer
    const closed = once(peer.ws, 'close')
    t.end()
    t.resume()
    await closed
    expect(received).toBe(written)
  })

  it('calls the URL provider before every connection', async () => {
    const s = await server()
    let n = 0
    const urlProvider = (url: URL): Promise<string> => Promise.resolve(`${url.href}?token=t${++n}`)
    for (const expected of ['/mqtt?token=t1', '/mqtt?token=t2']) {
      const [peer, t] = await Promise.all([s.next(), open(s.url, { wsOptions: { urlProvider } })])
      cleanups.push(() => closeTransport(t))
      expect(peer.req.url).toBe(expected)
    }
  })
})

describe('Node ws only', () => {
  it('sends handshake headers from an async provider called before every connection', async () => {
    const s = await server()
    let n = 0
    const headers = async (): Promise<Record<string, string>> => ({ authorization: `Bearer token-${++n}` })
    for (const expected of ['Bearer token-1', 'Bearer token-2']) {
      const [peer, t] = await Promise.all([s.next(), openTransport(s.url, { wsOptions: { headers } })])
      cleanups.push(() => closeTransport(t))
      expect(peer.req.headers.authorization).toBe(expected)
    }
  })

  it('makes the handshake\'s connection through wsOptions.agent (an HTTP proxy agent, say)', async () => {
    const s = await server()
    const agent = new Agent()
    const made: string[] = []
    const createConnection = agent.createConnection.bind(agent)
    agent.createConnection = (options, callback) => {
      made.push(`${String(options.host)}:${String(options.port)}`)
      return createConnection(options, callback)
    }
    const [peer, t] = await Promise.all([s.next(), openTransport(s.url, { wsOptions: { agent } })])
    cleanups.push(() => closeTransport(t))
    expect(made).toEqual([`127.0.0.1:${s.port}`])
    expect(peer.req.url).toBe('/mqtt')
    agent.destroy()
  })

  it('stops reading from the network while the readable side is full (pause), and loses nothing', async () => {
    const s = await server()
    const [peer, t] = await Promise.all([s.next(), openTransport(s.url)])
    cleanups.push(() => closeTransport(t))
    const frame = Buffer.alloc(64 * 1024, 1)
    const frames = 128 // 8 MiB
    for (let i = 0; i < frames; i++) peer.ws.send(frame)
    // The server's unsent queue only grows if the client stopped reading.
    while (peer.ws.bufferedAmount < 2 * 1024 * 1024) await new Promise((r) => setImmediate(r))
    expect(t.readableLength).toBeLessThanOrEqual(t.readableHighWaterMark + frame.length)
    const all = await readAll(t, frames * frame.length)
    expect(all.length).toBe(frames * frame.length)
  })
})

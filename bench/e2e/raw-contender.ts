// The reference line: a raw socket writing pre-encoded packets and reading acknowledgements by their fixed
// header only. The most any client could get from this broker.
import { connect as netConnect } from 'node:net'
import type { Duplex } from 'node:stream'
import WebSocket, { createWebSocketStream } from 'ws'
import type { BenchConn } from './contender.js'
import { ack, bytes, idAt, PacketScanner, preencodedPublishes } from './wire.js'

/** Opens a TCP or WebSocket byte stream to the broker. */
export async function openRawStream(url: string): Promise<Duplex> {
  const u = new URL(url)
  if (u.protocol === 'ws:') {
    const ws = new WebSocket(url, 'mqtt')
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject) })
    return createWebSocketStream(ws)
  }
  const s = netConnect({ host: u.hostname, port: Number(u.port), noDelay: true })
  await new Promise((resolve, reject) => { s.once('connect', resolve); s.once('error', reject) })
  return s
}

function write(s: Duplex, b: Uint8Array): Promise<void> {
  return s.write(b) ? Promise.resolve() : new Promise((r) => s.once('drain', r))
}

/** Connects the raw reference client. */
export async function connectRaw(url: string, clientId: string): Promise<BenchConn> {
  const s = await openRawStream(url)
  let onPacket: (first: number, buf: Uint8Array, body: number, end: number) => void = () => {}
  const scanner = new PacketScanner((f, b, o, e) => onPacket(f, b, o, e))
  // Acknowledgements made while reading one chunk leave in one write.
  let out: Uint8Array[] = []
  s.on('data', (chunk: Uint8Array) => {
    scanner.push(chunk)
    if (out.length > 0) { s.write(out.length === 1 ? out[0]! : Buffer.concat(out)); out = [] }
  })
  s.on('error', () => {})
  const expect = (type: number): Promise<void> => new Promise((resolve) => {
    onPacket = (first) => { if (first >> 4 === type) resolve() }
  })
  const connack = expect(2)
  s.write(bytes({ type: 'connect', clientId, clean: true, keepalive: 60 }))
  await connack
  const writeAll = async (chunks: Uint8Array[]): Promise<void> => {
    for (let i = 0; i < chunks.length - 1; i++) await write(s, chunks[i]!)
    await new Promise<void>((resolve, reject) => s.write(chunks[chunks.length - 1]!, (err) => (err ? reject(err) : resolve())))
  }
  return {
    planLoop: (topic, payload, n) => {
      const chunks = preencodedPublishes(topic, payload, 0, n)
      return () => writeAll(chunks)
    },
    planAwaitEach: (topic, payload, n) => {
      const chunks = preencodedPublishes(topic, payload, 0, n)
      return () => writeAll(chunks)
    },
    planWindow: (topic, payload, qos, n, window) => {
      if (window >= n) {
        const chunks = preencodedPublishes(topic, payload, qos, n)
        return () => new Promise<void>((resolve) => {
          let acks = 0
          onPacket = (first) => { if (first >> 4 === (qos === 1 ? 4 : 7) && ++acks === n) resolve() }
          void writeAll(chunks)
        })
      }
      const packets = Array.from({ length: n }, (_, i) => bytes({ type: 'publish', topic, payload, qos, retain: false, dup: false, packetId: (i % 65535) + 1 }))
      return () => new Promise<void>((resolve) => {
        let next = Math.min(window, n)
        let done = 0
        onPacket = (first, buf, body) => {
          const type = first >> 4
          if (type === 5) out.push(ack(0x62, idAt(buf, body)))
          else if (type === 4 || type === 7) {
            if (++done === n) resolve()
            else if (next < n) out.push(packets[next++]!)
          }
        }
        for (let i = 0; i < next; i++) s.write(packets[i]!)
      })
    },
    publishOne: (topic, payload) => {
      const p = expect(4)
      s.write(bytes({ type: 'publish', topic, payload, qos: 1, retain: false, dup: false, packetId: 1 }))
      return p
    },
    subscribe: async (filters, qos, onMessage) => {
      let pending = filters.length
      const subacked = new Promise<void>((resolve) => {
        onPacket = (first, buf, body, end) => {
          const type = first >> 4
          if (type === 9 && --pending === 0) resolve()
          else if (type === 3) {
            onMessage()
            if ((first & 6) === 2) {
              const tl = (buf[body]! << 8) | buf[body + 1]!
              out.push(ack(0x40, idAt(buf, body + 2 + tl)))
            }
          }
          void end
        }
      })
      filters.forEach((filter, i) => s.write(bytes({ type: 'subscribe', packetId: (i % 65535) + 1, subscriptions: [{ filter, qos }] })))
      await subacked
    },
    end: async () => {
      s.end(bytes({ type: 'disconnect' }))
      await new Promise((r) => { s.once('close', r); s.resume() })
    },
  }
}

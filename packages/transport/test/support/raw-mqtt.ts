// Hand-encoded MQTT 3.1.1 packets and a minimal frame splitter, so transport tests need no codec.
import { once } from 'node:events'
import type { Transport } from '../../src/index.node.js'

const enc = new TextEncoder()

function remainingLength(n: number): number[] {
  const out: number[] = []
  do {
    let byte = n % 128
    n = Math.floor(n / 128)
    if (n > 0) byte |= 0x80
    out.push(byte)
  } while (n > 0)
  return out
}

function str(s: string): number[] {
  const b = enc.encode(s)
  return [b.length >> 8, b.length & 0xff, ...b]
}

function packet(first: number, body: Uint8Array | number[]): Uint8Array {
  const head = [first, ...remainingLength(body.length)]
  const out = new Uint8Array(head.length + body.length)
  out.set(head)
  out.set(body, head.length)
  return out
}

/** CONNECT, MQTT 3.1.1, clean session, keepalive 60. */
export function connectPacket(clientId: string): Uint8Array {
  return packet(0x10, [...str('MQTT'), 4, 0x02, 0, 60, ...str(clientId)])
}

/** SUBSCRIBE packet id 1, one filter at QoS 0. */
export function subscribePacket(filter: string): Uint8Array {
  return packet(0x82, [0, 1, ...str(filter), 0])
}

/** PUBLISH at QoS 0. */
export function publishPacket(topic: string, payload: Uint8Array): Uint8Array {
  const t = str(topic)
  const body = new Uint8Array(t.length + payload.length)
  body.set(t)
  body.set(payload, t.length)
  return packet(0x30, body)
}

/** A received packet: first byte and body. */
export interface RawPacket { type: number; body: Uint8Array }

/** Splits a byte stream into packets, whatever the chunk boundaries. */
export class PacketSplitter {
  #buf = new Uint8Array(0)

  push(chunk: Uint8Array): RawPacket[] {
    const joined = new Uint8Array(this.#buf.length + chunk.length)
    joined.set(this.#buf)
    joined.set(chunk, this.#buf.length)
    const out: RawPacket[] = []
    let off = 0
    for (;;) {
      if (joined.length - off < 2) break
      let len = 0
      let mul = 1
      let i = off + 1
      let complete = false
      while (i < joined.length) {
        const b = joined[i++]!
        len += (b & 0x7f) * mul
        mul *= 128
        if ((b & 0x80) === 0) { complete = true; break }
      }
      if (!complete || joined.length - i < len) break
      out.push({ type: joined[off]! >> 4, body: joined.subarray(i, i + len) })
      off = i + len
    }
    this.#buf = joined.slice(off)
    return out
  }
}

/** Resolves with the next packet read from `t` for which `match` holds (others are handed to `other`). */
export function nextPacket(t: Transport, splitter: PacketSplitter, match: (p: RawPacket) => boolean): Promise<RawPacket> {
  return new Promise((resolve, reject) => {
    const onData = (chunk: Uint8Array): void => {
      for (const p of splitter.push(chunk)) {
        if (match(p)) { cleanup(); resolve(p); return }
      }
    }
    const onEnd = (): void => { cleanup(); reject(new Error('stream ended before the packet arrived')) }
    const onError = (err: Error): void => { cleanup(); reject(err) }
    const cleanup = (): void => {
      t.off('data', onData); t.off('end', onEnd); t.off('error', onError)
    }
    t.on('data', onData); t.once('end', onEnd); t.once('error', onError)
  })
}

/** Sends CONNECT and returns the CONNACK body (expected `[0, 0]`). */
export async function rawConnect(t: Transport, clientId: string): Promise<Uint8Array> {
  const splitter = new PacketSplitter()
  const connack = nextPacket(t, splitter, (p) => p.type === 2)
  t.write(connectPacket(clientId))
  return (await connack).body
}

/** Closes a transport and waits until it is closed. */
export async function closeTransport(t: Transport): Promise<void> {
  if (t.destroyed) return
  const closed = once(t, 'close')
  t.destroy()
  await closed
}

// Minimal MQTT 3.1.1 wire helpers for the benchmark's raw contender and in-process peer: pre-encoded packets
// and a scanner that walks fixed headers without decoding payloads. Not a client: only what a reference needs.
import { encode, type Packet } from '@isomqtt/codec'

/** One packet seen by the scanner: first byte, and its body as offsets into `buf`. */
export type PacketSink = (first: number, buf: Uint8Array, body: number, end: number) => void

/** Walks MQTT fixed headers across chunks; keeps only an unfinished tail. */
export class PacketScanner {
  private tail: Uint8Array | undefined
  constructor(private readonly sink: PacketSink) {}

  push(chunk: Uint8Array): void {
    let buf = chunk
    if (this.tail) {
      buf = new Uint8Array(this.tail.length + chunk.length)
      buf.set(this.tail, 0)
      buf.set(chunk, this.tail.length)
      this.tail = undefined
    }
    let off = 0
    const n = buf.length
    while (off < n) {
      let len = 0
      let mul = 1
      let i = off + 1
      let complete = false
      while (i < n) {
        const b = buf[i++]!
        len += (b & 0x7f) * mul
        mul *= 128
        if ((b & 0x80) === 0) { complete = true; break }
      }
      if (!complete || i + len > n) break
      this.sink(buf[off]!, buf, i, i + len)
      off = i + len
    }
    if (off < n) this.tail = buf.slice(off)
  }
}

/** Encoded as MQTT 3.1.1. */
export function bytes(p: Packet): Uint8Array {
  return encode(p, 4)
}

/** Concatenate buffers. */
export function concat(parts: Uint8Array[]): Uint8Array {
  let size = 0
  for (const p of parts) size += p.length
  const out = new Uint8Array(size)
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.length }
  return out
}

/** `count` PUBLISH packets pre-encoded into chunks of about 64 KiB (ids 1..count for QoS > 0, wrapping at 65535). */
export function preencodedPublishes(topic: string, payload: Uint8Array, qos: 0 | 1 | 2, count: number, firstId = 1): Uint8Array[] {
  const chunks: Uint8Array[] = []
  let parts: Uint8Array[] = []
  let size = 0
  for (let i = 0; i < count; i++) {
    const packetId = qos === 0 ? undefined : ((firstId + i - 1) % 65535) + 1
    const b = bytes({ type: 'publish', topic, payload, qos, retain: false, dup: false, packetId })
    parts.push(b)
    size += b.length
    if (size >= 65536) { chunks.push(concat(parts)); parts = []; size = 0 }
  }
  if (parts.length) chunks.push(concat(parts))
  return chunks
}

/** The packet id at `body` (PUBACK/PUBREC/PUBREL/PUBCOMP/SUBACK and friends). */
export function idAt(buf: Uint8Array, body: number): number {
  return (buf[body]! << 8) | buf[body + 1]!
}

/** A 4-byte ack packet (PUBACK 0x40, PUBREC 0x50, PUBREL 0x62, PUBCOMP 0x70). */
export function ack(first: number, id: number): Uint8Array {
  return Uint8Array.of(first, 2, id >> 8, id & 0xff)
}

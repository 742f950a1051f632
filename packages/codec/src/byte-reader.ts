// A cursor over one packet's body: every read checks the packet's end, so a truncated field is a
// MalformedPacketError, never an out-of-range read. One instance per Parser is reused for every packet.

import { MalformedPacketError } from './errors.js'
import { readUtf8 } from './utf8.js'

/** Shared until the first packet: a typed array costs a backing store even when empty. */
const NOTHING = new Uint8Array(0)

/** Reads MQTT data types (MQTT 5 §1.5) from `buf[pos, end)`. */
export class ByteReader {
  buf: Uint8Array = NOTHING
  pos = 0
  end = 0

  /** Points the reader at a new packet body. */
  reset(buf: Uint8Array, pos: number, end: number): void {
    this.buf = buf
    this.pos = pos
    this.end = end
  }

  /** Bytes left in the body. */
  remaining(): number {
    return this.end - this.pos
  }

  /** Throws unless `n` more bytes are in the body. */
  need(n: number, what: string): void {
    if (this.end - this.pos < n) throw new MalformedPacketError(`Truncated ${what}`)
  }

  /** One Byte. */
  u8(what: string): number {
    if (this.pos >= this.end) throw new MalformedPacketError(`Truncated ${what}`)
    return this.buf[this.pos++]!
  }

  /** Two Byte Integer, big-endian (§1.5.2). */
  u16(what: string): number {
    const p = this.pos
    if (this.end - p < 2) throw new MalformedPacketError(`Truncated ${what}`)
    this.pos = p + 2
    return (this.buf[p]! << 8) | this.buf[p + 1]!
  }

  /** Four Byte Integer, big-endian (§1.5.3). */
  u32(what: string): number {
    const p = this.pos
    if (this.end - p < 4) throw new MalformedPacketError(`Truncated ${what}`)
    this.pos = p + 4
    const b = this.buf
    return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0
  }

  /** Variable Byte Integer (§1.5.5): at most four bytes [MQTT-1.5.5-1]. */
  varint(what: string): number {
    let value = 0
    let mul = 1
    for (let i = 0; i < 4; i++) {
      if (this.pos >= this.end) throw new MalformedPacketError(`Truncated ${what}`)
      const b = this.buf[this.pos++]!
      value += (b & 0x7f) * mul
      if ((b & 0x80) === 0) return value
      mul *= 128
    }
    throw new MalformedPacketError(`${what} is a Variable Byte Integer longer than 4 bytes [MQTT-1.5.5-1]`)
  }

  /** UTF-8 Encoded String (§1.5.4). */
  utf8(what: string): string {
    const len = this.u16(what)
    const p = this.pos
    if (this.end - p < len) throw new MalformedPacketError(`Truncated ${what}`)
    this.pos = p + len
    return readUtf8(this.buf, p, p + len)
  }

  /** Binary Data (§1.5.6): a view into the packet's bytes, not a copy. */
  binary(what: string): Uint8Array {
    const len = this.u16(what)
    const p = this.pos
    if (this.end - p < len) throw new MalformedPacketError(`Truncated ${what}`)
    this.pos = p + len
    return this.buf.subarray(p, p + len)
  }
}

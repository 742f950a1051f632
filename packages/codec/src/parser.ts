// The incremental parser: bytes in as the socket delivers them, complete packets out.
//
// It walks each chunk with an offset and keeps only an unfinished tail: a fixed header cut short (at most
// 5 bytes), or a packet that spans chunks, assembled once into a buffer of its exact size, known from the
// fixed header. Above 1 MiB that buffer grows with the bytes that arrive instead: a fixed header is 5 bytes
// and may claim 256 MB, so sizing the buffer from it alone would let a peer (or anything that is not an MQTT
// server) take that much memory per connection for the price of 5 bytes. A packet that lies wholly inside a
// chunk is decoded in place, so its payload (and binary fields such as Correlation Data or a will payload) are
// views into that chunk: holding one keeps the whole chunk's ArrayBuffer alive, and the caller must not reuse
// or overwrite a chunk after pushing it.

import { ByteReader } from './byte-reader.js'
import { checkFirstByte, decodeBody } from './decode.js'
import { MalformedPacketError } from './errors.js'
import type { Packet, ProtocolVersion, PublishPacket } from './packets.js'

/** Largest packet MQTT can express: 1 byte header, 4 byte Remaining Length, 268,435,455 body bytes. */
export const MAX_PACKET_SIZE = 1 + 4 + 268_435_455

/** Options of a Parser. */
export interface ParserOptions {
  /** Protocol version of the connection; settable later through `parser.version`. */
  version: ProtocolVersion
  /** Largest whole packet accepted, checked from the fixed header before the body is buffered. */
  maxPacketSize?: number
  /**
   * MQTT 3.1.x: a PUBLISH above maxPacketSize is not an error: it is returned with an empty payload and `oversized`
   * set to its size, its payload read past without being kept (the server cannot be told the limit, and would
   * send a message it keeps for the session again on every connection if it ended them). MQTT 5 ignores it.
   */
  skipOversizedPublish?: boolean
}

function tooLarge(size: number, max: number): MalformedPacketError {
  return new MalformedPacketError(`Packet of ${size} bytes exceeds the Maximum Packet Size ${max} [MQTT-3.1.2-24] (MQTT 5 §3.1.2.11.4)`, 'PACKET_TOO_LARGE')
}

/** Turns a byte stream into packets, whatever the chunking. Throws MalformedPacketError on bad input. */
export class Parser {
  /** The protocol version packets are decoded with (CONNECT carries its own). */
  version: ProtocolVersion
  /** Largest whole packet accepted. */
  maxPacketSize: number
  /** See ParserOptions.skipOversizedPublish. */
  skipOversizedPublish: boolean
  private readonly reader = new ByteReader()
  /** A fixed header split across chunks (allocated when one first is: most connections never see one). */
  private head: Uint8Array | undefined = undefined
  private headLen = 0
  private pending: Uint8Array | undefined = undefined
  private pendingPos = 0
  private pendingTotal = 0
  private pendingBody = 0
  /** The pending bytes are the head of an oversized PUBLISH of this many bytes (0: a whole packet). */
  private pendingOversized = 0
  /** Bytes of an oversized PUBLISH's payload still to read past. */
  private skipLeft = 0
  private failed: MalformedPacketError | undefined = undefined

  constructor(opts: ParserOptions) {
    this.version = opts.version
    this.maxPacketSize = opts.maxPacketSize ?? MAX_PACKET_SIZE
    this.skipOversizedPublish = opts.skipOversizedPublish ?? false
  }

  /**
   * Consumes `chunk` and returns the packets it completes, in order. After a MalformedPacketError (whose
   * `packets` lists the packets completed before the bad one) every push throws it again until `reset()`.
   */
  push(chunk: Uint8Array): Packet[] {
    if (this.failed !== undefined) throw this.failed
    // A Node Buffer (a Uint8Array subclass) becomes a plain view, so payloads are plain Uint8Arrays.
    if (chunk.constructor !== Uint8Array) chunk = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    const out: Packet[] = []
    try {
      this.run(chunk, out)
    } catch (e) {
      const err = e instanceof MalformedPacketError ? e : new MalformedPacketError(`Undecodable packet: ${String(e)}`, 'MALFORMED_PACKET', 0x81, e)
      err.packets = out
      this.failed = err
      this.pending = undefined
      this.headLen = 0
      this.skipLeft = 0
      throw err
    }
    return out
  }

  /** Whether bytes of an unfinished packet are held, waiting for more. */
  hasPartial(): boolean {
    return this.headLen > 0 || this.pending !== undefined || this.skipLeft > 0
  }

  /** Forgets any partial packet and a previous error, e.g. for a new connection. */
  reset(): void {
    this.headLen = 0
    this.pending = undefined
    this.pendingPos = 0
    this.skipLeft = 0
    this.failed = undefined
  }

  private decode(buf: Uint8Array, start: number, body: number, end: number): Packet {
    const r = this.reader
    r.reset(buf, body, end)
    const packet = decodeBody(r, buf[start]!, this.version)
    r.reset(EMPTY, 0, 0) // do not keep the last chunk alive through the reader
    return packet
  }

  private run(chunk: Uint8Array, out: Packet[]): void {
    const len = chunk.length
    let pos = 0
    if (this.headLen > 0) {
      pos = this.finishHeader(chunk)
      if (pos < 0) return
    }
    if (this.pending !== undefined) {
      let p = this.pending
      const total = this.pendingTotal
      const n = Math.min(total - this.pendingPos, len - pos)
      if (this.pendingPos + n > p.length) p = this.pending = grown(p, this.pendingPos, this.pendingPos + n, total)
      p.set(n === len && pos === 0 ? chunk : chunk.subarray(pos, pos + n), this.pendingPos)
      this.pendingPos += n
      pos += n
      if (this.pendingPos < total) return
      this.pending = undefined
      if (this.pendingOversized === 0) out.push(this.decode(p, 0, this.pendingBody, total))
      else pos = this.oversized(p, 0, this.pendingBody, total, this.pendingOversized, chunk, pos, out)
    }
    if (this.skipLeft > 0) {
      const n = Math.min(this.skipLeft, len - pos)
      this.skipLeft -= n
      pos += n
    }
    const version = this.version
    const max = this.maxPacketSize
    while (pos < len) {
      const first = chunk[pos]!
      checkFirstByte(first, version)
      // Remaining Length: a Variable Byte Integer of at most 4 bytes [MQTT-1.5.5-1].
      let remaining = 0
      let mul = 1
      let i = pos + 1
      let done = false
      const stop = Math.min(len, pos + 5)
      while (i < stop) {
        const b = chunk[i++]!
        remaining += (b & 0x7f) * mul
        if (b < 0x80) {
          done = true
          break
        }
        mul *= 128
      }
      if (!done) {
        if (i === pos + 5) throw new MalformedPacketError('Remaining Length longer than 4 bytes [MQTT-1.5.5-1]')
        ;(this.head ??= new Uint8Array(5)).set(chunk.subarray(pos, len))
        this.headLen = len - pos
        return
      }
      const total = i - pos + remaining
      if (total > max) {
        if (!this.skipsOversized(first)) throw tooLarge(total, max)
        const keep = headersOf(total, i - pos)
        if (keep > len - pos) {
          this.begin(keep, len - pos, i - pos).set(chunk.subarray(pos, len))
          this.pendingOversized = total
          return
        }
        pos = this.oversized(chunk, pos, i, pos + keep, total, chunk, pos + keep, out)
      } else if (total <= len - pos) {
        out.push(this.decode(chunk, pos, i, pos + total))
        pos += total
      } else {
        const p = this.begin(total, len - pos, i - pos)
        p.set(chunk.subarray(pos, len))
        return
      }
    }
  }

  /** Starts a packet of `total` bytes that spans chunks, `have` of them at hand; returns its buffer. */
  private begin(total: number, have: number, body: number): Uint8Array {
    const p = new Uint8Array(total <= EAGER_LIMIT ? total : Math.max(EAGER_LIMIT, have))
    this.pending = p
    this.pendingPos = have
    this.pendingTotal = total
    this.pendingBody = body
    this.pendingOversized = 0
    return p
  }

  /** Whether an oversized packet with this first byte is read past: a PUBLISH, with the option, before MQTT 5 (whose server knows the limit). */
  private skipsOversized(first: number): boolean {
    return this.skipOversizedPublish && first >> 4 === 3 && this.version !== 5
  }

  /**
   * An oversized PUBLISH whose headers are `buf[start, end)`: pushed with an empty payload and its size, and the
   * rest of it (`size - (end - start)` bytes) read past, from `chunk` at `pos` on; returns the chunk offset after.
   */
  private oversized(buf: Uint8Array, start: number, body: number, end: number, size: number, chunk: Uint8Array, pos: number, out: Packet[]): number {
    const p = this.decode(buf, start, body, end) as PublishPacket
    out.push({ ...p, payload: EMPTY, oversized: size })
    this.pendingOversized = 0
    const n = Math.min(size - (end - start), chunk.length - pos)
    this.skipLeft = size - (end - start) - n
    return pos + n
  }

  /** Completes a fixed header cut short by the previous chunk; returns the chunk offset after it, or -1. */
  private finishHeader(chunk: Uint8Array): number {
    const head = this.head!
    let pos = 0
    while (pos < chunk.length) {
      const b = chunk[pos++]!
      head[this.headLen++] = b
      if (b < 0x80) {
        let remaining = 0
        let mul = 1
        for (let i = 1; i < this.headLen; i++, mul *= 128) remaining += (head[i]! & 0x7f) * mul
        const total = this.headLen + remaining
        let oversized = 0
        if (total > this.maxPacketSize) {
          if (!this.skipsOversized(head[0]!)) throw tooLarge(total, this.maxPacketSize)
          oversized = total
        }
        this.begin(oversized ? headersOf(total, this.headLen) : total, this.headLen, this.headLen).set(head.subarray(0, this.headLen))
        this.pendingOversized = oversized
        this.headLen = 0
        return pos
      }
      if (this.headLen === 5) throw new MalformedPacketError('Remaining Length longer than 4 bytes [MQTT-1.5.5-1]')
    }
    return -1
  }
}

const EMPTY = new Uint8Array(0)

/**
 * How much of an oversized PUBLISH of `total` bytes is kept: its fixed header (`fixed` bytes), the Topic Name
 * (2 + at most 65,535 bytes) and the Packet Identifier; the rest is read past.
 */
function headersOf(total: number, fixed: number): number {
  return Math.min(total, fixed + 65_539)
}

/** Packets up to this size get their whole buffer at once; larger ones a buffer that grows as bytes arrive. */
const EAGER_LIMIT = 1 << 20

/** A copy of `p`'s first `used` bytes in a buffer of at least `need` bytes: twice the old, at most `total`. */
function grown(p: Uint8Array, used: number, need: number, total: number): Uint8Array {
  const q = new Uint8Array(Math.min(total, Math.max(p.length * 2, need)))
  q.set(p.subarray(0, used))
  return q
}

/** Decodes exactly one whole packet, e.g. one read back from a Store. Payload views point into `bytes`. */
export function decodePacket(bytes: Uint8Array, version: ProtocolVersion): Packet {
  const parser = new Parser({ version })
  const packets = parser.push(bytes)
  if (packets.length !== 1 || parser.hasPartial()) {
    throw new MalformedPacketError(packets.length > 1 ? 'More than one packet' : 'Truncated packet')
  }
  return packets[0]!
}

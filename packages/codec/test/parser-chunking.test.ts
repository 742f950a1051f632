// The parser takes bytes however the socket cuts them: any split, one byte at a time, thousands of
// packets in one chunk. Payloads of packets inside one chunk are views into it (no copy).

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MalformedPacketError, Parser, encode, encodeMany, type Packet, type ProtocolVersion, type PublishPacket } from '@isomqtt/codec'
import { packetArb } from './helpers/arbitraries.js'

function pushAll(parser: Parser, wire: Uint8Array, cuts: number[]): Packet[] {
  const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b)
  const out: Packet[] = []
  let start = 0
  for (const p of [...points, wire.length]) {
    out.push(...parser.push(wire.subarray(start, p)))
    start = p
  }
  return out
}

describe.each([3, 4, 5] as const)('MQTT version %i', (version: ProtocolVersion) => {
  it('random packets round-trip under random chunking', () => {
    fc.assert(
      fc.property(fc.array(packetArb(version), { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 30 }), (packets, cuts) => {
        const wire = encodeMany(packets, version)
        const parser = new Parser({ version })
        expect(pushAll(parser, wire, cuts)).toEqual(packets)
        expect(parser.hasPartial()).toBe(false)
      }),
      { numRuns: 400 },
    )
  })

  it('random packets round-trip pushed one byte at a time', () => {
    fc.assert(
      fc.property(fc.array(packetArb(version), { minLength: 1, maxLength: 4 }), (packets) => {
        const wire = encodeMany(packets, version)
        const parser = new Parser({ version })
        const out: Packet[] = []
        for (let i = 0; i < wire.length; i++) out.push(...parser.push(wire.subarray(i, i + 1)))
        expect(out).toEqual(packets)
      }),
      { numRuns: 100 },
    )
  })
})

describe('Parser', () => {
  const publish = (i: number): PublishPacket => ({ type: 'publish', topic: `t/${i}`, payload: new Uint8Array([i & 0xff, 1, 2]), qos: 1, retain: false, dup: false, packetId: (i % 65535) + 1 })

  it('returns thousands of packets from one chunk, in order', () => {
    const packets = Array.from({ length: 20_000 }, (_, i) => publish(i))
    const out = new Parser({ version: 4 }).push(encodeMany(packets, 4))
    expect(out).toHaveLength(20_000)
    expect(out).toEqual(packets)
  })

  it('gives payloads that are views into the chunk when the packet lies inside it', () => {
    const chunk = encodeMany([publish(1), publish(2)], 5)
    const [a, b] = new Parser({ version: 5 }).push(chunk) as PublishPacket[]
    expect(a!.payload.buffer).toBe(chunk.buffer)
    expect(b!.payload.buffer).toBe(chunk.buffer)
    expect(b!.payload.byteOffset).toBe(chunk.length - 3)
  })

  it('assembles a packet that spans chunks once, into a buffer of its exact size', () => {
    const packet: PublishPacket = { type: 'publish', topic: 'big', payload: new Uint8Array(70_000).fill(9), qos: 0, retain: false, dup: false }
    const wire = encode(packet, 4)
    const parser = new Parser({ version: 4 })
    expect(parser.push(wire.subarray(0, 3))).toEqual([]) // fixed header cut inside the Remaining Length
    expect(parser.push(wire.subarray(3, 40_000))).toEqual([])
    const [out] = parser.push(wire.subarray(40_000)) as PublishPacket[]
    expect(out!.payload).toEqual(packet.payload)
    expect(out!.payload.buffer.byteLength).toBe(wire.length)
  })

  it('turns a Node Buffer chunk into plain Uint8Array payloads', () => {
    const [p] = new Parser({ version: 4 }).push(Buffer.from(encode(publish(3), 4))) as PublishPacket[]
    expect(p!.payload.constructor).toBe(Uint8Array)
  })

  it('rejects a packet over maxPacketSize from its fixed header, before the body arrives', () => {
    const wire = encode({ type: 'publish', topic: 't', payload: new Uint8Array(2000), qos: 0, retain: false, dup: false }, 4)
    const parser = new Parser({ version: 4, maxPacketSize: 1024 })
    let error: unknown
    try {
      parser.push(wire.subarray(0, 3)) // header byte + 2-byte Remaining Length, nothing else
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(MalformedPacketError)
    expect(error).toMatchObject({ code: 'PACKET_TOO_LARGE', reasonCode: 0x95 })
    expect(parser.hasPartial()).toBe(false)
  })

  it('holds memory in proportion to the bytes received, not to the size a fixed header claims', () => {
    // Five bytes claim the largest packet MQTT can express (256 MB): a peer that sends them, or a server that
    // is not MQTT at all, must not cost that much memory before the bytes arrive.
    const parser = new Parser({ version: 4 })
    const held = () => (parser as unknown as { pending?: Uint8Array }).pending?.length ?? 0
    parser.push(new Uint8Array([0x30, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x01, 0x74]))
    expect(parser.hasPartial()).toBe(true)
    expect(held()).toBeLessThanOrEqual(1 << 20)
    parser.push(new Uint8Array(3 << 20))
    expect(held()).toBeLessThanOrEqual(8 << 20)
    // Split across chunks after the first byte of the Remaining Length, the same holds.
    const split = new Parser({ version: 4 })
    split.push(new Uint8Array([0x30, 0xff]))
    split.push(new Uint8Array([0xff, 0xff, 0x7f, 0x00, 0x01]))
    expect((split as unknown as { pending?: Uint8Array }).pending!.length).toBeLessThanOrEqual(1 << 20)
  })

  it('assembles packets above 1 MiB that arrive in pieces, whatever the pieces', () => {
    const payload = new Uint8Array(3 * (1 << 20) + 12_345)
    for (let i = 0; i < payload.length; i += 997) payload[i] = i & 0xff
    const wire = encode({ type: 'publish', topic: 'big', payload, qos: 1, packetId: 7, retain: false, dup: false }, 4)
    // A byte at a time (the header and the buffer's first growth), 4093 bytes, 1 MiB and 1 MiB + 1, all but one.
    for (const sizes of [[1, 150_000], [4093], [1 << 20], [(1 << 20) + 1], [wire.length - 1]]) {
      const parser = new Parser({ version: 4 })
      const out: Packet[] = []
      let i = 0
      for (; i < (sizes[1] ?? wire.length); i += sizes[0]!) out.push(...parser.push(wire.subarray(i, i + sizes[0]!)))
      if (i < wire.length) out.push(...parser.push(wire.subarray(i)))
      expect(out).toHaveLength(1)
      const p = out[0] as PublishPacket
      expect({ ...p, payload: undefined }).toEqual({ type: 'publish', topic: 'big', payload: undefined, qos: 1, packetId: 7, retain: false, dup: false })
      expect(Buffer.compare(p.payload, payload)).toBe(0)
      expect(parser.hasPartial()).toBe(false)
    }
  })

  it('reads past an oversized PUBLISH with skipOversizedPublish, whatever the chunking, keeping only its headers', () => {
    const before: PublishPacket = { type: 'publish', topic: 'a', payload: new Uint8Array([1]), qos: 0, retain: false, dup: false }
    const big: PublishPacket = { type: 'publish', topic: 'big/one', payload: new Uint8Array(5000).fill(7), qos: 1, packetId: 9, retain: true, dup: false }
    const after: PublishPacket = { type: 'publish', topic: 'b', payload: new Uint8Array([2]), qos: 2, packetId: 10, retain: false, dup: false }
    const wire = encodeMany([before, big, after], 4)
    const bigSize = encode(big, 4).length
    const want = [before, { ...big, payload: new Uint8Array(0), oversized: bigSize }, after]
    // Every cut point once, as two chunks, and the whole stream a byte at a time.
    for (let cut = 0; cut <= wire.length; cut++) {
      const parser = new Parser({ version: 4, maxPacketSize: 1000, skipOversizedPublish: true })
      expect([...parser.push(wire.subarray(0, cut)), ...parser.push(wire.subarray(cut))]).toEqual(want)
      expect(parser.hasPartial()).toBe(false)
    }
    const parser = new Parser({ version: 4, maxPacketSize: 1000, skipOversizedPublish: true })
    const out: Packet[] = []
    for (let i = 0; i < wire.length; i++) out.push(...parser.push(wire.subarray(i, i + 1)))
    expect(out).toEqual(want)
  })

  it('holds at most the headers of an oversized PUBLISH it reads past, however large it claims to be', () => {
    const parser = new Parser({ version: 3, maxPacketSize: 1000, skipOversizedPublish: true })
    const held = () => (parser as unknown as { pending?: Uint8Array }).pending?.length ?? 0
    // PUBLISH QoS 0 of 200 MB claimed: topic 't', then payload. What is kept is at most the 64 KiB a topic may take.
    const out = parser.push(new Uint8Array([0x30, 0x80, 0x80, 0x80, 0x60, 0x00, 0x01, 0x74]))
    for (let i = 0; i < 20; i++) {
      out.push(...parser.push(new Uint8Array(1 << 20)))
      expect(held()).toBeLessThanOrEqual(5 + 65_539)
    }
    expect(out).toEqual([{ type: 'publish', topic: 't', payload: new Uint8Array(0), qos: 0, retain: false, dup: false, packetId: undefined, properties: undefined, oversized: 5 + 201_326_592 }])
    expect(held()).toBe(0)
    expect(parser.hasPartial()).toBe(true)
  })

  it('still refuses an oversized packet that is not a PUBLISH, and any oversized one in MQTT 5 (its server knows the limit)', () => {
    const suback = encode({ type: 'suback', packetId: 1, reasonCodes: new Array(2000).fill(0) }, 4)
    expect(() => new Parser({ version: 4, maxPacketSize: 1000, skipOversizedPublish: true }).push(suback)).toThrow(expect.objectContaining({ code: 'PACKET_TOO_LARGE' }))
    const publish5 = encode({ type: 'publish', topic: 't', payload: new Uint8Array(2000), qos: 0, retain: false, dup: false }, 5)
    expect(() => new Parser({ version: 5, maxPacketSize: 1000, skipOversizedPublish: true }).push(publish5)).toThrow(expect.objectContaining({ code: 'PACKET_TOO_LARGE' }))
    // An oversized PUBLISH with a malformed header is malformed, not skipped.
    expect(() => new Parser({ version: 4, maxPacketSize: 10, skipOversizedPublish: true }).push(new Uint8Array([0x30, 0x20, 0x00, 0x01, 0x2b, ...new Array(29).fill(0)]))).toThrow(MalformedPacketError)
  })

  it('hands back the packets before a malformed one, keeps failing until reset, then works again', () => {
    const good = encode(publish(1), 4)
    const chunk = new Uint8Array([...good, 0x41, 0x02, 0x00, 0x01]) // PUBACK with reserved flag bit set
    const parser = new Parser({ version: 4 })
    let error: MalformedPacketError | undefined
    try {
      parser.push(chunk)
    } catch (e) {
      error = e as MalformedPacketError
    }
    expect(error?.code).toBe('MALFORMED_PACKET')
    expect(error?.packets).toEqual([publish(1)])
    expect(() => parser.push(good)).toThrow(error)
    parser.reset()
    expect(parser.push(good)).toEqual([publish(1)])
  })

  it('decodes with the version set after construction', () => {
    const parser = new Parser({ version: 4 })
    parser.version = 5
    expect(parser.push(new Uint8Array([0x40, 0x03, 0x00, 0x07, 0x10]))).toEqual([{ type: 'puback', packetId: 7, reasonCode: 0x10 }])
  })
})

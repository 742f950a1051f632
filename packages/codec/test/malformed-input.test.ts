// Bad bytes from the network give a typed MalformedPacketError (or a wait for more bytes), never another
// exception, a hang, or memory beyond maxPacketSize. Bad packets given to encode give a typed MqttError.

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  MalformedPacketError, MqttError, Parser, decodePacket, encode, encodedLength, type Packet, type ProtocolVersion,
} from '@isomqtt/codec'
import { packetArb } from './helpers/arbitraries.js'

const MAX = 4096
const CODES = ['MALFORMED_PACKET', 'PROTOCOL_ERROR', 'PACKET_TOO_LARGE']

/**
 * Pushes `chunks`; returns 'ok' or the error, which must be a MalformedPacketError with a known code. `skip`:
 * oversized PUBLISH packets are read past (skipOversizedPublish), returned with their size and no payload.
 */
function feed(version: ProtocolVersion, chunks: Uint8Array[], skip = false): 'ok' | MalformedPacketError {
  const parser = new Parser({ version, maxPacketSize: MAX, skipOversizedPublish: skip })
  try {
    for (const c of chunks) {
      for (const p of parser.push(c)) if (p.type === 'publish' && p.oversized !== undefined) expect(p.payload.length).toBe(0)
      // What a parser holds for an unfinished packet never exceeds maxPacketSize (reading past an oversized
      // PUBLISH: its headers, at most 5 + 2 + 65,535 + 2 bytes).
      expect((parser as unknown as { pending?: Uint8Array }).pending?.length ?? 0).toBeLessThanOrEqual(skip ? Math.max(MAX, 65_544) : MAX)
    }
    return 'ok'
  } catch (e) {
    expect(e).toBeInstanceOf(MalformedPacketError)
    expect(CODES).toContain((e as MalformedPacketError).code)
    expect([0x81, 0x82, 0x84, 0x90, 0x95]).toContain((e as MalformedPacketError).reasonCode)
    return e as MalformedPacketError
  }
}

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const out: Uint8Array[] = []
  let start = 0
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(start, p))
    start = p
  }
  return out
}

describe.each([3, 4, 5] as const)('MQTT version %i: random and damaged input', (version: ProtocolVersion) => {
  it('random bytes in random chunks: packets, a typed error, or a wait (oversized PUBLISH packets refused or read past)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.array(fc.nat(), { maxLength: 8 }), fc.boolean(), (bytes, cuts, skip) => {
        feed(version, split(bytes, cuts), skip)
      }),
      { numRuns: 3000 },
    )
  })

  it('a single-byte mutation of a valid packet: packets, a typed error, or a wait', () => {
    fc.assert(
      fc.property(packetArb(version), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.array(fc.nat(), { maxLength: 4 }), (packet, at, value, cuts) => {
        const bytes = encode(packet, version).slice()
        bytes[at % bytes.length] = value
        feed(version, split(bytes, cuts))
      }),
      { numRuns: 3000 },
    )
  })

  it('a truncated valid packet makes the parser wait, and decodePacket reject it', () => {
    fc.assert(
      fc.property(packetArb(version), fc.nat(), (packet, at) => {
        const bytes = encode(packet, version)
        const cut = at % bytes.length
        const parser = new Parser({ version })
        expect(parser.push(bytes.subarray(0, cut))).toEqual([])
        expect(parser.hasPartial()).toBe(cut > 0)
        expect(() => decodePacket(bytes.subarray(0, cut), version)).toThrow(MalformedPacketError)
      }),
      { numRuns: 1000 },
    )
  })
})

/** Expects decoding `bytes` (as one whole packet) to fail with `code`. */
function rejects(bytes: number[], version: ProtocolVersion, code: string, reasonCode?: number): void {
  let error: unknown
  try {
    decodePacket(new Uint8Array(bytes), version)
  } catch (e) {
    error = e
  }
  expect(error).toBeInstanceOf(MalformedPacketError)
  expect((error as MalformedPacketError).code).toBe(code)
  if (reasonCode !== undefined) expect((error as MalformedPacketError).reasonCode).toBe(reasonCode)
}

describe('decoding rejects, with a typed error', () => {
  it('reserved fixed-header flag bits [MQTT-2.2.2-2]', () => {
    rejects([0x41, 0x02, 0x00, 0x01], 4, 'MALFORMED_PACKET', 0x81) // PUBACK flags 0001
    rejects([0x60, 0x02, 0x00, 0x01], 4, 'MALFORMED_PACKET') // PUBREL flags 0000, must be 0010
    rejects([0x80, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x00], 4, 'MALFORMED_PACKET') // SUBSCRIBE flags 0000
    rejects([0xa0, 0x05, 0x00, 0x01, 0x00, 0x01, 0x61], 4, 'MALFORMED_PACKET') // UNSUBSCRIBE flags 0000
    rejects([0xc1, 0x00], 4, 'MALFORMED_PACKET') // PINGREQ flags 0001
    rejects([0x00, 0x00], 4, 'MALFORMED_PACKET') // type 0 is reserved
    rejects([0xf0, 0x00], 4, 'MALFORMED_PACKET') // AUTH before MQTT 5
  })

  it('PUBLISH with QoS 3 [MQTT-3.3.1-4] and DUP on QoS 0 [MQTT-3.3.1-2]', () => {
    rejects([0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01], 4, 'MALFORMED_PACKET')
    rejects([0x38, 0x03, 0x00, 0x01, 0x61], 4, 'MALFORMED_PACKET')
  })

  it('Packet Identifier 0 [MQTT-2.3.1-1]', () => {
    rejects([0x32, 0x05, 0x00, 0x01, 0x61, 0x00, 0x00], 4, 'MALFORMED_PACKET') // PUBLISH QoS 1
    rejects([0x40, 0x02, 0x00, 0x00], 4, 'MALFORMED_PACKET') // PUBACK
    rejects([0x82, 0x06, 0x00, 0x00, 0x00, 0x01, 0x61, 0x00], 4, 'MALFORMED_PACKET') // SUBSCRIBE
  })

  it('a Remaining Length over four bytes [MQTT-1.5.5-1], also when cut across chunks', () => {
    rejects([0x30, 0xff, 0xff, 0xff, 0xff, 0x01], 4, 'MALFORMED_PACKET')
    const parser = new Parser({ version: 4 })
    expect(parser.push(new Uint8Array([0x30, 0xff, 0xff]))).toEqual([])
    expect(() => parser.push(new Uint8Array([0xff, 0xff, 0x01]))).toThrow(MalformedPacketError)
  })

  it('malformed UTF-8, encoded surrogates and U+0000 [MQTT-1.5.4-1] [MQTT-1.5.4-2]', () => {
    rejects([0x30, 0x04, 0x00, 0x02, 0xc3, 0x28], 4, 'MALFORMED_PACKET') // invalid continuation byte
    rejects([0x30, 0x05, 0x00, 0x03, 0xed, 0xa0, 0x80], 4, 'MALFORMED_PACKET') // U+D800 encoded
    rejects([0x30, 0x05, 0x00, 0x03, 0x61, 0x00, 0x62], 4, 'MALFORMED_PACKET') // "a\0b"
    rejects([0x30, 0x06, 0x00, 0x04, 0xc3, 0xbc, 0x00, 0x62], 4, 'MALFORMED_PACKET') // "ü\0b", TextDecoder path
  })

  it('keeps a leading U+FEFF in a string [MQTT-1.5.4-3]', () => {
    expect(decodePacket(new Uint8Array([0x30, 0x06, 0x00, 0x04, 0xef, 0xbb, 0xbf, 0x61]), 4)).toMatchObject({ topic: '\ufeffa' })
  })

  it('wildcards or an empty Topic Name in PUBLISH [MQTT-3.3.2-2] [MQTT-3.3.2-1]', () => {
    rejects([0x30, 0x05, 0x00, 0x03, 0x61, 0x2f, 0x2b], 4, 'PROTOCOL_ERROR', 0x90)
    rejects([0x30, 0x02, 0x00, 0x00], 4, 'PROTOCOL_ERROR', 0x90)
    rejects([0x30, 0x03, 0x00, 0x00, 0x00], 5, 'PROTOCOL_ERROR', 0x90) // MQTT 5, but no Topic Alias
    expect(decodePacket(new Uint8Array([0x30, 0x06, 0x00, 0x00, 0x03, 0x23, 0x00, 0x05]), 5)).toMatchObject({ topic: '', properties: { topicAlias: 5 } })
  })

  it('properties not allowed on the packet, repeated, unknown, zero where forbidden, or overrunning', () => {
    rejects([0x40, 0x07, 0x00, 0x01, 0x00, 0x03, 0x23, 0x00, 0x01], 5, 'PROTOCOL_ERROR', 0x82) // Topic Alias on PUBACK
    rejects([0x20, 0x0d, 0x00, 0x00, 0x0a, 0x11, 0, 0, 0, 1, 0x11, 0, 0, 0, 2], 5, 'PROTOCOL_ERROR', 0x82) // Session Expiry twice [MQTT-2.2.2-2]
    rejects([0x40, 0x05, 0x00, 0x01, 0x00, 0x01, 0x7f], 5, 'MALFORMED_PACKET') // unknown identifier 0x7f
    rejects([0x30, 0x08, 0x00, 0x01, 0x61, 0x03, 0x23, 0x00, 0x00, 0x41], 5, 'PROTOCOL_ERROR') // Topic Alias 0
    rejects([0x20, 0x06, 0x00, 0x00, 0x03, 0x21, 0x00, 0x00], 5, 'PROTOCOL_ERROR') // Receive Maximum 0
    rejects([0x20, 0x05, 0x00, 0x00, 0x02, 0x24, 0x02], 5, 'PROTOCOL_ERROR') // Maximum QoS 2
    rejects([0x40, 0x06, 0x00, 0x01, 0x00, 0x09, 0x1f, 0x00], 5, 'MALFORMED_PACKET') // Property Length past the end
    rejects([0x40, 0x08, 0x00, 0x01, 0x00, 0x04, 0x1f, 0x00, 0x05, 0x61], 5, 'MALFORMED_PACKET') // string past the properties
  })

  it('truncated fields and trailing bytes', () => {
    rejects([0x30, 0x03, 0x00, 0x05, 0x61], 4, 'MALFORMED_PACKET') // topic length 5, 1 byte there
    rejects([0x40, 0x01, 0x00], 4, 'MALFORMED_PACKET') // PUBACK without its Packet Identifier
    rejects([0x40, 0x03, 0x00, 0x01, 0x00], 4, 'MALFORMED_PACKET') // 3.1.1 PUBACK with a trailing byte
    rejects([0xc0, 0x01, 0x00], 4, 'MALFORMED_PACKET') // PINGREQ with a body
  })

  it('CONNECT with bad flags or an unknown protocol', () => {
    const connect = (flags: number, name = [0x00, 0x04, 0x4d, 0x51, 0x54, 0x54], level = 4) =>
      [0x10, name.length + 6, ...name, level, flags, 0x00, 0x3c, 0x00, 0x00]
    rejects(connect(0x03), 4, 'MALFORMED_PACKET') // reserved bit [MQTT-3.1.2-3]
    rejects(connect(0x0a), 4, 'MALFORMED_PACKET') // Will QoS without Will [MQTT-3.1.2-11]
    rejects(connect(0x1e), 4, 'MALFORMED_PACKET') // Will QoS 3
    rejects(connect(0x42), 4, 'MALFORMED_PACKET') // password without user name [MQTT-3.1.2-22]
    rejects(connect(0x02, [0x00, 0x04, 0x4d, 0x51, 0x54, 0x54], 6), 4, 'PROTOCOL_ERROR', 0x84)
    rejects(connect(0x02, [0x00, 0x04, 0x4d, 0x51, 0x54, 0x53]), 4, 'PROTOCOL_ERROR', 0x84)
  })

  it('SUBSCRIBE / UNSUBSCRIBE without filters, bad options; SUBACK with reserved codes', () => {
    rejects([0x82, 0x02, 0x00, 0x01], 4, 'PROTOCOL_ERROR') // [MQTT-3.8.3-3]
    rejects([0xa2, 0x02, 0x00, 0x01], 4, 'PROTOCOL_ERROR') // [MQTT-3.10.3-2]
    rejects([0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x03], 4, 'MALFORMED_PACKET') // QoS 3
    rejects([0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x04], 4, 'MALFORMED_PACKET') // 3.1.1 reserved bits
    rejects([0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 0x61, 0x40], 5, 'MALFORMED_PACKET') // bit 6 [MQTT-3.8.3-5]
    rejects([0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, 0x61, 0x30], 5, 'PROTOCOL_ERROR') // Retain Handling 3
    rejects([0x90, 0x03, 0x00, 0x01, 0x03], 4, 'MALFORMED_PACKET') // [MQTT-3.9.3-2]
  })
})

describe('encoding rejects, with a typed error', () => {
  const codeOf = (p: unknown, version: ProtocolVersion = 5) => {
    try {
      encode(p as Packet, version)
    } catch (e) {
      expect(e).toBeInstanceOf(MqttError)
      return (e as MqttError).code
    }
    return 'ok'
  }
  const pub = { type: 'publish', topic: 'a', payload: new Uint8Array(0), qos: 1, retain: false, dup: false, packetId: 1 }

  it('invalid QoS, Packet Identifier, topics, strings, properties and versions', () => {
    expect(codeOf({ ...pub, qos: 3 })).toBe('INVALID_QOS')
    expect(codeOf({ ...pub, packetId: 0 })).toBe('INVALID_ARGUMENT')
    expect(codeOf({ ...pub, packetId: 65536 })).toBe('INVALID_ARGUMENT')
    expect(codeOf({ ...pub, topic: 'a/#' })).toBe('INVALID_TOPIC')
    expect(codeOf({ ...pub, topic: '' }, 4)).toBe('INVALID_TOPIC')
    expect(codeOf({ ...pub, topic: '' })).toBe('INVALID_TOPIC')
    expect(codeOf({ ...pub, topic: '', properties: { topicAlias: 2 } })).toBe('ok')
    expect(codeOf({ ...pub, topic: 'a\ud800' })).toBe('INVALID_TOPIC') // lone surrogate [MQTT-1.5.4-1]
    expect(codeOf({ type: 'connect', clientId: 'a\udc00', clean: true, keepalive: 0 })).toBe('INVALID_ARGUMENT')
    expect(codeOf({ ...pub, topic: 'x'.repeat(65_536) })).toBe('INVALID_TOPIC')
    expect(codeOf({ ...pub, properties: { sessionExpiryInterval: 1 } })).toBe('INVALID_ARGUMENT')
    expect(codeOf({ ...pub, properties: { topicAlias: 0 } })).toBe('INVALID_ARGUMENT')
    expect(codeOf({ ...pub, properties: { noSuchProperty: 1 } })).toBe('INVALID_ARGUMENT')
    expect(codeOf({ type: 'subscribe', packetId: 1, subscriptions: [] })).toBe('INVALID_ARGUMENT')
    expect(codeOf({ type: 'subscribe', packetId: 1, subscriptions: [{ filter: 'a/#/b', qos: 0 }] })).toBe('INVALID_TOPIC')
    expect(codeOf({ type: 'subscribe', packetId: 1, subscriptions: [{ filter: '$share/g/a', qos: 0, noLocal: true }] })).toBe('INVALID_ARGUMENT')
    expect(codeOf({ type: 'connect', clientId: 'c', clean: true, keepalive: 10, password: new Uint8Array(1) }, 4)).toBe('INVALID_ARGUMENT')
    expect(codeOf({ type: 'auth', reasonCode: 0x18 }, 4)).toBe('INVALID_ARGUMENT')
    expect(codeOf({ type: 'connect', clientId: '', clean: true, keepalive: 0 }, 3)).toBe('INVALID_ARGUMENT')
    expect(codeOf({ type: 'pingreq' }, 6 as ProtocolVersion)).toBe('INVALID_ARGUMENT')
    expect(codeOf({ ...pub, payload: 'text' })).toBe('INVALID_ARGUMENT')
  })

  it('a Remaining Length beyond 268,435,455', () => {
    // A stand-in that claims 256 MiB, so the test allocates nothing: encodedLength only measures.
    const payload = Object.defineProperty(Object.create(Uint8Array.prototype), 'length', { value: 268_435_456 }) as Uint8Array
    const huge = { ...pub, payload }
    expect(() => encodedLength(huge as Packet, 4)).toThrow(expect.objectContaining({ code: 'PACKET_TOO_LARGE' }))
  })
})

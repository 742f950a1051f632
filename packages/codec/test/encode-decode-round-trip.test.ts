import { describe, expect, it } from 'vitest'
import {
  ConnectReturnCode, Parser, ReasonCode, decodePacket, encode, encodeInto, encodeMany, encodedLength, type Packet, type ProtocolVersion,
} from '@isomqtt/codec'

const bytes = (s: string) => new TextEncoder().encode(s)

function samples(version: ProtocolVersion): Packet[] {
  const v5 = version === 5
  const list: Packet[] = [
    {
      type: 'connect', protocolVersion: version, clientId: 'client-ü', clean: true, keepalive: 30, username: 'user', password: bytes('secret'),
      will: { topic: 'will/t', payload: bytes('bye'), qos: 1, retain: true, ...(v5 ? { properties: { willDelayInterval: 5, contentType: 'text/plain' } } : {}) },
      ...(v5 ? { properties: { sessionExpiryInterval: 60, receiveMaximum: 10, userProperties: [['a', '1'], ['a', '2']] as [string, string][] } } : {}),
    },
    { type: 'connack', sessionPresent: version !== 3, reasonCode: v5 ? ReasonCode.Success : ConnectReturnCode.Accepted, ...(v5 ? { properties: { topicAliasMaximum: 10, maximumQoS: 1 as const } } : {}) },
    { type: 'publish', topic: 'a/b', payload: bytes('hello'), qos: 0, retain: false, dup: false },
    { type: 'publish', topic: 'a/ü/c', payload: new Uint8Array(300).fill(7), qos: 1, retain: true, dup: true, packetId: 42, ...(v5 ? { properties: { topicAlias: 3, subscriptionIdentifiers: [1, 300], correlationData: bytes('x') } } : {}) },
    { type: 'puback', packetId: 1, ...(v5 ? { reasonCode: 0 } : {}) },
    { type: 'pubrec', packetId: 2, ...(v5 ? { reasonCode: ReasonCode.NoMatchingSubscribers } : {}) },
    { type: 'pubrel', packetId: 3, ...(v5 ? { reasonCode: 0x92, properties: { reasonString: 'gone' } } : {}) },
    { type: 'pubcomp', packetId: 65535, ...(v5 ? { reasonCode: 0 } : {}) },
    { type: 'subscribe', packetId: 7, subscriptions: v5
      ? [{ filter: 'a/+', qos: 1, noLocal: true, retainAsPublished: false, retainHandling: 2 }, { filter: '$share/g/x/#', qos: 2, noLocal: false, retainAsPublished: true, retainHandling: 0 }]
      : [{ filter: 'a/+', qos: 1 }, { filter: '#', qos: 2 }], ...(v5 ? { properties: { subscriptionIdentifier: 9 } } : {}) },
    { type: 'suback', packetId: 7, reasonCodes: [1, 0x80] },
    { type: 'unsubscribe', packetId: 8, filters: ['a/+', 'b'] },
    { type: 'unsuback', packetId: 8, ...(v5 ? { reasonCodes: [0, 0x11] } : {}) },
    { type: 'pingreq' },
    { type: 'pingresp' },
    { type: 'disconnect', ...(v5 ? { reasonCode: 0x04, properties: { sessionExpiryInterval: 0 } } : {}) },
  ]
  if (v5) list.push({ type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: 'SCRAM', authenticationData: bytes('d') } })
  return list
}

describe.each([3, 4, 5] as const)('MQTT version %i', (version) => {
  it('decodes what it encodes, for every packet type', () => {
    for (const packet of samples(version)) {
      const wire = encode(packet, version)
      expect(wire.length).toBe(encodedLength(packet, version))
      expect(decodePacket(wire, version)).toEqual(packet)
    }
  })

  it('encodeInto writes the same bytes at an offset, and writes nothing when they do not fit', () => {
    for (const packet of samples(version)) {
      const wire = encode(packet, version)
      const target = new Uint8Array(wire.length + 5).fill(0xee)
      expect(encodeInto(packet, version, target, 6)).toBe(-1)
      expect(target.every((b) => b === 0xee)).toBe(true)
      expect(encodeInto(packet, version, target, 2)).toBe(wire.length + 2)
      expect(Array.from(target.subarray(2, wire.length + 2))).toEqual(Array.from(wire))
      expect(Array.from(target.subarray(wire.length + 2))).toEqual([0xee, 0xee, 0xee])
    }
  })

  it('parses encodeMany output pushed one byte at a time', () => {
    const packets = samples(version)
    const wire = encodeMany(packets, version)
    const parser = new Parser({ version })
    const out: Packet[] = []
    for (let i = 0; i < wire.length; i++) out.push(...parser.push(wire.subarray(i, i + 1)))
    expect(out).toEqual(packets)
    expect(parser.hasPartial()).toBe(false)
  })
})

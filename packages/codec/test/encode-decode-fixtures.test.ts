// Annotated wire fixtures for every packet type of MQTT 3.1, 3.1.1 and 5.0, each checked four ways:
// decode, encode, round trip, and decode of the bytes split at every position.

import { describe, expect, it } from 'vitest'
import { Parser, PROPERTY_IDS, decodePacket, encode, encodedLength, type Packet } from '@isomqtt/codec'
import type { Fixture } from './fixtures/fixture.js'
import { mqtt31 } from './fixtures/mqtt-3.1.js'
import { mqtt311 } from './fixtures/mqtt-3.1.1.js'
import { mqtt5 } from './fixtures/mqtt-5.0.js'

const all: Fixture[] = [...mqtt31, ...mqtt311, ...mqtt5]

describe.each(all.map((f) => [`MQTT ${f.version === 3 ? '3.1' : f.version === 4 ? '3.1.1' : '5.0'}: ${f.name}`, f] as const))('%s', (_, f) => {
  const wire = new Uint8Array(f.bytes)

  it('decodes', () => {
    expect(decodePacket(wire, f.version)).toEqual(f.packet)
  })

  it('encodes to exactly these bytes', () => {
    expect([...encode(f.packet, f.version)]).toEqual(f.bytes)
    expect(encodedLength(f.packet, f.version)).toBe(f.bytes.length)
  })

  it('round-trips', () => {
    const again = decodePacket(encode(f.packet, f.version), f.version)
    expect(again).toEqual(f.packet)
    expect([...encode(again, f.version)]).toEqual(f.bytes)
  })

  it('decodes when split at every position', () => {
    for (let cut = 1; cut < wire.length; cut++) {
      const parser = new Parser({ version: f.version })
      expect(parser.push(wire.slice(0, cut))).toEqual([])
      expect(parser.push(wire.slice(cut))).toEqual([f.packet])
    }
  })
})

describe('MQTT 5 property coverage of the fixtures', () => {
  // Where each property may appear (MQTT 5 §2.2.2.2 Table 2-4); 'will' is CONNECT's Will Properties.
  const allowed: Record<string, string[]> = {
    payloadFormatIndicator: ['publish', 'will'], messageExpiryInterval: ['publish', 'will'], contentType: ['publish', 'will'],
    responseTopic: ['publish', 'will'], correlationData: ['publish', 'will'], subscriptionIdentifiers: ['publish'],
    subscriptionIdentifier: ['subscribe'], sessionExpiryInterval: ['connect', 'connack', 'disconnect'], assignedClientIdentifier: ['connack'],
    serverKeepAlive: ['connack'], authenticationMethod: ['connect', 'connack', 'auth'], authenticationData: ['connect', 'connack', 'auth'],
    requestProblemInformation: ['connect'], willDelayInterval: ['will'], requestResponseInformation: ['connect'], responseInformation: ['connack'],
    serverReference: ['connack', 'disconnect'],
    reasonString: ['connack', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'suback', 'unsuback', 'disconnect', 'auth'],
    receiveMaximum: ['connect', 'connack'], topicAliasMaximum: ['connect', 'connack'], topicAlias: ['publish'], maximumQoS: ['connack'],
    retainAvailable: ['connack'],
    userProperties: ['connect', 'will', 'connack', 'publish', 'puback', 'pubrec', 'pubrel', 'pubcomp', 'subscribe', 'suback', 'unsubscribe', 'unsuback', 'disconnect', 'auth'],
    maximumPacketSize: ['connect', 'connack'], wildcardSubscriptionAvailable: ['connack'], subscriptionIdentifiersAvailable: ['connack'],
    sharedSubscriptionAvailable: ['connack'],
  }

  it('lists every property the codec knows', () => {
    expect(Object.keys(allowed).sort()).toEqual([...PROPERTY_IDS.keys()].sort())
  })

  it('carry every property on every packet that may carry it', () => {
    const seen = new Set<string>()
    for (const f of mqtt5) {
      const p = f.packet as Packet & { properties?: object; will?: { properties?: object } }
      for (const k of Object.keys(p.properties ?? {})) seen.add(`${p.type}.${k}`)
      for (const k of Object.keys(p.will?.properties ?? {})) seen.add(`will.${k}`)
    }
    const missing = Object.entries(allowed).flatMap(([k, where]) => where.map((w) => `${w}.${k}`)).filter((x) => !seen.has(x))
    expect(missing).toEqual([])
  })
})

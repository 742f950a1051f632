// fast-check arbitraries of valid packets, in the exact shape the decoder produces (so a round trip
// compares with toEqual). `compat` narrows them to what mqtt-packet can also represent and parse.

import fc from 'fast-check'
import type { Packet, ProtocolVersion, UserProperty } from '@isomqtt/codec'

/** mqtt-packet's own reason-code tables: its parser rejects codes outside them. */
const PUBACK_CODES = [0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x97, 0x99]
const PUBREL_CODES = [0x00, 0x92]
const SUBACK5_CODES = [0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2]
const UNSUBACK_CODES = [0x00, 0x11, 0x80, 0x83, 0x87, 0x8f, 0x91]
const DISCONNECT_CODES = [0x00, 0x04, 0x80, 0x81, 0x82, 0x83, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x8f, 0x90, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2]
const AUTH_CODES = [0x00, 0x18, 0x19]

/** Well-formed strings without U+0000: ASCII mostly, some multi-byte and astral characters. */
export const text = (maxLength = 12): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength }) },
  ).map((s) => s.replaceAll('\u0000', ''))

const level = fc.oneof(fc.constantFrom('a', 'b', 'sensors', 'ü', '€', '😀', ''), fc.stringMatching(/^[a-z0-9_$ -]{1,8}$/))

/** Valid Topic Names: one or more levels, no wildcards. */
export const topicName: fc.Arbitrary<string> = fc.array(level, { minLength: 1, maxLength: 5 }).map((l) => l.join('/')).filter((t) => t.length > 0)

/** Valid Topic Filters, '+' and a final '#' included. */
export const topicFilter: fc.Arbitrary<string> = fc
  .tuple(fc.array(fc.oneof(level, fc.constant('+')), { minLength: 1, maxLength: 5 }), fc.boolean())
  .map(([levels, hash]) => (hash ? [...levels, '#'] : levels).join('/'))
  .filter((t) => t.length > 0)

export const bytes = (maxLength = 64): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength })
const u16 = fc.integer({ min: 0, max: 0xffff })
const u32 = fc.integer({ min: 0, max: 0xffffffff })
const id = fc.integer({ min: 1, max: 0xffff })
const qos = fc.constantFrom(0 as const, 1 as const, 2 as const)

function userProperties(compat: boolean): fc.Arbitrary<UserProperty[]> {
  // mqtt-packet keeps user properties in an object: names must be unique and not integer-like.
  return compat
    ? fc.uniqueArray(fc.tuple(text(6).map((s) => `k${s}`), text(8)), { minLength: 1, maxLength: 3, selector: (p) => p[0] })
    : fc.array(fc.tuple(text(6), text(8)), { minLength: 1, maxLength: 4 })
}

function props<T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T | undefined> {
  return fc
    .record(model, { requiredKeys: [] })
    .map((o) => (Object.keys(o).length === 0 ? undefined : (o as T)))
}

function ackProps(compat: boolean) {
  return props({ reasonString: text(), userProperties: userProperties(compat) })
}

/** Random valid packets of every type for `version`. */
export function packetArb(version: ProtocolVersion, compat = false): fc.Arbitrary<Packet> {
  const v5 = version === 5
  const opt = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => (v5 ? a : fc.constant(undefined))
  const rc = (codes: number[]) => (compat ? fc.constantFrom(...codes) : fc.integer({ min: 0, max: 255 }))
  const up = userProperties(compat)

  const will = fc.record({
    topic: topicName, payload: bytes(), qos, retain: fc.boolean(),
    properties: opt(props({
      willDelayInterval: u32, payloadFormatIndicator: fc.boolean(), messageExpiryInterval: u32, contentType: text(),
      responseTopic: topicName, correlationData: bytes(16), userProperties: up,
    })),
  }, { requiredKeys: ['topic', 'payload', 'qos', 'retain'] })

  const connect = fc.record({
    type: fc.constant('connect' as const), protocolVersion: fc.constant(version),
    clientId: version === 3 || compat ? text(23).filter((s) => s.length > 0) : text(23),
    clean: fc.boolean(), keepalive: u16,
    username: fc.option(text(), { nil: undefined }), password: fc.option(bytes(16), { nil: undefined }),
    will: fc.option(will, { nil: undefined }),
    properties: opt(props({
      sessionExpiryInterval: u32, receiveMaximum: id, maximumPacketSize: fc.integer({ min: 1, max: 0xffffffff }), topicAliasMaximum: u16,
      requestResponseInformation: fc.boolean(), requestProblemInformation: fc.boolean(), userProperties: up,
      authenticationMethod: text(), authenticationData: bytes(16),
    })),
  }).map((p) => (p.password !== undefined && p.username === undefined && (!v5 || compat) ? { ...p, username: 'u' } : p))

  const connack = fc.record({
    type: fc.constant('connack' as const), sessionPresent: version === 3 ? fc.constant(false) : fc.boolean(),
    reasonCode: v5 ? fc.integer({ min: 0, max: 255 }) : fc.integer({ min: 0, max: 5 }),
    properties: opt(props({
      sessionExpiryInterval: u32, receiveMaximum: id, maximumQoS: fc.constantFrom(0 as const, 1 as const), retainAvailable: fc.boolean(),
      maximumPacketSize: fc.integer({ min: 1, max: 0xffffffff }), assignedClientIdentifier: text(), topicAliasMaximum: u16, reasonString: text(),
      userProperties: up, wildcardSubscriptionAvailable: fc.boolean(), subscriptionIdentifiersAvailable: fc.boolean(),
      sharedSubscriptionAvailable: fc.boolean(), serverKeepAlive: u16, responseInformation: text(), serverReference: text(),
      authenticationMethod: text(), authenticationData: bytes(16),
    })),
  })

  const publish = fc.record({
    type: fc.constant('publish' as const), topic: topicName, payload: bytes(300), qos, retain: fc.boolean(), dup: fc.boolean(),
    packetId: id,
    properties: opt(props({
      payloadFormatIndicator: fc.boolean(), messageExpiryInterval: u32, topicAlias: id, responseTopic: topicName,
      correlationData: bytes(16), userProperties: up, contentType: text(),
      subscriptionIdentifiers: fc.array(fc.integer({ min: 1, max: 268_435_455 }), { minLength: 1, maxLength: 3 }),
    })),
  }).map((p) => (p.qos === 0 ? { ...p, dup: false, packetId: undefined } : p))

  const ack = (type: 'puback' | 'pubrec' | 'pubrel' | 'pubcomp', codes: number[]) =>
    fc.record({ type: fc.constant(type), packetId: id, reasonCode: opt(rc(codes)), properties: opt(ackProps(compat)) })

  const subscription = v5
    ? fc.record({ filter: topicFilter, qos, noLocal: fc.boolean(), retainAsPublished: fc.boolean(), retainHandling: fc.constantFrom(0 as const, 1 as const, 2 as const) })
    : fc.record({ filter: topicFilter, qos })

  const arbs: fc.Arbitrary<Packet>[] = [
    connect, connack, publish,
    ack('puback', PUBACK_CODES), ack('pubrec', PUBACK_CODES), ack('pubrel', PUBREL_CODES), ack('pubcomp', PUBREL_CODES),
    fc.record({
      type: fc.constant('subscribe' as const), packetId: id, subscriptions: fc.array(subscription, { minLength: 1, maxLength: 4 }),
      properties: opt(props({ subscriptionIdentifier: fc.integer({ min: 1, max: 268_435_455 }), userProperties: up })),
    }),
    fc.record({
      type: fc.constant('suback' as const), packetId: id,
      reasonCodes: fc.array(v5 ? rc(SUBACK5_CODES) : fc.constantFrom(0, 1, 2, 0x80), { minLength: 1, maxLength: 4 }),
      properties: opt(ackProps(compat)),
    }),
    fc.record({
      type: fc.constant('unsubscribe' as const), packetId: id, filters: fc.array(topicFilter, { minLength: 1, maxLength: 4 }),
      properties: opt(props({ userProperties: up })),
    }),
    fc.record({
      type: fc.constant('unsuback' as const), packetId: id,
      reasonCodes: opt(fc.array(rc(UNSUBACK_CODES), { minLength: 1, maxLength: 4 })), properties: opt(ackProps(compat)),
    }),
    fc.constant({ type: 'pingreq' as const }),
    fc.constant({ type: 'pingresp' as const }),
    fc.record({
      type: fc.constant('disconnect' as const), reasonCode: opt(rc(DISCONNECT_CODES)),
      properties: opt(props({ sessionExpiryInterval: u32, reasonString: text(), userProperties: up, serverReference: text() })),
    }),
  ]
  if (v5) {
    arbs.push(
      fc.record({
        type: fc.constant('auth' as const), reasonCode: rc(AUTH_CODES),
        properties: props({ authenticationMethod: text(), authenticationData: bytes(16), reasonString: text(), userProperties: up }),
      // mqtt-packet cannot parse the short AUTH (no Reason Code) that MQTT 5 allows for 0x00 without properties.
      }).filter((p) => !compat || p.reasonCode !== 0 || p.properties !== undefined),
    )
  }
  return fc.oneof(...arbs)
}

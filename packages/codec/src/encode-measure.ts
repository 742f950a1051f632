// First encoding pass: validates a packet and computes its wire size once. The sizes the second pass
// needs (Remaining Length, Property Lengths) go into a scratch table so nothing is computed twice.

import { MqttError } from './errors.js'
import type { Packet, QoS } from './packets.js'
import { propertiesLength, propertiesSize, WILL } from './properties.js'
import { topicNameLength, validateTopicFilter, validateTopicName } from './topic.js'
import { utf8Length } from './utf8.js'
import { MAX_VARINT, varintSize } from './varint.js'

/** Per packet: [Remaining Length, Property Length, Will Property Length], indexed by slot * 3. */
export let scratch = new Int32Array(3 * 64)

/** Makes room in `scratch` for `n` packets. */
export function reserveSlots(n: number): void {
  if (scratch.length < n * 3) scratch = new Int32Array(n * 3 * 2)
}

function invalid(message: string): MqttError {
  return new MqttError('INVALID_ARGUMENT', message)
}

/** Throws unless `qos` is 0, 1 or 2 [MQTT-3.3.1-4]. */
export function checkQoS(qos: QoS): void {
  if (qos !== 0 && qos !== 1 && qos !== 2) throw new MqttError('INVALID_QOS', `QoS must be 0, 1 or 2, got ${String(qos)} [MQTT-3.3.1-4]`)
}

function checkPacketId(id: number | undefined): void {
  // Non-zero 16-bit [MQTT-2.3.1-1].
  if (typeof id !== 'number' || (id & 0xffff) !== id || id === 0) throw invalid(`Packet Identifier must be 1..65535, got ${String(id)} [MQTT-2.3.1-1]`)
}

function checkByte(rc: number, what: string): void {
  if (typeof rc !== 'number' || (rc & 0xff) !== rc) throw invalid(`${what} must be 0..255, got ${String(rc)}`)
}

function binaryLength(b: Uint8Array, what: string): number {
  if (!(b instanceof Uint8Array)) throw invalid(`${what} must be a Uint8Array`)
  if (b.length > 0xffff) throw invalid(`${what} exceeds 65535 bytes [MQTT-1.5.6]`)
  return 2 + b.length
}

/** Short form of PUBACK/PUBREC/PUBREL/PUBCOMP in MQTT 5 (§3.4.2.1): omit what equals the default. */
function ackLength(reasonCode: number | undefined, propsLen: number): number {
  if (propsLen > 0) return 3 + propsSize(propsLen)
  return reasonCode === undefined || reasonCode === 0 ? 2 : 3
}

const propsSize = propertiesSize

function measureConnect(p: Extract<Packet, { type: 'connect' }>, version: number, slot: number): number {
  // MQTT 3.1 has no empty Client Identifier (3.1 §3.1: 1 to 23 characters); 3.1.1 allows one [MQTT-3.1.3-6].
  if (version === 3 && p.clientId.length === 0) throw invalid('MQTT 3.1 needs a Client Identifier')
  let len = (version === 3 ? 8 : 6) + 4 + 2 + utf8Length(p.clientId)
  if (typeof p.keepalive !== 'number' || (p.keepalive & 0xffff) !== p.keepalive) throw invalid('Keep Alive must be 0..65535 [MQTT-3.1.2.10]')
  if (version === 5) len += measureProperties(p.properties, 1, slot)
  const w = p.will
  if (w !== undefined) {
    checkQoS(w.qos)
    validateTopicName(w.topic)
    len += 2 + utf8Length(w.topic) + binaryLength(w.payload, 'Will Payload')
    if (version === 5) {
      const wl = propertiesLength(w.properties, WILL)
      scratch[slot + 2] = wl
      len += propsSize(wl)
    }
  }
  if (p.username !== undefined) len += 2 + utf8Length(p.username)
  if (p.password !== undefined) {
    // A password without a user name is only allowed from MQTT 5 on [MQTT-3.1.2-22].
    if (p.username === undefined && version !== 5) throw invalid('A password needs a user name before MQTT 5 [MQTT-3.1.2-22]')
    len += binaryLength(p.password, 'Password')
  }
  return len
}

function measurePublish(p: Extract<Packet, { type: 'publish' }>, version: number, slot: number): number {
  const qos = p.qos
  checkQoS(qos)
  const topic = p.topic
  // An empty Topic Name needs a Topic Alias [MQTT-3.3.2-1]; wildcards are never allowed [MQTT-3.3.2-2].
  const payload = p.payload
  if (!(payload instanceof Uint8Array)) throw invalid('PUBLISH payload must be a Uint8Array')
  let len = 2 + payload.length
  if (version !== 5 || topic.length !== 0) len += topicNameLength(topic)
  else if (p.properties?.topicAlias === undefined) throw new MqttError('INVALID_TOPIC', 'Topic Name is empty and there is no Topic Alias [MQTT-3.3.2-1]')
  if (qos > 0) {
    checkPacketId(p.packetId)
    len += 2
  } else if (p.dup) {
    throw invalid('DUP must be 0 for QoS 0 [MQTT-3.3.1-2]')
  }
  if (version === 5) {
    const pl = p.properties === undefined ? 0 : propertiesLength(p.properties, 3)
    scratch[slot + 1] = pl
    len += pl < 128 ? pl + 1 : propsSize(pl)
  }
  return len
}

/** Records a packet's Property Length in its scratch slot; returns the bytes it takes with its own length. */
function measureProperties(properties: object | undefined, packetType: number, slot: number): number {
  const pl = propertiesLength(properties, packetType)
  scratch[slot + 1] = pl
  return propsSize(pl)
}

/** Validates `p` and returns its Remaining Length; fills scratch[slot..slot+2]. `slot` is a multiple of 3. */
export function measure(p: Packet, version: number, slot: number): number {
  let len: number
  switch (p.type) {
    case 'publish': len = measurePublish(p, version, slot); break
    case 'puback': case 'pubrec': case 'pubrel': case 'pubcomp': {
      checkPacketId(p.packetId)
      if (version === 5) {
        if (p.reasonCode !== undefined) checkByte(p.reasonCode, 'Reason Code')
        const pl = propertiesLength(p.properties, TYPE_NUMBER[p.type])
        scratch[slot + 1] = pl
        len = ackLength(p.reasonCode, pl)
      } else {
        len = 2
      }
      break
    }
    case 'connect': len = measureConnect(p, version, slot); break
    case 'connack':
      checkByte(p.reasonCode, 'Reason Code')
      len = 2
      if (version === 5) {
        len += measureProperties(p.properties, 2, slot)
      }
      break
    case 'subscribe': {
      checkPacketId(p.packetId)
      const subs = p.subscriptions
      if (subs.length === 0) throw invalid('SUBSCRIBE needs at least one topic filter [MQTT-3.8.3-3]')
      len = 2
      if (version === 5) {
        len += measureProperties(p.properties, 8, slot)
      }
      for (let i = 0; i < subs.length; i++) {
        const s = subs[i]!
        checkQoS(s.qos)
        validateTopicFilter(s.filter)
        if (s.retainHandling !== undefined && s.retainHandling !== 0 && s.retainHandling !== 1 && s.retainHandling !== 2) {
          throw invalid('Retain Handling must be 0, 1 or 2 (MQTT 5 §3.8.3.1)')
        }
        // No Local on a Shared Subscription is a Protocol Error [MQTT-3.8.3-4].
        if (version === 5 && s.noLocal === true && s.filter.startsWith('$share/')) throw invalid('No Local must not be set on a shared subscription [MQTT-3.8.3-4]')
        len += 3 + utf8Length(s.filter)
      }
      break
    }
    case 'suback': {
      checkPacketId(p.packetId)
      const codes = p.reasonCodes
      for (let i = 0; i < codes.length; i++) checkByte(codes[i]!, 'SUBACK Reason Code')
      len = 2 + codes.length
      if (version === 5) {
        len += measureProperties(p.properties, 9, slot)
      }
      break
    }
    case 'unsubscribe': {
      checkPacketId(p.packetId)
      const filters = p.filters
      if (filters.length === 0) throw invalid('UNSUBSCRIBE needs at least one topic filter [MQTT-3.10.3-2]')
      len = 2
      if (version === 5) {
        len += measureProperties(p.properties, 10, slot)
      }
      for (let i = 0; i < filters.length; i++) {
        validateTopicFilter(filters[i]!)
        len += 2 + utf8Length(filters[i]!)
      }
      break
    }
    case 'unsuback':
      checkPacketId(p.packetId)
      len = 2
      if (version === 5) {
        const codes = p.reasonCodes ?? []
        for (let i = 0; i < codes.length; i++) checkByte(codes[i]!, 'UNSUBACK Reason Code')
        const pl = propertiesLength(p.properties, 11)
        scratch[slot + 1] = pl
        len += propsSize(pl) + codes.length
      }
      break
    case 'pingreq': case 'pingresp': len = 0; break
    case 'disconnect': case 'auth':
      if (version !== 5) {
        if (p.type === 'auth') throw invalid('AUTH exists only in MQTT 5')
        len = 0
        break
      }
      if (p.reasonCode !== undefined) checkByte(p.reasonCode, 'Reason Code')
      {
        const pl = propertiesLength(p.properties, p.type === 'auth' ? 15 : 14)
        scratch[slot + 1] = pl
        // Reason Code and Property Length may be omitted when 0 / empty (§3.14.2.1, §3.15.2.1).
        len = pl > 0 ? 1 + propsSize(pl) : p.reasonCode === undefined || p.reasonCode === 0 ? 0 : 1
      }
      break
    default:
      throw invalid(`Unknown packet type '${String((p as { type: unknown }).type)}'`)
  }
  if (len > MAX_VARINT) throw new MqttError('PACKET_TOO_LARGE', `Remaining Length ${len} exceeds ${MAX_VARINT} [MQTT-1.5.5]`, { reasonCode: 0x95 })
  scratch[slot] = len
  return 1 + varintSize(len) + len
}

/** Control packet type numbers (§2.1.2). */
export const TYPE_NUMBER = {
  connect: 1, connack: 2, publish: 3, puback: 4, pubrec: 5, pubrel: 6, pubcomp: 7, subscribe: 8,
  suback: 9, unsubscribe: 10, unsuback: 11, pingreq: 12, pingresp: 13, disconnect: 14, auth: 15,
} as const

// Packet body decoders: one per control packet, reading from a ByteReader positioned on the body.
// Binary fields and PUBLISH payloads are views into the bytes handed in, never copies.

import type { ByteReader } from './byte-reader.js'
import { MalformedPacketError } from './errors.js'
import type {
  AckProperties, ConnackPacket, ConnectPacket, Packet, ProtocolVersion, PublishPacket, QoS, Subscription, Will,
} from './packets.js'
import { readProperties, WILL } from './properties.js'

function malformed(message: string): MalformedPacketError {
  return new MalformedPacketError(message)
}

function protocolError(message: string, reasonCode = 0x82): MalformedPacketError {
  return new MalformedPacketError(message, 'PROTOCOL_ERROR', reasonCode)
}

/** Rejects a first byte whose type is reserved or whose flags are not the spec's [MQTT-2.2.2-2]. */
export function checkFirstByte(first: number, version: ProtocolVersion): void {
  const type = first >> 4
  const flags = first & 0x0f
  switch (type) {
    case 3:
      if ((flags & 0x06) === 0x06) throw malformed('PUBLISH with QoS 3 [MQTT-3.3.1-4]')
      return
    case 6: case 8: case 10:
      // PUBREL, SUBSCRIBE, UNSUBSCRIBE have flags 0010 [MQTT-3.6.1-1] [MQTT-3.8.1-1] [MQTT-3.10.1-1];
      // MQTT 3.1 also let a resent one carry DUP.
      if (flags !== 2 && !(version === 3 && flags === 0x0a)) throw malformed(`Reserved flags of packet type ${type} must be 0010 [MQTT-2.2.2-2]`)
      return
    case 0:
      throw malformed('Packet type 0 is reserved [MQTT-2.2.1]')
    default:
      if (type === 15 && version !== 5) throw malformed('Packet type 15 (AUTH) is reserved before MQTT 5')
      if (flags !== 0) throw malformed(`Reserved flags of packet type ${type} must be 0 [MQTT-2.2.2-2]`)
  }
}

// Upper-case names for error messages, looked up rather than computed per packet.
const NAME = { puback: 'PUBACK', pubrec: 'PUBREC', pubrel: 'PUBREL', pubcomp: 'PUBCOMP', disconnect: 'DISCONNECT', auth: 'AUTH' } as const

function end(r: ByteReader, what: string): void {
  if (r.pos !== r.end) throw malformed(`${what} has ${r.end - r.pos} unexpected trailing bytes`)
}

function packetId(r: ByteReader): number {
  const id = r.u16('Packet Identifier')
  if (id === 0) throw malformed('Packet Identifier 0 [MQTT-2.3.1-1]')
  return id
}

function decodePublish(r: ByteReader, flags: number, version: ProtocolVersion): PublishPacket {
  const qos = ((flags >> 1) & 3) as QoS
  const dup = (flags & 8) !== 0
  if (dup && qos === 0) throw malformed('DUP set on a QoS 0 PUBLISH [MQTT-3.3.1-2]')
  const topic = r.utf8('Topic Name')
  const id = qos > 0 ? packetId(r) : undefined
  const properties = version === 5 ? readProperties(r, 3) : undefined
  if (topic.length === 0) {
    // Empty only with a Topic Alias in MQTT 5 [MQTT-3.3.2-1] [MQTT-4.7.3-1].
    if (properties?.topicAlias === undefined) throw protocolError('Empty Topic Name without a Topic Alias [MQTT-3.3.2-1]', 0x90)
  } else if (topic.indexOf('+') !== -1 || topic.indexOf('#') !== -1) {
    throw protocolError(`Topic Name '${topic}' contains a wildcard [MQTT-3.3.2-2]`, 0x90)
  }
  const payload = r.buf.subarray(r.pos, r.end)
  // One shape for every PUBLISH keeps the hot path monomorphic.
  return { type: 'publish', topic, payload, qos, retain: (flags & 1) !== 0, dup, packetId: id, properties }
}

function decodeConnect(r: ByteReader): ConnectPacket {
  const name = r.utf8('Protocol Name')
  const level = r.u8('Protocol Level')
  // "MQTT" level 4 or 5 [MQTT-3.1.2-1], or MQTT 3.1's "MQIsdp" level 3.
  if (!((name === 'MQTT' && (level === 4 || level === 5)) || (name === 'MQIsdp' && level === 3))) {
    throw protocolError(`Unsupported protocol ${name} level ${level} [MQTT-3.1.2-2]`, 0x84)
  }
  const version = level as ProtocolVersion
  const flags = r.u8('Connect Flags')
  if ((flags & 1) !== 0) throw malformed('Reserved Connect Flag is set [MQTT-3.1.2-3]')
  const willFlag = (flags & 0x04) !== 0
  const willQoS = (flags >> 3) & 3
  const willRetain = (flags & 0x20) !== 0
  if (willQoS === 3) throw malformed('Will QoS 3 [MQTT-3.1.2-12]')
  if (!willFlag && (willQoS !== 0 || willRetain)) throw malformed('Will QoS/Retain set without a Will [MQTT-3.1.2-11] [MQTT-3.1.2-13]')
  const hasUser = (flags & 0x80) !== 0
  const hasPassword = (flags & 0x40) !== 0
  if (hasPassword && !hasUser && version !== 5) throw malformed('Password without User Name [MQTT-3.1.2-22]')
  const keepalive = r.u16('Keep Alive')
  const packet: ConnectPacket = { type: 'connect', protocolVersion: version, clientId: '', clean: (flags & 2) !== 0, keepalive }
  if (version === 5) {
    const props = readProperties(r, 1)
    if (props !== undefined) packet.properties = props
  }
  packet.clientId = r.utf8('Client Identifier')
  if (willFlag) {
    const willProps = version === 5 ? readProperties(r, WILL) : undefined
    const will: Will = { topic: r.utf8('Will Topic'), payload: r.binary('Will Payload'), qos: willQoS as QoS, retain: willRetain }
    if (willProps !== undefined) will.properties = willProps
    packet.will = will
  }
  if (hasUser) packet.username = r.utf8('User Name')
  if (hasPassword) packet.password = r.binary('Password')
  end(r, 'CONNECT')
  return packet
}

function decodeConnack(r: ByteReader, version: ProtocolVersion): ConnackPacket {
  const flags = r.u8('Connect Acknowledge Flags')
  // Bits 7-1 are reserved [MQTT-3.2.2-1]; MQTT 3.1 had no flags at all.
  if (version !== 3 && (flags & 0xfe) !== 0) throw malformed('Reserved Connect Acknowledge Flags are set [MQTT-3.2.2-1]')
  const packet: ConnackPacket = { type: 'connack', sessionPresent: version !== 3 && flags === 1, reasonCode: r.u8('Connect Reason Code') }
  if (version === 5) {
    const props = readProperties(r, 2)
    if (props !== undefined) packet.properties = props
  }
  end(r, 'CONNACK')
  return packet
}

type AckType = 'puback' | 'pubrec' | 'pubrel' | 'pubcomp'

function decodeAck(r: ByteReader, type: AckType, typeNumber: number, version: ProtocolVersion): Packet {
  const id = packetId(r)
  if (version !== 5) {
    end(r, NAME[type])
    return { type, packetId: id }
  }
  // Reason Code and properties may be omitted (§3.4.2.1): absent means 0x00 Success.
  const reasonCode = r.pos < r.end ? r.u8('Reason Code') : 0
  const properties = r.pos < r.end ? (readProperties(r, typeNumber) as AckProperties | undefined) : undefined
  end(r, NAME[type])
  return { type, packetId: id, reasonCode, properties }
}

function decodeSubscribe(r: ByteReader, version: ProtocolVersion): Packet {
  const id = packetId(r)
  const properties = version === 5 ? readProperties(r, 8) : undefined
  const subscriptions: Subscription[] = []
  while (r.pos < r.end) {
    const filter = r.utf8('Topic Filter')
    const o = r.u8('Subscription Options')
    const qos = o & 3
    if (qos === 3) throw malformed('Subscription QoS 3 [MQTT-3.8.3-4]')
    if (version === 5) {
      // Bits 7-6 reserved [MQTT-3.8.3-5]; Retain Handling 3 is a Protocol Error (§3.8.3.1).
      if ((o & 0xc0) !== 0) throw malformed('Reserved Subscription Options bits are set [MQTT-3.8.3-5]')
      const retainHandling = (o >> 4) & 3
      if (retainHandling === 3) throw protocolError('Retain Handling 3 (§3.8.3.1)')
      subscriptions.push({ filter, qos: qos as QoS, noLocal: (o & 4) !== 0, retainAsPublished: (o & 8) !== 0, retainHandling: retainHandling as 0 | 1 | 2 })
    } else {
      if ((o & 0xfc) !== 0) throw malformed('Reserved bits of the Requested QoS byte are set [MQTT-3.8.3-4]')
      subscriptions.push({ filter, qos: qos as QoS })
    }
  }
  if (subscriptions.length === 0) throw protocolError('SUBSCRIBE without a Topic Filter [MQTT-3.8.3-3]')
  return properties === undefined ? { type: 'subscribe', packetId: id, subscriptions } : { type: 'subscribe', packetId: id, subscriptions, properties }
}

function readCodes(r: ByteReader): number[] {
  const codes: number[] = []
  while (r.pos < r.end) codes.push(r.buf[r.pos++]!)
  return codes
}

function decodeSuback(r: ByteReader, version: ProtocolVersion): Packet {
  const id = packetId(r)
  const properties = version === 5 ? (readProperties(r, 9) as AckProperties | undefined) : undefined
  const reasonCodes = readCodes(r)
  if (reasonCodes.length === 0) throw protocolError('SUBACK without a Reason Code (§3.9.3)')
  if (version !== 5) {
    for (const c of reasonCodes) {
      if (c > 2 && c !== 0x80) throw malformed(`SUBACK return code 0x${c.toString(16)} is reserved [MQTT-3.9.3-2]`)
    }
  }
  return properties === undefined ? { type: 'suback', packetId: id, reasonCodes } : { type: 'suback', packetId: id, reasonCodes, properties }
}

function decodeUnsubscribe(r: ByteReader, version: ProtocolVersion): Packet {
  const id = packetId(r)
  const properties = version === 5 ? readProperties(r, 10) : undefined
  const filters: string[] = []
  while (r.pos < r.end) filters.push(r.utf8('Topic Filter'))
  if (filters.length === 0) throw protocolError('UNSUBSCRIBE without a Topic Filter [MQTT-3.10.3-2]')
  return properties === undefined ? { type: 'unsubscribe', packetId: id, filters } : { type: 'unsubscribe', packetId: id, filters, properties }
}

function decodeUnsuback(r: ByteReader, version: ProtocolVersion): Packet {
  const id = packetId(r)
  if (version !== 5) {
    end(r, 'UNSUBACK')
    return { type: 'unsuback', packetId: id }
  }
  const properties = readProperties(r, 11) as AckProperties | undefined
  const reasonCodes = readCodes(r)
  if (reasonCodes.length === 0) throw protocolError('UNSUBACK without a Reason Code (§3.11.3)')
  return properties === undefined ? { type: 'unsuback', packetId: id, reasonCodes } : { type: 'unsuback', packetId: id, reasonCodes, properties }
}

function decodeDisconnectOrAuth(r: ByteReader, type: 'disconnect' | 'auth', version: ProtocolVersion): Packet {
  if (version !== 5) {
    end(r, 'DISCONNECT')
    return { type: 'disconnect' }
  }
  // Reason Code and properties may be omitted (§3.14.2.1, §3.15.2.1).
  const reasonCode = r.pos < r.end ? r.u8('Reason Code') : 0
  const properties = r.pos < r.end ? readProperties(r, type === 'auth' ? 15 : 14) : undefined
  end(r, NAME[type])
  return properties === undefined ? { type, reasonCode } : { type, reasonCode, properties }
}

/** Decodes the body `r` of a packet whose first byte (already checked) is `first`. */
export function decodeBody(r: ByteReader, first: number, version: ProtocolVersion): Packet {
  const type = first >> 4
  switch (type) {
    case 3: return decodePublish(r, first & 0x0f, version)
    case 4: return decodeAck(r, 'puback', 4, version)
    case 5: return decodeAck(r, 'pubrec', 5, version)
    case 6: return decodeAck(r, 'pubrel', 6, version)
    case 7: return decodeAck(r, 'pubcomp', 7, version)
    case 1: return decodeConnect(r)
    case 2: return decodeConnack(r, version)
    case 8: return decodeSubscribe(r, version)
    case 9: return decodeSuback(r, version)
    case 10: return decodeUnsubscribe(r, version)
    case 11: return decodeUnsuback(r, version)
    case 12: end(r, 'PINGREQ'); return { type: 'pingreq' }
    case 13: end(r, 'PINGRESP'); return { type: 'pingresp' }
    case 14: return decodeDisconnectOrAuth(r, 'disconnect', version)
    case 15: return decodeDisconnectOrAuth(r, 'auth', version)
    default: throw malformed(`Packet type ${type} is reserved [MQTT-2.2.1]`)
  }
}

// Second encoding pass: writes a measured packet into its place in the output buffer.

import type { Packet } from './packets.js'
import { writeProperties } from './properties.js'
import { writeUtf8 } from './utf8.js'
import { writeVarint } from './varint.js'
import { scratch, TYPE_NUMBER } from './encode-measure.js'

function writeU16(buf: Uint8Array, pos: number, n: number): number {
  buf[pos] = n >>> 8
  buf[pos + 1] = n & 0xff
  return pos + 2
}

function writeBinary(buf: Uint8Array, pos: number, b: Uint8Array): number {
  pos = writeU16(buf, pos, b.length)
  buf.set(b, pos)
  return pos + b.length
}

function writeHeader(buf: Uint8Array, pos: number, first: number, remaining: number): number {
  buf[pos] = first
  return remaining < 128 ? ((buf[pos + 1] = remaining), pos + 2) : writeVarint(buf, pos + 1, remaining)
}

const PROTOCOL_MQISDP = [0, 6, 0x4d, 0x51, 0x49, 0x73, 0x64, 0x70] // "MQIsdp" (3.1)
const PROTOCOL_MQTT = [0, 4, 0x4d, 0x51, 0x54, 0x54] // "MQTT" (3.1.1, 5.0) [MQTT-3.1.2-1]

function writeConnect(buf: Uint8Array, pos: number, p: Extract<Packet, { type: 'connect' }>, version: number, slot: number): number {
  const name = version === 3 ? PROTOCOL_MQISDP : PROTOCOL_MQTT
  for (let i = 0; i < name.length; i++) buf[pos++] = name[i]!
  buf[pos++] = version
  const w = p.will
  let flags = p.clean ? 0x02 : 0
  if (w !== undefined) flags |= 0x04 | (w.qos << 3) | (w.retain ? 0x20 : 0)
  if (p.password !== undefined) flags |= 0x40
  if (p.username !== undefined) flags |= 0x80
  buf[pos++] = flags
  pos = writeU16(buf, pos, p.keepalive)
  if (version === 5) pos = writeProperties(buf, pos, p.properties, scratch[slot + 1]!)
  pos = writeUtf8(buf, pos, p.clientId)
  if (w !== undefined) {
    if (version === 5) pos = writeProperties(buf, pos, w.properties, scratch[slot + 2]!)
    pos = writeUtf8(buf, pos, w.topic)
    pos = writeBinary(buf, pos, w.payload)
  }
  if (p.username !== undefined) pos = writeUtf8(buf, pos, p.username)
  if (p.password !== undefined) pos = writeBinary(buf, pos, p.password)
  return pos
}

/** Writes packet `p`, measured into scratch[slot..], at `pos`; returns the position after it. */
export function write(buf: Uint8Array, pos: number, p: Packet, version: number, slot: number): number {
  const remaining = scratch[slot]!
  switch (p.type) {
    case 'publish': {
      const qos = p.qos
      pos = writeHeader(buf, pos, 0x30 | (p.dup ? 8 : 0) | (qos << 1) | (p.retain ? 1 : 0), remaining)
      pos = writeUtf8(buf, pos, p.topic)
      if (qos > 0) pos = writeU16(buf, pos, p.packetId!)
      if (version === 5) pos = writeProperties(buf, pos, p.properties, scratch[slot + 1]!)
      buf.set(p.payload, pos)
      return pos + p.payload.length
    }
    case 'puback': case 'pubrec': case 'pubrel': case 'pubcomp': {
      const t = TYPE_NUMBER[p.type]
      pos = writeHeader(buf, pos, (t << 4) | (t === 6 ? 2 : 0), remaining) // PUBREL flags 0010 [MQTT-3.6.1-1]
      pos = writeU16(buf, pos, p.packetId)
      if (remaining > 2) buf[pos++] = p.reasonCode ?? 0
      if (remaining > 3) pos = writeProperties(buf, pos, p.properties, scratch[slot + 1]!)
      return pos
    }
    case 'connect':
      return writeConnect(buf, writeHeader(buf, pos, 0x10, remaining), p, version, slot)
    case 'connack':
      pos = writeHeader(buf, pos, 0x20, remaining)
      buf[pos++] = p.sessionPresent && version !== 3 ? 1 : 0 // 3.1 has no Session Present flag
      buf[pos++] = p.reasonCode
      if (version === 5) pos = writeProperties(buf, pos, p.properties, scratch[slot + 1]!)
      return pos
    case 'subscribe': {
      pos = writeHeader(buf, pos, 0x82, remaining) // flags 0010 [MQTT-3.8.1-1]
      pos = writeU16(buf, pos, p.packetId)
      if (version === 5) pos = writeProperties(buf, pos, p.properties, scratch[slot + 1]!)
      const subs = p.subscriptions
      for (let i = 0; i < subs.length; i++) {
        const s = subs[i]!
        pos = writeUtf8(buf, pos, s.filter)
        buf[pos++] = version === 5
          ? s.qos | (s.noLocal ? 4 : 0) | (s.retainAsPublished ? 8 : 0) | ((s.retainHandling ?? 0) << 4)
          : s.qos
      }
      return pos
    }
    case 'suback': {
      pos = writeHeader(buf, pos, 0x90, remaining)
      pos = writeU16(buf, pos, p.packetId)
      if (version === 5) pos = writeProperties(buf, pos, p.properties, scratch[slot + 1]!)
      const codes = p.reasonCodes
      for (let i = 0; i < codes.length; i++) buf[pos++] = codes[i]!
      return pos
    }
    case 'unsubscribe': {
      pos = writeHeader(buf, pos, 0xa2, remaining) // flags 0010 [MQTT-3.10.1-1]
      pos = writeU16(buf, pos, p.packetId)
      if (version === 5) pos = writeProperties(buf, pos, p.properties, scratch[slot + 1]!)
      const filters = p.filters
      for (let i = 0; i < filters.length; i++) pos = writeUtf8(buf, pos, filters[i]!)
      return pos
    }
    case 'unsuback': {
      pos = writeHeader(buf, pos, 0xb0, remaining)
      pos = writeU16(buf, pos, p.packetId)
      if (version === 5) {
        pos = writeProperties(buf, pos, p.properties, scratch[slot + 1]!)
        const codes = p.reasonCodes ?? []
        for (let i = 0; i < codes.length; i++) buf[pos++] = codes[i]!
      }
      return pos
    }
    case 'pingreq': return writeHeader(buf, pos, 0xc0, 0)
    case 'pingresp': return writeHeader(buf, pos, 0xd0, 0)
    case 'disconnect': case 'auth': {
      const t = p.type === 'auth' ? 15 : 14
      pos = writeHeader(buf, pos, t << 4, remaining)
      if (remaining > 0) buf[pos++] = p.reasonCode ?? 0
      if (remaining > 1) pos = writeProperties(buf, pos, p.properties, scratch[slot + 1]!)
      return pos
    }
  }
}

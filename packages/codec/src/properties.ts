// MQTT 5 properties (§2.2.2): one table keyed by identifier with the wire type, the packets that may carry
// each property, and whether it may repeat. Encoding and decoding both walk this table.

import type { ByteReader } from './byte-reader.js'
import { MalformedPacketError, MqttError } from './errors.js'
import { utf8Length, writeUtf8 } from './utf8.js'
import { varintSize, writeVarint } from './varint.js'

/** Property context: the packet type number, with 0 standing for the Will Properties of CONNECT. */
export const WILL = 0

const enum Wire { Byte, Bool, U16, U32, Varint, Utf8, Binary, Pair }

interface PropertyDef {
  readonly id: number
  readonly name: string
  readonly wire: Wire
  /** Bit n set: allowed on packet type n (bit 0: Will Properties). */
  readonly mask: number
  /** User Property, and Subscription Identifier on PUBLISH, may appear more than once (§2.2.2.2). */
  readonly repeat: boolean
  /** 0 is a Protocol Error for Receive Maximum, Maximum Packet Size, Topic Alias, Subscription Identifier. */
  readonly nonZero: boolean
}

const CONNECT = 1 << 1, CONNACK = 1 << 2, PUBLISH = 1 << 3, WILLP = 1 << 0, SUBSCRIBE = 1 << 8
const DISCONNECT = 1 << 14, AUTH = 1 << 15
const ACKS = (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 9) | (1 << 11)
const ALL = CONNECT | CONNACK | PUBLISH | WILLP | ACKS | SUBSCRIBE | (1 << 10) | DISCONNECT | AUTH

const defs: PropertyDef[] = []
const byName = new Map<string, PropertyDef>()
const byId: (PropertyDef | undefined)[] = []
function def(id: number, name: string, wire: Wire, mask: number, repeat = false, nonZero = false): PropertyDef {
  const d: PropertyDef = { id, name, wire, mask, repeat, nonZero }
  defs.push(d)
  byName.set(name, d)
  byId[id] = d
  return d
}

// MQTT 5 §2.2.2.2 Table 2-4.
def(0x01, 'payloadFormatIndicator', Wire.Bool, PUBLISH | WILLP)
def(0x02, 'messageExpiryInterval', Wire.U32, PUBLISH | WILLP)
def(0x03, 'contentType', Wire.Utf8, PUBLISH | WILLP)
def(0x08, 'responseTopic', Wire.Utf8, PUBLISH | WILLP)
def(0x09, 'correlationData', Wire.Binary, PUBLISH | WILLP)
const subIdOnPublish = def(0x0b, 'subscriptionIdentifiers', Wire.Varint, PUBLISH, true, true)
const subIdOnSubscribe = def(0x0b, 'subscriptionIdentifier', Wire.Varint, SUBSCRIBE, false, true)
def(0x11, 'sessionExpiryInterval', Wire.U32, CONNECT | CONNACK | DISCONNECT)
def(0x12, 'assignedClientIdentifier', Wire.Utf8, CONNACK)
def(0x13, 'serverKeepAlive', Wire.U16, CONNACK)
def(0x15, 'authenticationMethod', Wire.Utf8, CONNECT | CONNACK | AUTH)
def(0x16, 'authenticationData', Wire.Binary, CONNECT | CONNACK | AUTH)
def(0x17, 'requestProblemInformation', Wire.Bool, CONNECT)
def(0x18, 'willDelayInterval', Wire.U32, WILLP)
def(0x19, 'requestResponseInformation', Wire.Bool, CONNECT)
def(0x1a, 'responseInformation', Wire.Utf8, CONNACK)
def(0x1c, 'serverReference', Wire.Utf8, CONNACK | DISCONNECT)
def(0x1f, 'reasonString', Wire.Utf8, CONNACK | ACKS | DISCONNECT | AUTH)
def(0x21, 'receiveMaximum', Wire.U16, CONNECT | CONNACK, false, true)
def(0x22, 'topicAliasMaximum', Wire.U16, CONNECT | CONNACK)
def(0x23, 'topicAlias', Wire.U16, PUBLISH, false, true)
def(0x24, 'maximumQoS', Wire.Byte, CONNACK)
def(0x25, 'retainAvailable', Wire.Bool, CONNACK)
def(0x26, 'userProperties', Wire.Pair, ALL, true)
def(0x27, 'maximumPacketSize', Wire.U32, CONNECT | CONNACK, false, true)
def(0x28, 'wildcardSubscriptionAvailable', Wire.Bool, CONNACK)
def(0x29, 'subscriptionIdentifiersAvailable', Wire.Bool, CONNACK)
def(0x2a, 'sharedSubscriptionAvailable', Wire.Bool, CONNACK)

/** Every property name this codec knows, with its identifier (for tests and tools). */
export const PROPERTY_IDS: ReadonlyMap<string, number> = new Map(defs.map((d) => [d.name, d.id]))

function invalid(message: string): MqttError {
  return new MqttError('INVALID_ARGUMENT', message)
}

function lookup(name: string, ctx: number): PropertyDef {
  const d = byName.get(name)
  if (d === undefined) throw invalid(`Unknown property '${name}'`)
  if ((d.mask & (1 << ctx)) === 0) throw invalid(`Property '${name}' is not allowed on this packet [MQTT-2.2.2]`)
  return d
}

function checkInt(d: PropertyDef, v: unknown, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < (d.nonZero ? 1 : 0) || v > max) {
    throw invalid(`Property '${d.name}' must be an integer in ${d.nonZero ? 1 : 0}..${max}`)
  }
  return v
}

function valueLength(d: PropertyDef, v: unknown): number {
  switch (d.wire) {
    case Wire.Bool: return 2
    case Wire.Byte: checkInt(d, v, d.id === 0x24 ? 1 : 0xff); return 2
    case Wire.U16: checkInt(d, v, 0xffff); return 3
    case Wire.U32: checkInt(d, v, 0xffffffff); return 5
    case Wire.Varint: return 1 + varintSize(checkInt(d, v, 268_435_455))
    case Wire.Utf8: return 3 + utf8Length(v as string)
    case Wire.Binary: {
      const n = (v as Uint8Array).length
      if (n > 0xffff) throw invalid(`Property '${d.name}' exceeds 65535 bytes`)
      return 3 + n
    }
    case Wire.Pair: {
      const [name, value] = v as [string, string]
      return 5 + utf8Length(name) + utf8Length(value)
    }
  }
}

/** Byte length of the properties (without their length prefix); validates names, placement and values. */
export function propertiesLength(props: object | undefined, ctx: number): number {
  if (props === undefined) return 0
  let len = 0
  for (const name in props) {
    const v = (props as Record<string, unknown>)[name]
    if (v === undefined) continue
    const d = lookup(name, ctx)
    if (d.repeat) {
      if (!Array.isArray(v)) throw invalid(`Property '${name}' must be an array`)
      for (let i = 0; i < v.length; i++) len += valueLength(d, v[i])
    } else {
      len += valueLength(d, v)
    }
  }
  return len
}

function writeValue(buf: Uint8Array, pos: number, d: PropertyDef, v: unknown): number {
  buf[pos++] = d.id
  switch (d.wire) {
    case Wire.Bool: buf[pos] = v ? 1 : 0; return pos + 1
    case Wire.Byte: buf[pos] = v as number; return pos + 1
    case Wire.U16: buf[pos] = (v as number) >>> 8; buf[pos + 1] = (v as number) & 0xff; return pos + 2
    case Wire.U32: {
      const n = v as number
      buf[pos] = n >>> 24; buf[pos + 1] = (n >>> 16) & 0xff; buf[pos + 2] = (n >>> 8) & 0xff; buf[pos + 3] = n & 0xff
      return pos + 4
    }
    case Wire.Varint: return writeVarint(buf, pos, v as number)
    case Wire.Utf8: return writeUtf8(buf, pos, v as string)
    case Wire.Binary: {
      const b = v as Uint8Array
      buf[pos] = b.length >>> 8; buf[pos + 1] = b.length & 0xff
      buf.set(b, pos + 2)
      return pos + 2 + b.length
    }
    case Wire.Pair: {
      const [name, value] = v as [string, string]
      return writeUtf8(buf, writeUtf8(buf, pos, name), value)
    }
  }
}

/** Writes Property Length `len` (from propertiesLength) and the properties; returns the position after. */
export function writeProperties(buf: Uint8Array, pos: number, props: object | undefined, len: number): number {
  pos = writeVarint(buf, pos, len)
  if (props === undefined || len === 0) return pos
  for (const name in props) {
    const v = (props as Record<string, unknown>)[name]
    if (v === undefined) continue
    const d = byName.get(name)!
    if (d.repeat) {
      const a = v as unknown[]
      for (let i = 0; i < a.length; i++) pos = writeValue(buf, pos, d, a[i])
    } else {
      pos = writeValue(buf, pos, d, v)
    }
  }
  return pos
}

function protocolError(message: string): MalformedPacketError {
  return new MalformedPacketError(message, 'PROTOCOL_ERROR')
}

/** Reads Property Length and the properties for packet context `ctx`; undefined when there are none. */
export function readProperties(r: ByteReader, ctx: number): Record<string, unknown> | undefined {
  const len = r.varint('Property Length')
  if (len === 0) return undefined
  if (r.remaining() < len) throw new MalformedPacketError('Property Length exceeds the packet [MQTT-2.2.2]')
  const end = r.pos + len
  const outerEnd = r.end
  r.end = end // a property value must not run past the properties
  const props: Record<string, unknown> = {}
  while (r.pos < end) {
    const id = r.varint('Property Identifier')
    const d = id === 0x0b ? (ctx === 3 ? subIdOnPublish : subIdOnSubscribe) : byId[id]
    if (d === undefined) throw new MalformedPacketError(`Unknown property identifier 0x${id.toString(16)} [MQTT-2.2.2]`)
    if ((d.mask & (1 << ctx)) === 0) throw protocolError(`Property '${d.name}' is not allowed on this packet [MQTT-2.2.2]`)
    let v: unknown
    switch (d.wire) {
      case Wire.Bool: {
        const b = r.u8(d.name)
        if (b > 1) throw protocolError(`Property '${d.name}' must be 0 or 1`)
        v = b === 1
        break
      }
      case Wire.Byte:
        v = r.u8(d.name)
        if ((v as number) > 1) throw protocolError(`Property '${d.name}' must be 0 or 1 [MQTT-3.2.2.3.4]`)
        break
      case Wire.U16: v = r.u16(d.name); break
      case Wire.U32: v = r.u32(d.name); break
      case Wire.Varint: v = r.varint(d.name); break
      case Wire.Utf8: v = r.utf8(d.name); break
      case Wire.Binary: v = r.binary(d.name); break
      case Wire.Pair: v = [r.utf8(d.name), r.utf8(d.name)]; break
    }
    if (d.nonZero && v === 0) throw protocolError(`Property '${d.name}' must not be 0`)
    const prev = props[d.name]
    if (d.repeat) {
      if (prev === undefined) props[d.name] = [v]
      else (prev as unknown[]).push(v)
    } else if (prev !== undefined) {
      throw protocolError(`Property '${d.name}' appears more than once [MQTT-2.2.2-2]`)
    } else {
      props[d.name] = v
    }
  }
  r.end = outerEnd
  return props
}

/** Wire size of Property Length plus properties of `len` bytes. */
export function propertiesSize(len: number): number {
  return varintSize(len) + len
}

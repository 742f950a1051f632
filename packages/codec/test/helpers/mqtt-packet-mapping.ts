// Maps between isomqtt packets and mqtt-packet's objects (cmd, messageId, granted, unsubscriptions,
// returnCode in 3.1.x CONNACK, nl/rap/rh, userProperties as an object, a lone subscriptionIdentifier
// as a number, Buffers for binary data), so the differential tests compare like with like.

import mqttPacket from 'mqtt-packet'
import type { Packet, ProtocolVersion } from '@isomqtt/codec'

type Obj = Record<string, unknown>

const toBuffer = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength)

function propsToTheirs(p: Obj | undefined): Obj | undefined {
  if (p === undefined) return undefined
  const out: Obj = {}
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined) continue
    if (k === 'userProperties') out[k] = Object.fromEntries(v as [string, string][])
    else if (k === 'subscriptionIdentifiers') out.subscriptionIdentifier = (v as number[]).length === 1 ? (v as number[])[0] : v
    else out[k] = v instanceof Uint8Array ? toBuffer(v) : v
  }
  return out
}

function propsToOurs(p: Obj | undefined, publish: boolean): Obj | undefined {
  if (p === undefined) return undefined
  const out: Obj = {}
  for (const [k, v] of Object.entries(p)) {
    if (k === 'userProperties') out[k] = Object.entries(v as Obj).flatMap(([n, val]) => (Array.isArray(val) ? val.map((x) => [n, x]) : [[n, val]]))
    else if (k === 'subscriptionIdentifier' && publish) out.subscriptionIdentifiers = Array.isArray(v) ? v : [v]
    else out[k] = Buffer.isBuffer(v) ? new Uint8Array(v) : v
  }
  return out
}

/** isomqtt packet -> mqtt-packet object for `generate`. */
export function toTheirs(p: Packet, version: ProtocolVersion): Obj {
  const o = p as unknown as Obj
  const properties = propsToTheirs(o.properties as Obj | undefined)
  switch (p.type) {
    case 'connect':
      return {
        cmd: 'connect', protocolId: version === 3 ? 'MQIsdp' : 'MQTT', protocolVersion: version, clientId: p.clientId, clean: p.clean,
        keepalive: p.keepalive, username: p.username, password: p.password && toBuffer(p.password), properties,
        will: p.will && { topic: p.will.topic, payload: toBuffer(p.will.payload), qos: p.will.qos, retain: p.will.retain, properties: propsToTheirs(p.will.properties as Obj | undefined) },
      }
    case 'connack':
      return { cmd: 'connack', sessionPresent: p.sessionPresent, [version === 5 ? 'reasonCode' : 'returnCode']: p.reasonCode, properties }
    case 'publish':
      return { cmd: 'publish', topic: p.topic, payload: toBuffer(p.payload), qos: p.qos, retain: p.retain, dup: p.dup, messageId: p.packetId, properties }
    case 'puback': case 'pubrec': case 'pubrel': case 'pubcomp':
      return { cmd: p.type, messageId: p.packetId, reasonCode: p.reasonCode ?? 0, properties }
    case 'subscribe':
      return {
        cmd: 'subscribe', messageId: p.packetId, properties,
        subscriptions: p.subscriptions.map((s) => ({ topic: s.filter, qos: s.qos, nl: s.noLocal, rap: s.retainAsPublished, rh: s.retainHandling })),
      }
    case 'suback': return { cmd: 'suback', messageId: p.packetId, granted: p.reasonCodes, properties }
    case 'unsubscribe': return { cmd: 'unsubscribe', messageId: p.packetId, unsubscriptions: p.filters, properties }
    case 'unsuback': return { cmd: 'unsuback', messageId: p.packetId, granted: p.reasonCodes, properties }
    case 'pingreq': case 'pingresp': return { cmd: p.type }
    case 'disconnect': case 'auth': return { cmd: p.type, reasonCode: p.reasonCode ?? 0, properties }
  }
}

/** mqtt-packet parsed object -> isomqtt packet, in the shape our decoder produces. */
export function toOurs(o: Obj, version: ProtocolVersion): Packet {
  const properties = propsToOurs(o.properties as Obj | undefined, o.cmd === 'publish') as never
  const buf = (b: unknown) => (b === undefined ? undefined : new Uint8Array(b as Buffer))
  switch (o.cmd) {
    case 'connect': {
      const w = o.will as Obj | undefined
      return {
        type: 'connect', protocolVersion: o.protocolVersion as ProtocolVersion, clientId: o.clientId as string, clean: o.clean as boolean,
        keepalive: o.keepalive as number, username: o.username as string | undefined, password: buf(o.password), properties,
        will: w && { topic: w.topic as string, payload: buf(w.payload)!, qos: w.qos as 0, retain: w.retain as boolean, properties: propsToOurs(w.properties as Obj | undefined, false) as never },
      }
    }
    case 'connack':
      return { type: 'connack', sessionPresent: o.sessionPresent as boolean, reasonCode: (version === 5 ? o.reasonCode : o.returnCode) as number, properties }
    case 'publish':
      return {
        type: 'publish', topic: o.topic as string, payload: buf(o.payload)!, qos: o.qos as 0, retain: o.retain as boolean, dup: o.dup as boolean,
        packetId: (o.qos as number) > 0 ? (o.messageId as number) : undefined, properties,
      }
    case 'puback': case 'pubrec': case 'pubrel': case 'pubcomp':
      return { type: o.cmd, packetId: o.messageId as number, reasonCode: version === 5 ? (o.reasonCode as number) : undefined, properties }
    case 'subscribe':
      return {
        type: 'subscribe', packetId: o.messageId as number, properties,
        subscriptions: (o.subscriptions as Obj[]).map((s) => version === 5
          ? { filter: s.topic as string, qos: s.qos as 0, noLocal: s.nl as boolean, retainAsPublished: s.rap as boolean, retainHandling: s.rh as 0 }
          : { filter: s.topic as string, qos: s.qos as 0 }),
      }
    case 'suback': return { type: 'suback', packetId: o.messageId as number, reasonCodes: o.granted as number[], properties }
    case 'unsubscribe': return { type: 'unsubscribe', packetId: o.messageId as number, filters: o.unsubscriptions as string[], properties }
    case 'unsuback': return { type: 'unsuback', packetId: o.messageId as number, reasonCodes: o.granted as number[] | undefined, properties }
    case 'pingreq': case 'pingresp': return { type: o.cmd }
    case 'disconnect': case 'auth':
      return { type: o.cmd, reasonCode: version === 5 ? (o.reasonCode as number) : undefined, properties }
    default: throw new Error(`unexpected ${String(o.cmd)}`)
  }
}

/** Bytes from mqtt-packet's `generate`. */
export function theirEncode(p: Packet, version: ProtocolVersion): Uint8Array {
  return new Uint8Array(mqttPacket.generate(toTheirs(p, version) as never, { protocolVersion: version }))
}

/** Parses one whole packet with a fresh mqtt-packet parser; throws what it emits as an error. */
export function theirDecode(bytes: Uint8Array, version: ProtocolVersion): Obj {
  const parser = mqttPacket.parser({ protocolVersion: version })
  const out: Obj[] = []
  let error: unknown
  parser.on('packet', (p) => out.push(p as unknown as Obj))
  parser.on('error', (e: unknown) => { error = e })
  parser.parse(Buffer.from(bytes))
  if (error !== undefined) throw error
  if (out.length !== 1) throw new Error(`mqtt-packet produced ${out.length} packets`)
  return out[0]!
}

// MQTT 5 against Mosquitto with small limits (max_inflight_messages 5, max_packet_size 4096): the client
// keeps within the server's Receive Maximum, refuses a publish above its Maximum Packet Size without
// sending it, and uses topic aliases within its Topic Alias Maximum (Mosquitto's default is 10).
import { decodePacket, type PublishPacket } from '@isomqtt/codec'
import { MemoryStore } from '@isomqtt/store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type Message } from '../src/index.js'
import { signal, startMosquitto, uniqueId, uniqueTopic, type Mosquitto } from './helpers.js'
import { wireSpy } from './mqtt5-wire-spy.js'

let broker: Mosquitto
beforeAll(async () => { broker = await startMosquitto({ extraConfig: ['max_inflight_messages 5', 'max_packet_size 4096'] }) })
afterAll(async () => { await broker?.stop() })

describe('MQTT 5 flow control', () => {
  it('never has more QoS 1 publishes in flight than the server Receive Maximum, and completes them in order', async () => {
    const spy = wireSpy()
    const client = await connect(broker.url, { protocolVersion: 5, clientId: uniqueId('fc'), transport: spy.transport })
    expect(client.serverLimits?.receiveMaximum).toBe(5)
    const topic = uniqueTopic('fc')
    const order: number[] = []
    const all = Array.from({ length: 60 }, (_, i) => client.publish(topic, `m${i}`, { qos: 1 }).then((r) => { order.push(i); return r }))
    const results = await Promise.all(all)
    expect(results.every((r) => r.reasonCode === 0x00 || r.reasonCode === 0x10)).toBe(true)
    expect(order).toEqual([...order].sort((a, b) => a - b))
    const sent = spy.log.sent('publish') as PublishPacket[]
    expect(sent.map((p) => new TextDecoder().decode(p.payload))).toEqual(Array.from({ length: 60 }, (_, i) => `m${i}`))
    expect(spy.log.maxOutstandingQos1()).toBe(5)
    await client.disconnect()
  })
})

describe('MQTT 5 maximum packet size', () => {
  it('rejects a publish above the server limit with PACKET_TOO_LARGE and sends nothing', async () => {
    const spy = wireSpy()
    const client = await connect(broker.url, { protocolVersion: 5, clientId: uniqueId('ps'), transport: spy.transport })
    expect(client.serverLimits?.maximumPacketSize).toBe(4096)
    const topic = uniqueTopic('ps')
    await expect(client.publish(topic, new Uint8Array(5000), { qos: 1 })).rejects.toMatchObject({ code: 'PACKET_TOO_LARGE', reasonCode: 0x95 })
    await expect(client.publish(topic, new Uint8Array(5000))).rejects.toMatchObject({ code: 'PACKET_TOO_LARGE' })
    await client.publish(topic, new Uint8Array(100), { qos: 1 })
    expect(spy.log.sent('publish').map((p) => (p as PublishPacket).payload.length)).toEqual([100])
    expect(client.connected).toBe(true)
    await client.disconnect()
  })

  it('advertises ours: the server drops what would exceed it and keeps delivering the rest', async () => {
    const topic = uniqueTopic('ps')
    const got: Message[] = []
    const done = signal()
    const sub = await connect(broker.url, { protocolVersion: 5, clientId: uniqueId('pr'), properties: { maximumPacketSize: 512 } })
    await sub.subscribe(topic, (m) => { got.push(m); if (m.text() === 'small-2') done.resolve() }, { qos: 1 })
    const pub = await connect(broker.url, { protocolVersion: 5, clientId: uniqueId('pp') })
    await pub.publish(topic, 'small-1', { qos: 1 })
    await pub.publish(topic, 'x'.repeat(1000), { qos: 1 })
    await pub.publish(topic, 'small-2', { qos: 1 })
    await done.promise
    expect(got.map((m) => m.text())).toEqual(['small-1', 'small-2'])
    expect(sub.connected).toBe(true)
    await pub.disconnect()
    await sub.disconnect()
  })
})

describe('MQTT 5 outbound topic aliases', () => {
  it('assigns aliases within the server maximum, reuses the least recently used, and every message arrives on its topic', async () => {
    const base = uniqueTopic('al')
    const topics = Array.from({ length: 14 }, (_, i) => `${base}/${i}`)
    const sequence = [...topics, ...topics.slice(0, 5), ...topics.slice(10), ...topics]
    const received: string[] = []
    const done = signal()
    const sub = await connect(broker.url, { protocolVersion: 5, clientId: uniqueId('as') })
    await sub.subscribe(`${base}/#`, (m) => { received.push(`${m.topic}=${m.text()}`); if (received.length === sequence.length) done.resolve() }, { qos: 1 })
    const spy = wireSpy()
    const pub = await connect(broker.url, { protocolVersion: 5, clientId: uniqueId('ap'), transport: spy.transport })
    expect(pub.serverLimits?.topicAliasMaximum).toBe(10)
    for (let i = 0; i < sequence.length; i++) await pub.publish(sequence[i]!, String(i), { qos: i % 2 as 0 | 1 })
    await done.promise
    // Mosquitto sends QoS 0 ahead of QoS 1 held by its inflight window, so compare per QoS.
    const expected = sequence.map((t, i) => `${t}=${i}`)
    const byQos = (list: string[], q: number) => list.filter((e) => Number(e.split('=')[1]) % 2 === q)
    expect(byQos(received, 0)).toEqual(byQos(expected, 0))
    expect(byQos(received, 1)).toEqual(byQos(expected, 1))
    const sent = spy.log.sent('publish') as PublishPacket[]
    const aliases = sent.map((p) => p.properties?.topicAlias)
    expect(aliases.every((a) => a !== undefined && a >= 1 && a <= 10)).toBe(true)
    // A topic already bound travels as an empty topic plus its alias.
    expect(sent.filter((p) => p.topic === '').length).toBeGreaterThan(0)
    await pub.disconnect()
    await sub.disconnect()
  })

  it('never stores a packet with an alias, and a new connection starts without aliases', async () => {
    const store = new MemoryStore()
    const puts: Uint8Array[] = []
    const put = store.put.bind(store)
    store.put = (key, bytes) => { puts.push(bytes); return put(key, bytes) }
    const spy = wireSpy()
    const topic = uniqueTopic('al')
    const id = uniqueId('an')
    const pub = await connect(broker.url, { protocolVersion: 5, clientId: id, transport: spy.transport, store })
    await pub.publish(topic, 'a', { qos: 1 })
    await pub.publish(topic, 'b', { qos: 1 })
    for (const bytes of puts) {
      const p = decodePacket(bytes, 5)
      if (p.type === 'publish') {
        expect(p.topic).toBe(topic)
        expect(p.properties?.topicAlias).toBeUndefined()
      }
    }
    await pub.disconnect()
    await pub.connect()
    await pub.publish(topic, 'c', { qos: 1 })
    const sent = spy.log.sent('publish') as PublishPacket[]
    expect(sent.map((p) => p.topic)).toEqual([topic, '', topic])
    await pub.disconnect()
  })
})

// MQTT 5 sessions and subscriptions against Mosquitto: session expiry, subscription options (noLocal,
// retainAsPublished, retainHandling), identifiers routing overlapping subscriptions without duplicates,
// shared subscriptions, and per-filter reason codes.
import { MemoryStore } from '@isomqtt/store'
import { encode } from '@isomqtt/codec'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type Message } from '../src/index.js'
import { signal, startMosquitto, uniqueId, uniqueTopic, type Mosquitto } from './helpers.js'

let broker: Mosquitto
beforeAll(async () => {
  broker = await startMosquitto()
})
afterAll(async () => { await broker?.stop() })

describe('MQTT 5 session expiry', () => {
  it('keeps the session for the expiry interval: queued messages arrive on reconnect', async () => {
    const id = uniqueId('se')
    const topic = uniqueTopic('se')
    const first = await connect(broker.url, { protocolVersion: 5, clientId: id, clean: true, properties: { sessionExpiryInterval: 60 } })
    await first.subscribe(topic, undefined, { qos: 1 })
    await first.disconnect()
    const pub = await connect(broker.url, { protocolVersion: 5, clientId: uniqueId('sp') })
    await pub.publish(topic, 'while away', { qos: 1 })
    await pub.disconnect()
    const got = signal<Message>()
    const again = await connect(broker.url, { protocolVersion: 5, clientId: id, clean: false, properties: { sessionExpiryInterval: 60 }, onMessage: (m) => got.resolve(m) })
    expect(again.lastConnect?.sessionPresent).toBe(true)
    expect((await got.promise).text()).toBe('while away')
    await again.disconnect({ properties: { sessionExpiryInterval: 0 } })
  })

  it('without an expiry interval the session ends with the connection, and the store is emptied', async () => {
    const id = uniqueId('s0')
    const first = await connect(broker.url, { protocolVersion: 5, clientId: id })
    await first.subscribe(uniqueTopic('s0'), undefined, { qos: 1 })
    await first.disconnect()
    const store = new MemoryStore()
    await store.open()
    // A leftover in-flight message of an earlier run.
    await store.put('o.7', encode({ type: 'publish', topic: 'old/msg', payload: new Uint8Array([1]), qos: 1, retain: false, dup: false, packetId: 7 }, 5))
    const again = await connect(broker.url, { protocolVersion: 5, clientId: id, clean: false, store })
    expect(again.lastConnect?.sessionPresent).toBe(false)
    expect(again.lastConnect?.resumed).toEqual([])
    expect(await store.keys()).toEqual([])
    await again.disconnect()
  })
})

describe('MQTT 5 subscription options', () => {
  it('noLocal: our own publishes are not delivered back', async () => {
    const topic = uniqueTopic('nl')
    const client = await connect(broker.url, { protocolVersion: 5, clientId: uniqueId('nl') })
    const other = await connect(broker.url, { protocolVersion: 5, clientId: uniqueId('no') })
    const got: string[] = []
    const done = signal()
    await client.subscribe([{ filter: topic, qos: 1, noLocal: true }], (m) => { got.push(m.text()); done.resolve() })
    await client.publish(topic, 'mine', { qos: 1 })
    await other.publish(topic, 'theirs', { qos: 1 })
    await done.promise
    expect(got).toEqual(['theirs'])
    await client.disconnect()
    await other.disconnect()
  })

  it('retainAsPublished keeps the retain flag on live delivery; retainHandling 2 sends no retained message', async () => {
    const topic = uniqueTopic('rap')
    const pub = await connect(broker.url, { protocolVersion: 5, clientId: uniqueId('rp') })
    await pub.publish(topic, 'stored', { qos: 1, retain: true })
    const client = await connect(broker.url, { protocolVersion: 5, clientId: uniqueId('rc') })
    const rap: Message[] = []
    const plain: Message[] = []
    const none: Message[] = []
    const done = signal()
    const rapLive = signal()
    const plainLive = signal()
    await client.subscribe([{ filter: topic, qos: 1, retainAsPublished: true }], (m) => { rap.push(m); if (m.text() === 'live') rapLive.resolve() })
    const s2 = await connect(broker.url, { protocolVersion: 5, clientId: uniqueId('r2') })
    await s2.subscribe([{ filter: topic, qos: 1 }], (m) => { plain.push(m); if (m.text() === 'live') plainLive.resolve() })
    const s3 = await connect(broker.url, { protocolVersion: 5, clientId: uniqueId('r3') })
    await s3.subscribe([{ filter: topic, qos: 1, retainHandling: 2 }], (m) => { none.push(m); if (m.text() === 'live') done.resolve() })
    await pub.publish(topic, 'live', { qos: 1, retain: true })
    await Promise.all([done.promise, rapLive.promise, plainLive.promise])
    expect(none.map((m) => m.text())).toEqual(['live'])
    expect(rap.map((m) => [m.text(), m.retain])).toEqual([['stored', true], ['live', true]])
    expect(plain.find((m) => m.text() === 'live')?.retain).toBe(false)
    await pub.publish(topic, '', { qos: 1, retain: true }) // clear the retained message
    for (const c of [pub, client, s2, s3]) await c.disconnect()
  })
})

describe('MQTT 5 subscription identifiers', () => {
  it('route overlapping subscriptions so each handler gets each message once', async () => {
    const base = uniqueTopic('id')
    const client = await connect(broker.url, { protocolVersion: 5, clientId: uniqueId('id') })
    const a: Message[] = []
    const b: Message[] = []
    const done = signal()
    const deep = signal()
    const subA = await client.subscribe(`${base}/#`, (m) => { a.push(m); if (m.text() === 'deep') deep.resolve() }, { qos: 1 })
    await client.subscribe(`${base}/+`, (m) => { b.push(m); if (m.text() === 'two') done.resolve() }, { qos: 1 })
    await client.publish(`${base}/x`, 'one', { qos: 1 })
    await client.publish(`${base}/x`, 'two', { qos: 1 })
    await done.promise
    await client.publish(`${base}/x/y`, 'deep', { qos: 1 })
    // Anything duplicated would have arrived before this later message.
    await deep.promise
    expect(a.map((m) => m.text())).toEqual(['one', 'two', 'deep'])
    expect(b.map((m) => m.text())).toEqual(['one', 'two'])
    expect(a[0]!.properties?.subscriptionIdentifiers?.length).toBeGreaterThan(0)
    expect(subA.subscriptionIdentifier).toBeGreaterThan(0)
    await client.disconnect()
  })

  it('shared subscriptions route to their handler and split the messages between members', async () => {
    const topic = uniqueTopic('sh')
    const group = `$share/g${Date.now().toString(36)}/${topic}`
    const m1 = await connect(broker.url, { protocolVersion: 5, clientId: uniqueId('m1') })
    const m2 = await connect(broker.url, { protocolVersion: 5, clientId: uniqueId('m2') })
    const got: string[] = []
    const done = signal()
    const handler = (m: Message): void => { got.push(m.text()); if (got.length === 20) done.resolve() }
    await m1.subscribe(group, handler, { qos: 1 })
    await m2.subscribe(group, handler, { qos: 1 })
    const pub = await connect(broker.url, { protocolVersion: 5, clientId: uniqueId('sp') })
    for (let i = 0; i < 20; i++) await pub.publish(topic, String(i), { qos: 1 })
    await done.promise
    expect(got.map(Number).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i))
    for (const c of [m1, m2, pub]) await c.disconnect()
  })

  it('reports each filter reason (the granted QoS) on the subscription', async () => {
    // Mosquitto 2.0.11 grants every valid filter (its ACL applies at delivery); refusals are proven
    // against a scripted peer.
    const client = await connect(broker.url, { protocolVersion: 5, clientId: uniqueId('rf') })
    const ok = await client.subscribe([{ filter: uniqueTopic('ok'), qos: 2 }, { filter: uniqueTopic('ok2'), qos: 0 }])
    expect(ok.filters.map((f) => f.reasonCode)).toEqual([2, 0])
    await client.disconnect()
  })
})

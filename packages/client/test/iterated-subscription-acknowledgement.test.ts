// An iterated subscription (`for await`) is a consumer that may fall behind. A QoS 1/2 message it buffers is
// never dropped, and acknowledged once the loop is done with it (it asks for the next one, or leaves), as a
// handler's message is once the handler is done: acknowledged at buffering and then dropped from a full
// buffer, it was lost though the server counted it delivered. The server's in-flight window bounds what waits.
// A subscription nobody iterates (the MQTT.js way: a 'message' listener) acknowledges as before.
import { encode, type PublishPacket } from '@isomqtt/codec'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type Message } from '../src/index.js'
import { once, startMosquitto, uniqueId, uniqueTopic, until, type Mosquitto } from './helpers.js'
import { connectScripted, type ScriptedPeer } from './scripted-peer.js'

const publish = (packetId: number, text: string): PublishPacket => ({
  type: 'publish', topic: 'it/x', payload: new TextEncoder().encode(text), qos: 1, packetId, retain: false, dup: false,
})

/** Subscribes `it/#` on the scripted peer's client without a handler; answers the SUBACK. */
async function subscribed(peer: ScriptedPeer, subscribing: Promise<unknown>): Promise<void> {
  const s = await peer.expect('subscribe')
  peer.send({ type: 'suback', packetId: s.packetId, reasonCodes: [1] })
  await subscribing
}

describe('an iterated subscription against a scripted server', () => {
  it('acknowledges a QoS 1 message once the loop asks for the next one, not when it is buffered or taken', async () => {
    const { client, peer } = await connectScripted({ reconnect: false })
    const subscribing = client.subscribe('it/#', { qos: 1 })
    await subscribed(peer, subscribing)
    const sub = await subscribing
    const iterator = sub[Symbol.asyncIterator]()
    const seen = once<Message>(client, 'message')
    peer.send(publish(5, 'one'))
    await seen
    // A publish of the client's own after the message was dispatched: no PUBACK for 5 went out before it.
    const out = client.publish('out', 'x', { qos: 1 })
    const sent = await peer.expect('publish')
    peer.send({ type: 'puback', packetId: sent.packetId! })
    await out
    expect(peer.received.filter((p) => p.type === 'puback')).toEqual([])
    // Taken: the loop is working on it, so still no PUBACK (the same check, with a second publish of ours).
    expect((await iterator.next()).value?.text()).toBe('one')
    const out2 = client.publish('out', 'y', { qos: 1 })
    const sent2 = await peer.expect('publish')
    peer.send({ type: 'puback', packetId: sent2.packetId! })
    await out2
    expect(peer.received.filter((p) => p.type === 'puback')).toEqual([])
    // The loop comes back for more: done with 'one'.
    void iterator.next()
    expect(await peer.expect('puback')).toMatchObject({ packetId: 5 })
    client.destroy()
  })

  it('acknowledges what it still buffers when the loop is left', async () => {
    const { client, peer } = await connectScripted({ reconnect: false })
    const subscribing = client.subscribe('it/#', { qos: 1 })
    await subscribed(peer, subscribing)
    const sub = await subscribing
    const taken: string[] = []
    const loop = (async () => {
      for await (const m of sub) {
        taken.push(m.text())
        break
      }
    })()
    peer.sendRaw([...encode(publish(1, 'a'), 4), ...encode(publish(2, 'b'), 4), ...encode(publish(3, 'c'), 4)])
    // Leaving the loop unsubscribes; the buffered two are acknowledged, not left to hold the server's window.
    const unsubscribe = await peer.expect('unsubscribe')
    peer.send({ type: 'unsuback', packetId: unsubscribe.packetId, reasonCodes: [0] })
    await loop
    expect(taken).toEqual(['a'])
    const acked = () => peer.received.flatMap((p) => (p.type === 'puback' ? [p.packetId] : [])).sort()
    await until(() => acked().length === 3)
    expect(acked()).toEqual([1, 2, 3])
    client.destroy()
  })

  it('acknowledges at once for a subscription nobody iterates (messages read from the message event)', async () => {
    const { client, peer } = await connectScripted({ reconnect: false })
    const subscribing = client.subscribe('it/#', { qos: 1 })
    await subscribed(peer, subscribing)
    const got: string[] = []
    client.on('message', (m) => { got.push(m.text()) })
    peer.send(publish(7, 'seen'))
    expect(await peer.expect('puback')).toMatchObject({ packetId: 7 })
    expect(got).toEqual(['seen'])
    client.destroy()
  })
})

let broker: Mosquitto
beforeAll(async () => { broker = await startMosquitto() })
afterAll(async () => { await broker?.stop() })

describe('an iterated subscription against Mosquitto', () => {
  it('loses no QoS 1 message to a slow loop, however small its buffer', async () => {
    const topic = uniqueTopic('slow')
    const client = await connect(broker.url, { clientId: uniqueId('slow') })
    const sub = await client.subscribe(topic, { qos: 1, bufferSize: 5 })
    const iterator = sub[Symbol.asyncIterator]()
    const pub = await connect(broker.url, { clientId: uniqueId('pub') })
    // 60 messages while the loop takes none: more than the buffer, and than Mosquitto's in-flight window (20).
    for (let i = 0; i < 60; i++) await pub.publish(topic, `m${i}`, { qos: 1 })
    const texts: string[] = []
    for (let i = 0; i < 60; i++) texts.push((await iterator.next()).value!.text())
    expect(texts).toEqual(Array.from({ length: 60 }, (_, i) => `m${i}`))
    expect(sub.dropped).toBe(0)
    await pub.disconnect()
    await client.disconnect()
  })
})

// Subscriptions against Mosquitto: retained messages, overlapping filters routed once per subscription,
// the default handler, async iteration, and unsubscribe in both forms.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type Message, type MqttClient } from '../src/index.js'
import { signal, startMosquitto, uniqueId, uniqueTopic, type Mosquitto } from './helpers.js'

let broker: Mosquitto
beforeAll(async () => { broker = await startMosquitto() })
afterAll(async () => { await broker?.stop() })

for (const protocolVersion of [3, 4] as const) {
  describe(`MQTT ${protocolVersion === 3 ? '3.1' : '3.1.1'}`, () => {
    const open = (): Promise<MqttClient> => connect(broker.url, { protocolVersion, clientId: uniqueId() })

    it('delivers a retained message at each QoS to a later subscriber, flagged retain', async () => {
      const pub = await open()
      const base = uniqueTopic('retained')
      for (const qos of [0, 1, 2] as const) await pub.publish(`${base}/${qos}`, `r${qos}`, { qos, retain: true })
      const sub = await open()
      const got: Message[] = []
      const all = signal()
      await sub.subscribe(`${base}/+`, (m) => { got.push(m); if (got.length === 3) all.resolve() }, { qos: 2 })
      await all.promise
      expect(got.map((m) => [m.topic, m.text(), m.retain]).sort()).toEqual([
        [`${base}/0`, 'r0', true], [`${base}/1`, 'r1', true], [`${base}/2`, 'r2', true],
      ])
      // Clear the retained messages (empty payload).
      for (const qos of [0, 1, 2] as const) await pub.publish(`${base}/${qos}`, '', { qos: 1, retain: true })
      await pub.disconnect()
      await sub.disconnect()
    })

    it('routes a message to every overlapping subscription exactly once', async () => {
      const base = uniqueTopic('overlap')
      const client = await open()
      const a: string[] = []
      const b: string[] = []
      const last = signal()
      // One subscription with two filters that both match: still one delivery to it.
      await client.subscribe([{ filter: `${base}/#`, qos: 1 }, { filter: `${base}/+`, qos: 1 }], (m) => { a.push(m.text()) })
      await client.subscribe(`${base}/x`, (m) => { b.push(m.text()); if (m.text() === 'end') last.resolve() }, { qos: 1 })
      await client.publish(`${base}/x`, 'one', { qos: 1 })
      await client.publish(`${base}/y`, 'two', { qos: 1 })
      await client.publish(`${base}/x`, 'end', { qos: 1 })
      await last.promise
      expect(a).toEqual(['one', 'two', 'end'])
      expect(b).toEqual(['one', 'end'])
      await client.disconnect()
    })

    it('sub.unsubscribe() keeps a filter another subscription still holds', async () => {
      const topic = uniqueTopic('shared')
      const client = await open()
      const keep = await client.subscribe(topic, undefined, { qos: 1 })
      const gone: string[] = []
      const transient = await client.subscribe(topic, (m) => { gone.push(m.text()) }, { qos: 1 })
      await transient.unsubscribe()
      expect(transient.active).toBe(false)
      await client.publish(topic, 'still-routed', { qos: 1 })
      const first = await keep[Symbol.asyncIterator]().next()
      expect((first.value as Message).text()).toBe('still-routed')
      expect(gone).toEqual([])
      await client.disconnect()
    })

    it('sends messages no subscription claims (a persistent session\'s old subscription) to onMessage', async () => {
      const topic = uniqueTopic('default')
      const clientId = uniqueId('d')
      const first = await connect(broker.url, { protocolVersion, clientId, clean: false })
      await first.subscribe(topic, undefined, { qos: 1 })
      await first.disconnect()
      const got = signal<Message>()
      const client = await connect(broker.url, { protocolVersion, clientId, clean: false, onMessage: (m) => got.resolve(m) })
      // MQTT 3.1's CONNACK has no Session Present flag.
      expect(client.lastConnect?.sessionPresent).toBe(protocolVersion === 4)
      const events: string[] = []
      client.on('message', (m) => events.push(m.topic))
      await client.publish(topic, 'to-default', { qos: 1 })
      const m = await got.promise
      expect(m.text()).toBe('to-default')
      expect(events).toEqual([topic])
      await client.disconnect()
      await (await connect(broker.url, { protocolVersion, clientId, clean: true })).disconnect()
    })

    it('delivers a shared subscription\'s messages (on their own topics) to its handler or iterator, split between members', async () => {
      const base = uniqueTopic('shared')
      const group = `$share/g${protocolVersion}/${base}/+`
      const stray: string[] = []
      const m1 = await connect(broker.url, { protocolVersion, clientId: uniqueId('m1'), onMessage: (m) => { stray.push(m.topic) } })
      const m2 = await connect(broker.url, { protocolVersion, clientId: uniqueId('m2'), onMessage: (m) => { stray.push(m.topic) } })
      const got: string[] = []
      const all = signal()
      await m1.subscribe(group, (m) => { got.push(m.text()); if (got.length === 20) all.resolve() }, { qos: 1 })
      const iterated = await m2.subscribe(group, undefined, { qos: 1 })
      const pub = await open()
      for (let i = 0; i < 20; i++) await pub.publish(`${base}/${i % 3}`, String(i), { qos: 1 })
      void (async () => { for await (const m of iterated) { got.push(m.text()); if (got.length === 20) all.resolve() } })()
      await all.promise
      expect(got.map(Number).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i))
      expect(stray).toEqual([])
      for (const c of [m1, m2, pub]) await c.disconnect()
    })

    it('iterates a subscription with for await, and unsubscribe ends the iteration at UNSUBACK', async () => {
      const topic = uniqueTopic('iter')
      const client = await open()
      const sub = await client.subscribe(topic, undefined, { qos: 1 })
      for (let i = 0; i < 5; i++) await client.publish(topic, `m${i}`, { qos: 1 })
      const texts: string[] = []
      for await (const m of sub) {
        texts.push(m.text())
        if (texts.length === 5) break // leaving the loop unsubscribes
      }
      expect(texts).toEqual(['m0', 'm1', 'm2', 'm3', 'm4'])
      expect(sub.active).toBe(false)
      await client.disconnect()
    })

    it('takes an array of filter strings, and options in the handler\'s place', async () => {
      const [a, b] = [uniqueTopic('arr'), uniqueTopic('arr')]
      const client = await open()
      const got: string[] = []
      const both = await client.subscribe([a, { filter: b, qos: 0 }], (m) => { got.push(`${m.topic === a ? 'a' : 'b'} q${m.qos}`) }, { qos: 1 })
      expect(both.filters.map((g) => [g.filter, g.qos])).toEqual([[a, 1], [b, 0]])
      const iterated = await client.subscribe(a, { qos: 1 })
      expect(iterated.filters[0]!.qos).toBe(1)
      await client.publish(a, 'x', { qos: 1 })
      await client.publish(b, 'y', { qos: 1 })
      for await (const m of iterated) { expect(m.text()).toBe('x'); break }
      expect(got.sort()).toEqual(['a q1', 'b q0'])
      await client.disconnect()
    })

    it('client.unsubscribe stops delivery to every subscription on the filter', async () => {
      const topic = uniqueTopic('unsub')
      const client = await open()
      const got: string[] = []
      const sub = await client.subscribe(topic, (m) => { got.push(m.text()) }, { qos: 1 })
      await client.publish(topic, 'before', { qos: 1 })
      await client.unsubscribe(topic)
      expect(sub.active).toBe(false)
      await client.publish(topic, 'after', { qos: 1 })
      // A marker on another subscription proves the broker processed everything published before it.
      const marker = uniqueTopic('marker')
      const seen = signal()
      await client.subscribe(marker, () => seen.resolve(), { qos: 1 })
      await client.publish(marker, 'x', { qos: 1 })
      await seen.promise
      expect(got).toEqual(['before'])
      await client.disconnect()
    })
  })
}

// A persistent session's queued messages arrive right after CONNACK, before the application has subscribed
// again. Written the obvious way (`await connect(url, { clean: false })`, then `await client.subscribe(filter,
// handler)`), a client must still hand them to that handler: they wait, unacknowledged, for a subscription that
// matches (unclaimedHoldMs). What none claims in time is acknowledged and dropped, counted and traced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type ClientOptions, type MqttClient, type TraceEntry } from '../src/index.js'
import { startMosquitto, traceCollector, uniqueId, uniqueTopic, until, type Mosquitto } from './helpers.js'

let broker: Mosquitto
beforeAll(async () => { broker = await startMosquitto() })
afterAll(async () => { await broker?.stop() })

for (const protocolVersion of [4, 5] as const) {
  describe(`MQTT ${protocolVersion === 4 ? '3.1.1' : '5'}: a resumed session's queued messages`, () => {
    const session = (clientId: string, more: ClientOptions = {}): ClientOptions => ({
      protocolVersion, clientId, clean: false, properties: { sessionExpiryInterval: 300 }, ...more,
    })

    /** A session subscribed to `filters` (QoS 1), then `count` QoS 1 messages queued for it on `topic`. */
    async function queued(clientId: string, filters: string[], topic: string, count: number): Promise<void> {
      const old = await connect(broker.url, session(clientId))
      for (const f of filters) await old.subscribe(f, () => {}, { qos: 1 })
      await old.disconnect()
      const pub = await connect(broker.url, { clientId: uniqueId('pub') })
      for (let i = 0; i < count; i++) await pub.publish(topic, `m${i}`, { qos: 1 })
      await pub.disconnect()
    }

    /** Connects the session again and waits until `count` PUBLISH packets have arrived, before anything subscribes. */
    async function resumedWithArrivals(clientId: string, count: number, more: ClientOptions = {}): Promise<{ client: MqttClient; entries: TraceEntry[] }> {
      const trace = traceCollector()
      const client = await connect(broker.url, session(clientId, { trace: { level: 'verbose', sink: trace.sink }, ...more }))
      expect(client.lastConnect?.sessionPresent).toBe(true)
      await until(() => trace.entries.filter((e) => e.message.startsWith('received PUBLISH')).length === count)
      return { client, entries: trace.entries }
    }

    /** A session with `count` messages queued on a topic of its own, connected again and with them arrived. */
    async function resumedWithQueued(prefix: string, count: number, more: ClientOptions = {}): Promise<{ id: string; topic: string; client: MqttClient; entries: TraceEntry[] }> {
      const id = uniqueId(prefix)
      const topic = uniqueTopic(prefix)
      await queued(id, [topic], topic, count)
      return { id, topic, ...(await resumedWithArrivals(id, count, more)) }
    }

    it('reach the handler of a subscribe() made after connect, in order, none lost', async () => {
      const id = uniqueId('held')
      const base = uniqueTopic('held')
      // Another filter first, as an application subscribes one after another (MQTT 5: this process gives it the
      // Subscription Identifier the queued messages carry from the earlier one).
      await queued(id, [`${base}/#`, `${base}-other/#`], `${base}/x`, 5)
      const { client } = await resumedWithArrivals(id, 5)
      await client.subscribe(`${base}-other/#`, () => {}, { qos: 1 })
      const got: string[] = []
      await client.subscribe(`${base}/#`, (m) => { got.push(m.text()) }, { qos: 1 })
      expect(got).toEqual(['m0', 'm1', 'm2', 'm3', 'm4'])
      expect(client.droppedMessages).toBe(0)
      await client.disconnect()
      // They were acknowledged: the session holds nothing more.
      const again = await connect(broker.url, session(id, { onMessage: (m) => { got.push(`again ${m.text()}`) } }))
      await again.publish(`${base}/x`, 'sentinel', { qos: 1 })
      await until(() => got.includes('again sentinel'))
      expect(got.slice(5)).toEqual(['again sentinel'])
      await again.disconnect()
    })

    it('keep their order within each subscription, and do not hold back the messages of others', async () => {
      const id = uniqueId('order')
      const base = uniqueTopic('order')
      const old = await connect(broker.url, session(id))
      await old.subscribe([`${base}/a`, `${base}/b`, `${base}/stale`], () => {}, { qos: 1 })
      await old.disconnect()
      const pub = await connect(broker.url, { clientId: uniqueId('pub') })
      const sent = [['stale', 's0'], ['a', 'a1'], ['b', 'b2'], ['a', 'a3'], ['b', 'b4']] as const
      for (const [t, text] of sent) await pub.publish(`${base}/${t}`, text, { qos: 1 })
      const { client } = await resumedWithArrivals(id, 5)
      const order: string[] = []
      // b first, then a; nothing ever subscribes to stale, whose message waits aside for unclaimedHoldMs.
      await client.subscribe(`${base}/b`, (m) => { order.push(m.text()) }, { qos: 1 })
      await client.subscribe(`${base}/a`, (m) => { order.push(m.text()) }, { qos: 1 })
      await until(() => order.length === 4)
      expect(order).toEqual(['b2', 'b4', 'a1', 'a3'])
      expect(client.droppedMessages).toBe(0)
      // A message that arrives now is delivered at once, not after the stale one's window.
      await pub.publish(`${base}/a`, 'a5', { qos: 1 })
      await until(() => order.length === 5)
      expect(order[4]).toBe('a5')
      await pub.disconnect()
      await client.disconnect()
    })

    it('reach the handler with orderMatters: false as well', async () => {
      const { topic, client } = await resumedWithQueued('unord', 3, { orderMatters: false })
      const got: string[] = []
      await client.subscribe(topic, (m) => { got.push(m.text()) }, { qos: 1 })
      expect(got).toEqual(['m0', 'm1', 'm2'])
      await client.disconnect()
    })

    it('reach a subscription iterated after connect', async () => {
      const { topic, client } = await resumedWithQueued('iter', 3)
      const texts: string[] = []
      for await (const m of await client.subscribe(topic, { qos: 1 })) {
        texts.push(m.text())
        if (texts.length === 3) break
      }
      expect(texts).toEqual(['m0', 'm1', 'm2'])
      await client.disconnect()
    })

    it("reach a 'message' listener added after connect (the MQTT.js way)", async () => {
      const { client } = await resumedWithQueued('listen', 3)
      const got: string[] = []
      client.on('message', (m) => { got.push(m.text()) })
      await until(() => got.length === 3)
      expect(got).toEqual(['m0', 'm1', 'm2'])
      await client.disconnect()
    })

    it('are acknowledged and dropped when no subscription claims them within unclaimedHoldMs, with a warning', async () => {
      const { id, topic, client, entries } = await resumedWithQueued('drop', 3, { unclaimedHoldMs: 200 })
      await until(() => client.droppedMessages === 3)
      const warnings = entries.filter((e) => e.level === 'warn' && e.component === 'message')
      expect(warnings.map((e) => e.message)).toEqual([
        `a message on ${topic} matched no subscription, onMessage or 'message' listener: dropped (warned once per connection; droppedMessages counts them)`,
      ])
      await client.disconnect()
      // Acknowledged: not sent again.
      const got: string[] = []
      const again = await connect(broker.url, session(id, { onMessage: (m) => { got.push(m.text()) } }))
      await again.publish(topic, 'sentinel', { qos: 1 })
      await until(() => got.includes('sentinel'))
      expect(got).toEqual(['sentinel'])
      await again.disconnect()
    })

    it('stay with the server when the client closes while they wait, and come again on the next connect', async () => {
      const { id, topic, client } = await resumedWithQueued('keep', 2)
      await client.disconnect()
      const { client: next } = await resumedWithArrivals(id, 2)
      const got: string[] = []
      await next.subscribe(topic, (m) => { got.push(m.text()) }, { qos: 1 })
      expect(got).toEqual(['m0', 'm1'])
      await next.disconnect()
    })

    it('are held within the dispatch backlog limits with orderMatters: false: beyond them the oldest are dropped', async () => {
      // Ordered dispatch holds one message at a time, in its place (the rest wait behind it in the backlog).
      const { topic, client } = await resumedWithQueued('bound', 5, { dispatchBacklog: { maxMessages: 2 } })
      expect(client.droppedMessages).toBe(3)
      const got: string[] = []
      await client.subscribe(topic, (m) => { got.push(m.text()) }, { qos: 1 })
      expect(got).toEqual(['m3', 'm4'])
      await client.disconnect()
    })
  })
}

// destroy() versus destroy({ discard: true }) with a persistent session: plain destroy keeps pending QoS 1/2
// messages in the store (the next client with that store sends them), discard gives them up at once:
// promises reject with DISCARDED and the store is emptied, also for a client that is already closed.
// The link is stalled with the fault proxy, so the messages are in flight (written, not acknowledged).
import { MemoryStore } from '@isomqtt/store'
import { describe, expect, it } from 'vitest'
import { connect, createClient, type Message, type MqttClient } from '../src/index.js'
import { signal, uniqueId, uniqueTopic, useBrokerBehindProxy } from './helpers.js'

const env = useBrokerBehindProxy()

/** The proxy drops the destroyed client's connection with the bytes it held, then forwards again. */
async function released(): Promise<void> {
  env.proxy.cut()
  env.proxy.resume()
}

async function storedKeys(store: MemoryStore, n: number): Promise<void> {
  const deadline = Date.now() + 10_000
  while ((await store.keys()).length < n) {
    if (Date.now() > deadline) throw new Error(`the store never held ${n} messages`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

/** A persistent-session client whose QoS 1 and QoS 2 publishes are stuck in flight behind a stalled proxy. */
async function stuck(topic: string): Promise<{ client: MqttClient; store: MemoryStore; id: string; pending: Array<Promise<unknown>> }> {
  const store = new MemoryStore()
  const id = uniqueId('dd')
  const client = createClient({ servers: [env.proxy.url()], clientId: id, clean: false, store, reconnect: false })
  await client.connect()
  env.proxy.stall()
  const pending = [client.publish(topic, 'one', { qos: 1 }), client.publish(topic, 'two', { qos: 2 })]
  await storedKeys(store, 2)
  return { client, store, id, pending }
}

/** What a subscriber gets once a new client with `store` and `id` connected and sent `sentinel` after it. */
async function nextRun(store: MemoryStore, id: string, topic: string, subscriber: { got: string[]; sentinel: Promise<Message> }): Promise<string[]> {
  const next = await connect(env.broker.url, { clientId: id, clean: false, store })
  await Promise.all(next.lastConnect!.resumed.map((r) => r.done))
  await next.publish(topic, 'sentinel', { qos: 1 })
  await subscriber.sentinel
  await next.disconnect()
  return subscriber.got.filter((t) => t !== 'sentinel')
}

async function subscriber(topic: string): Promise<{ client: MqttClient; got: string[]; sentinel: Promise<Message> }> {
  const got: string[] = []
  const s = signal<Message>()
  const client = await connect(env.broker.url, { clientId: uniqueId('ds') })
  await client.subscribe(topic, (m) => { got.push(m.text()); if (m.text() === 'sentinel') s.resolve(m) }, { qos: 2 })
  return { client, got, sentinel: s.promise }
}

describe('destroy with a persistent session', () => {
  it('plain destroy(): pending publishes reject CLOSED, stay in the store, and the next run sends them', async () => {
    const topic = uniqueTopic('dd')
    const sub = await subscriber(topic)
    const { client, store, id, pending } = await stuck(topic)
    client.destroy()
    for (const p of pending) await expect(p).rejects.toMatchObject({ code: 'CLOSED' })
    await released()
    await client.disconnect() // settles once the store is closed
    await store.open()
    expect(await store.keys()).toHaveLength(2)
    expect(await nextRun(store, id, topic, sub)).toEqual(['one', 'two'])
    await sub.client.disconnect()
  }, 30_000)

  it('destroy({ discard: true }): pending publishes reject DISCARDED, the store is emptied, nothing is sent later', async () => {
    const topic = uniqueTopic('dd')
    const sub = await subscriber(topic)
    const { client, store, id, pending } = await stuck(topic)
    // Made just before destroy: not even stored yet when it is given up.
    const late = client.publish(topic, 'three', { qos: 1 })
    client.destroy({ discard: true })
    await released()
    for (const p of [...pending, late]) await expect(p).rejects.toMatchObject({ code: 'DISCARDED' })
    await client.disconnect()
    await store.open()
    expect(await store.keys()).toEqual([])
    expect(await nextRun(store, id, topic, sub)).toEqual([])
    await sub.client.disconnect()
  }, 30_000)

  it('destroy({ discard: true }) on a closed client empties the session it left in the store', async () => {
    const topic = uniqueTopic('dd')
    const { client, store, pending } = await stuck(topic)
    client.destroy()
    await released()
    await Promise.allSettled(pending)
    await client.disconnect()
    client.destroy({ discard: true })
    await client.disconnect()
    await store.open()
    expect(await store.keys()).toEqual([])
  }, 30_000)
})

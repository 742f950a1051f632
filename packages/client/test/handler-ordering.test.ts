// orderMatters: handlers one at a time in arrival order, async ones awaited, without blocking reading,
// pinging or acknowledging; a throwing handler breaks nothing; publishing from a handler does not deadlock.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { connect, createClient, type Message } from '../src/index.js'
import { signal, startMosquitto, uniqueId, uniqueTopic, type Mosquitto } from './helpers.js'
import { accept, scripted } from './scripted-peer.js'

let broker: Mosquitto
beforeAll(async () => { broker = await startMosquitto() })
afterAll(async () => { await broker?.stop() })

const tick = (): Promise<void> => new Promise((r) => setImmediate(r))

describe('handler ordering against Mosquitto', () => {
  it('orderMatters: slow async handlers run one at a time, in arrival order, for every QoS', async () => {
    const topic = uniqueTopic('order')
    const client = await connect(broker.url, { clientId: uniqueId(), orderMatters: true })
    const seen: string[] = []
    let running = 0
    let maxRunning = 0
    const done = signal()
    await client.subscribe(`${topic}/#`, async (m) => {
      running++
      maxRunning = Math.max(maxRunning, running)
      // Earlier messages wait longer, so any overlap would reorder them.
      await new Promise((r) => setTimeout(r, Number(m.text()) % 3 === 0 ? 15 : 1))
      seen.push(m.text())
      running--
      if (seen.length === 30) done.resolve()
    }, { qos: 2 })
    const pubs = []
    for (let i = 0; i < 30; i++) pubs.push(client.publish(`${topic}/q`, String(i), { qos: 1 }))
    await Promise.all(pubs)
    await done.promise
    expect(maxRunning).toBe(1)
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => String(i)))
    await client.disconnect()
  })

  it('orderMatters false: async handlers may overlap', async () => {
    const topic = uniqueTopic('unordered')
    const client = await connect(broker.url, { clientId: uniqueId(), orderMatters: false })
    let running = 0
    let maxRunning = 0
    let count = 0
    const done = signal()
    const release = signal()
    await client.subscribe(topic, async () => {
      running++
      maxRunning = Math.max(maxRunning, running)
      if (++count === 5) release.resolve()
      await release.promise
      running--
      if (running === 0) done.resolve()
    }, { qos: 1 })
    for (let i = 0; i < 5; i++) await client.publish(topic, 'x', { qos: 1 })
    await done.promise
    expect(maxRunning).toBe(5)
    await client.disconnect()
  })

  it('a handler can publish and await its completion without deadlock', async () => {
    const topic = uniqueTopic('reply')
    const client = await connect(broker.url, { clientId: uniqueId(), orderMatters: true })
    const replied = signal<string>()
    await client.subscribe(`${topic}/reply`, (m) => replied.resolve(m.text()), { qos: 2 })
    await client.subscribe(`${topic}/request`, async (m) => {
      const r = await client.publish(`${topic}/reply`, `re:${m.text()}`, { qos: 2 })
      expect(r.qos).toBe(2)
    }, { qos: 2 })
    await client.publish(`${topic}/request`, 'ping', { qos: 2 })
    expect(await replied.promise).toBe('re:ping')
    await client.disconnect()
  })

  it('a handler can wait for a message on an iterated subscription (it does not queue behind that handler)', async () => {
    const topic = uniqueTopic('await-iter')
    const client = await connect(broker.url, { clientId: uniqueId(), orderMatters: true })
    const replies = await client.subscribe(`${topic}/reply`, { qos: 1 })
    const order: string[] = []
    client.on('message', (m) => order.push(m.topic.slice(topic.length + 1)))
    const got = signal<string>()
    await client.subscribe(`${topic}/cmd`, async (m) => {
      await client.publish(`${topic}/reply`, `re:${m.text()}`, { qos: 1 })
      const r = await replies[Symbol.asyncIterator]().next()
      got.resolve(r.done ? 'ended' : r.value.text())
    }, { qos: 1 })
    await client.publish(`${topic}/cmd`, 'ping', { qos: 1 })
    expect(await got.promise).toBe('re:ping')
    // Given once: the iterator had it at arrival, the queue's turn does not give it again.
    await client.publish(`${topic}/reply`, 'second', { qos: 1 })
    const next = await replies[Symbol.asyncIterator]().next()
    expect(next.done ? 'ended' : next.value.text()).toBe('second')
    expect(order).toEqual(['cmd', 'reply', 'reply'])
    await client.disconnect()
  }, 15_000)

  it('a throwing handler is reported on the error event and later messages still arrive', async () => {
    const topic = uniqueTopic('throws')
    const client = await connect(broker.url, { clientId: uniqueId() })
    const errors: Error[] = []
    client.on('error', (e) => errors.push(e))
    const got: string[] = []
    const done = signal()
    await client.subscribe(topic, async (m) => {
      if (m.text() === 'bad-sync') throw new Error('sync failure')
      if (m.text() === 'bad-async') { await tick(); throw new Error('async failure') }
      got.push(m.text())
      if (m.text() === 'good') done.resolve()
    }, { qos: 1 })
    await client.publish(topic, 'bad-sync', { qos: 1 })
    await client.publish(topic, 'bad-async', { qos: 1 })
    await client.publish(topic, 'good', { qos: 1 })
    await done.promise
    expect(errors.map((e) => e.message)).toEqual(['sync failure', 'async failure'])
    expect(client.connected).toBe(true)
    await client.disconnect()
  })

  it('with no error listener, a throwing handler is printed on stderr (neither silent nor fatal)', async () => {
    const topic = uniqueTopic('throws')
    const client = await connect(broker.url, { clientId: uniqueId() })
    const printed = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const done = signal()
      await client.subscribe(topic, (m) => {
        if (m.text() === 'bad') throw new Error('handler bug')
        done.resolve()
      }, { qos: 1 })
      await client.publish(topic, 'bad', { qos: 1 })
      await client.publish(topic, 'good', { qos: 1 })
      await done.promise
      expect(printed).toHaveBeenCalledTimes(1)
      expect(printed.mock.calls[0]![0]).toContain('isomqtt: unhandled error')
      expect((printed.mock.calls[0]![1] as Error).message).toBe('handler bug')
      expect(client.connected).toBe(true)
    } finally {
      printed.mockRestore()
      await client.disconnect()
    }
  })
})

describe('ordered dispatch never blocks the protocol (scripted peer)', () => {
  it('answers PINGRESP-driven keepalive and acknowledges other QoS 1 messages while a handler is stuck', async () => {
    const s = scripted()
    const stuck = signal()
    const entered = signal()
    const handled: number[] = []
    const client = createClient({
      servers: ['mqtt://scripted.invalid'], transport: s.transport, keepalive: 1, pingTimeoutMs: 500, orderMatters: true,
      onMessage: async (m: Message) => { if (m.packetId === 1) { entered.resolve(); await stuck.promise } handled.push(m.packetId!) },
    })
    const connecting = client.connect()
    const peer = await accept(s.nextPeer())
    await connecting
    const publish = (packetId: number) => ({ type: 'publish', topic: 'x', payload: new Uint8Array(), qos: 1, retain: false, dup: false, packetId } as const)
    peer.send(publish(1))
    await entered.promise
    // While message 1's handler is stuck, the client keeps pinging and stays connected.
    for (let i = 0; i < 2; i++) {
      await peer.expect('pingreq')
      peer.send({ type: 'pingresp' })
    }
    expect(client.connected).toBe(true)
    // Its own publish still completes (PUBACK read and processed).
    const mine = client.publish('out', 'y', { qos: 1 })
    const out = await peer.expect('publish')
    peer.send({ type: 'puback', packetId: out.packetId! })
    await expect(mine).resolves.toMatchObject({ qos: 1 })
    peer.send(publish(2))
    stuck.resolve()
    // Acknowledged after the handlers completed, in order.
    expect((await peer.expect('puback')).packetId).toBe(1)
    expect((await peer.expect('puback')).packetId).toBe(2)
    expect(handled).toEqual([1, 2])
    client.destroy()
  })
})

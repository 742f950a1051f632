// Scenario 6: publishes made while no connection is up (before the first connect, or while reconnecting)
// are queued within their limits, by the chosen policy, and leave in order before newer publishes.
// Publishers go through a proxy that decodes what they write, so the order is checked on the wire: the
// broker itself forwards a QoS 2 message only at PUBREL, so arrival order mixes QoS levels.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Parser } from '@isomqtt/codec'
import { FileStore } from '@isomqtt/store'
import { connect, createClient, type MqttClient, type PublishResult, type QoS } from '../src/index.js'
import { startFaultProxy, type FaultProxy } from '../../../tests/support/fault-proxy.js'
import { once, startMosquitto, uniqueId, uniqueTopic, type Mosquitto } from './helpers.js'
import { figures } from './resilience-helpers.js'

let broker: Mosquitto
let proxy: FaultProxy
let sub: MqttClient
beforeAll(async () => {
  broker = await startMosquitto()
  proxy = await startFaultProxy({ targetPort: broker.port })
  sub = await connect(broker.url, { clientId: uniqueId('os') })
})
afterAll(async () => {
  await sub?.disconnect()
  await proxy?.close()
  await broker?.stop()
})

/** The payloads of the PUBLISH packets clients write through the proxy, in wire order. */
function wire(): string[] {
  const parsers = new Map<number, Parser>()
  const decoder = new TextDecoder()
  const out: string[] = []
  proxy.tap((direction, chunk, conn) => {
    if (direction !== 'up') return
    let parser = parsers.get(conn)
    if (!parser) parsers.set(conn, (parser = new Parser({ version: 4 })))
    for (const p of parser.push(chunk)) if (p.type === 'publish') out.push(decoder.decode(p.payload))
  })
  return out
}

/** Subscribe and collect payloads in arrival order; `until(n)` resolves once n arrived. */
async function collect(topic: string): Promise<{ texts: string[]; until(n: number): Promise<void> }> {
  const texts: string[] = []
  let waiter: { n: number; resolve: () => void } | undefined
  await sub.subscribe(topic, (m) => {
    texts.push(m.text())
    if (waiter && texts.length >= waiter.n) waiter.resolve()
  }, { qos: 2 })
  return {
    texts,
    until: (n) => texts.length >= n ? Promise.resolve() : new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`only ${texts.length} of ${n} arrived`)), 10_000)
      waiter = { n, resolve: () => { clearTimeout(t); resolve() } }
    }),
  }
}

describe('offline queue', () => {
  it('publishes made before the first connect leave in order, QoS 0/1/2 mixed, before newer publishes', async () => {
    const topic = uniqueTopic('oq')
    const c = await collect(topic)
    const sent = wire()
    const client = createClient({ servers: [proxy.url()], clientId: uniqueId('oq') })
    const early: Promise<PublishResult>[] = []
    for (let i = 0; i < 30; i++) early.push(client.publish(topic, `early-${i}`, { qos: (i % 3) as QoS }))
    await client.connect()
    const late = [client.publish(topic, 'late-0', { qos: 1 }), client.publish(topic, 'late-1', { qos: 2 })]
    const results = await Promise.all([...early, ...late])
    expect(results.map((r) => r.qos)).toEqual([...Array.from({ length: 30 }, (_, i) => i % 3), 1, 2])
    await c.until(32)
    const expected = [...Array.from({ length: 30 }, (_, i) => `early-${i}`), 'late-0', 'late-1']
    expect(sent).toEqual(expected)
    expect([...c.texts].sort()).toEqual([...expected].sort())
    await client.disconnect()
  })

  it("'reject' refuses publishes beyond maxMessages / maxBytes with QUEUE_FULL; what was queued still goes", async () => {
    const topic = uniqueTopic('oq')
    const c = await collect(topic)
    const client = createClient({ servers: [broker.url], clientId: uniqueId('oq'), offlineQueue: { maxMessages: 3, maxBytes: 1000 } })
    const ok = [0, 1, 2].map((i) => client.publish(topic, `m${i}`, { qos: 1 }))
    await expect(client.publish(topic, 'm3', { qos: 1 })).rejects.toMatchObject({ code: 'QUEUE_FULL' })
    await expect(client.publish(topic, 'm4', { qos: 0 })).rejects.toMatchObject({ code: 'QUEUE_FULL' })
    const big = createClient({ servers: [broker.url], offlineQueue: { maxBytes: 100 } })
    await expect(big.publish(topic, 'x'.repeat(200), { qos: 1 })).rejects.toMatchObject({ code: 'QUEUE_FULL' })
    await client.connect()
    await Promise.all(ok)
    await c.until(3)
    expect(c.texts).toEqual(['m0', 'm1', 'm2'])
    await client.disconnect()
  })

  it("'dropOldest' rejects the dropped messages with DROPPED and sends the rest in order", async () => {
    const topic = uniqueTopic('oq')
    const c = await collect(topic)
    const sent = wire()
    const client = createClient({ servers: [proxy.url()], clientId: uniqueId('oq'), offlineQueue: { maxMessages: 3, overflow: 'dropOldest' } })
    const all = [0, 1, 2, 3, 4].map((i) => client.publish(topic, `m${i}`, { qos: (i % 2 === 0 ? 1 : 2) as QoS }))
    const outcomes = Promise.allSettled(all)
    await client.connect()
    const settled = await outcomes
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled'])
    expect((settled[0] as PromiseRejectedResult).reason.code).toBe('DROPPED')
    await c.until(3)
    expect(sent).toEqual(['m2', 'm3', 'm4'])
    expect([...c.texts].sort()).toEqual(['m2', 'm3', 'm4'])
    await client.disconnect()
  })

  it("qos0: 'drop' rejects QoS 0 publishes while offline (never reported sent), QoS 1 still queues", async () => {
    const topic = uniqueTopic('oq')
    const c = await collect(topic)
    const client = createClient({ servers: [broker.url], clientId: uniqueId('oq'), offlineQueue: { qos0: 'drop' } })
    await expect(client.publish(topic, 'q0', { qos: 0 })).rejects.toMatchObject({ code: 'NOT_CONNECTED' })
    const q1 = client.publish(topic, 'q1', { qos: 1 })
    await client.connect()
    await q1
    await c.until(1)
    expect(c.texts).toEqual(['q1'])
    await client.disconnect()
  })

  it('publishes made while reconnecting are queued and leave in order once the link is back', async () => {
    const topic = uniqueTopic('oq')
    const c = await collect(topic)
    const sent = wire()
    const client = createClient({ servers: [proxy.url()], clientId: uniqueId('oq'), reconnect: { minDelayMs: 20, maxDelayMs: 100 } })
    await client.connect()
    await client.publish(topic, 'before', { qos: 1 })
    proxy.refuse(true)
    const lost = once(client, 'connectionLost')
    proxy.cut()
    await lost
    const reconnecting = once(client, 'reconnecting')
    const queued = Array.from({ length: 20 }, (_, i) => client.publish(topic, `offline-${i}`, { qos: (i % 3) as QoS }))
    await reconnecting
    const back = once(client, 'connect')
    const downMs = Date.now()
    proxy.refuse(false)
    await back
    const newer = client.publish(topic, 'after', { qos: 1 })
    await Promise.all([...queued, newer])
    await c.until(22)
    figures('offline queue while reconnecting', { queued: queued.length, recoverMs: Date.now() - downMs })
    const expected = ['before', ...Array.from({ length: 20 }, (_, i) => `offline-${i}`), 'after']
    expect(sent).toEqual(expected)
    expect([...c.texts].sort()).toEqual([...expected].sort())
    await client.disconnect()
  })

  it('QoS 1/2 publishes queued offline are in the store: a new client on the same FileStore sends them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'isomqtt-oq-'))
    try {
      const topic = uniqueTopic('oq')
      const c = await collect(topic)
      const clientId = uniqueId('oq')
      const first = createClient({ servers: [broker.url], clientId, clean: false, store: new FileStore(dir) })
      const queued = [0, 1, 2].map((i) => first.publish(topic, `stored-${i}`, { qos: (i === 1 ? 2 : 1) as QoS }))
      const outcomes = Promise.allSettled(queued)
      await first.disconnect()
      // disconnect() ends the client, so the promises reject, but the messages stay in its store.
      expect((await outcomes).map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected'])
      const sent = wire()
      const second = createClient({ servers: [proxy.url()], clientId, clean: false, store: new FileStore(dir) })
      const result = await second.connect()
      expect(result.resumed.map((r) => r.topic)).toEqual([topic, topic, topic])
      await Promise.all(result.resumed.map((r) => r.done))
      await c.until(3)
      expect(sent).toEqual(['stored-0', 'stored-1', 'stored-2'])
      expect([...c.texts].sort()).toEqual(['stored-0', 'stored-1', 'stored-2'])
      await second.disconnect()
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

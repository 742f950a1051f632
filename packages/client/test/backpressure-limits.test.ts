// Write batching, backpressure and bounds against a scripted peer that can stop reading:
// one write per tick, one drain listener however many publishes wait, maxQueued, maxInflight,
// writeTimeoutMs, and packet ids when all 65535 are in flight.
import { MemoryStore } from '@isomqtt/store'
import { describe, expect, it } from 'vitest'
import { createClient, type MqttClient, type PublishResult, type Transport, type TransportFactory } from '../src/index.js'
import { accept, scripted, type ScriptedPeer } from './scripted-peer.js'

type Counted = Transport & { listenerCount(e: string): number }

/** Wraps a factory to count write() calls on the client's transport. */
function counting(factory: TransportFactory): { transport: TransportFactory; writes: () => number; socket: () => Counted } {
  let writes = 0
  let socket: Counted | undefined
  return {
    transport: async (url, opts) => {
      const t = (await factory(url, opts)) as Counted
      const write = t.write.bind(t)
      t.write = (chunk: Uint8Array) => { writes++; return write(chunk) }
      socket = t
      return t
    },
    writes: () => writes,
    socket: () => socket!,
  }
}

async function setup(options: Parameters<typeof createClient>[0] = {}): Promise<{ client: MqttClient; peer: ScriptedPeer; writes: () => number; socket: () => Counted }> {
  const s = scripted()
  const c = counting(s.transport)
  const client = createClient({ servers: ['mqtt://scripted.invalid'], transport: c.transport, ...options })
  const connecting = client.connect()
  const peer = await accept(s.nextPeer())
  await connecting
  return { client, peer, writes: c.writes, socket: c.socket }
}

describe('batching and backpressure', () => {
  it('packets published in the same tick leave in one write', async () => {
    const { client, peer, writes } = await setup()
    const before = writes()
    const all = []
    for (let i = 0; i < 200; i++) all.push(client.publish('t', `m${i}`))
    await Promise.all(all)
    expect(writes() - before).toBe(1)
    for (let i = 0; i < 200; i++) expect((await peer.expect('publish')).payload).toEqual(new TextEncoder().encode(`m${i}`))
    client.destroy()
  })

  it('QoS 1 publishes made in the same tick are stored together and leave in one write', async () => {
    const { client, peer, writes } = await setup()
    const before = writes()
    const all = Array.from({ length: 200 }, (_, i) => client.publish('t', `m${i}`, { qos: 1 }))
    for (let i = 0; i < 200; i++) {
      const p = await peer.expect('publish')
      expect(p.packetId).toBe(i + 1)
    }
    expect(writes() - before).toBe(1)
    for (let i = 1; i <= 200; i++) peer.send({ type: 'puback', packetId: i })
    await Promise.all(all)
    client.destroy()
  })

  it('waits for drain with one listener however many publishes are queued, and loses nothing', async () => {
    const { client, peer, socket } = await setup()
    ;(peer.socket as unknown as { pause(): void }).pause()
    const payload = new Uint8Array(1024)
    const all: Array<Promise<PublishResult>> = []
    for (let i = 0; i < 5000; i++) all.push(client.publish('t', payload, { qos: i % 2 === 0 ? 0 : 1 }))
    await new Promise((r) => setTimeout(r, 20))
    expect(socket().listenerCount('drain')).toBeLessThanOrEqual(2)
    let acked = 0
    const counted = new Promise<void>((resolve) => {
      peer.socket.on('data', () => {
        const publishes = peer.received.filter((p) => p.type === 'publish')
        for (const p of publishes.slice(acked)) if (p.type === 'publish' && p.qos === 1) peer.send({ type: 'puback', packetId: p.packetId! })
        acked = publishes.length
        if (acked === 5000) resolve()
      })
    })
    ;(peer.socket as unknown as { resume(): void }).resume()
    await counted
    const results = await Promise.all(all)
    expect(results.filter((r) => r.qos === 1)).toHaveLength(2500)
    client.destroy()
  })

  it('maxQueued: a publish beyond it rejects with QUEUE_FULL and is not sent', async () => {
    const { client, peer } = await setup({ maxQueued: 10 })
    const results = await Promise.allSettled(Array.from({ length: 15 }, (_, i) => client.publish('t', `m${i}`)))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10)
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    expect(rejected).toHaveLength(5)
    for (const r of rejected) expect(r.reason).toMatchObject({ code: 'QUEUE_FULL' })
    await client.publish('t', 'marker')
    const texts: string[] = []
    for (let i = 0; i < 11; i++) texts.push(new TextDecoder().decode((await peer.expect('publish')).payload))
    expect(texts).toEqual([...Array.from({ length: 10 }, (_, i) => `m${i}`), 'marker'])
    client.destroy()
  })

  it('maxInflight: publishes beyond it wait for an acknowledgement, in order', async () => {
    const { client, peer } = await setup({ maxInflight: 2 })
    const pubs = Array.from({ length: 4 }, (_, i) => client.publish('t', `m${i}`, { qos: 1 }))
    const first = await peer.expect('publish')
    const second = await peer.expect('publish')
    await new Promise((r) => setTimeout(r, 20))
    expect(peer.received.filter((p) => p.type === 'publish')).toHaveLength(2)
    peer.send({ type: 'puback', packetId: first.packetId! })
    const third = await peer.expect('publish')
    expect(new TextDecoder().decode(third.payload)).toBe('m2')
    peer.send({ type: 'puback', packetId: second.packetId! }, { type: 'puback', packetId: third.packetId! })
    const fourth = await peer.expect('publish')
    peer.send({ type: 'puback', packetId: fourth.packetId! })
    await Promise.all(pubs)
    client.destroy()
  })

  it('writeTimeoutMs: a publish that cannot be written in time rejects with TIMEOUT, leaves the store, and is never sent', async () => {
    const store = new MemoryStore()
    const { client, peer } = await setup({ writeTimeoutMs: 100, store })
    ;(peer.socket as unknown as { pause(): void }).pause()
    // Fill the pipe: this one is handed to the transport, which then reports full.
    const big = client.publish('big', new Uint8Array(256 * 1024))
    await big
    const late0 = client.publish('late', 'zero')
    const late1 = client.publish('late', 'one', { qos: 1 })
    await expect(late0).rejects.toMatchObject({ code: 'TIMEOUT' })
    await expect(late1).rejects.toMatchObject({ code: 'TIMEOUT' })
    expect(await store.keys()).toEqual([])
    ;(peer.socket as unknown as { resume(): void }).resume()
    await client.publish('after', 'x')
    const topics = []
    for (let i = 0; i < 2; i++) topics.push((await peer.expect('publish')).topic)
    expect(topics).toEqual(['big', 'after'])
    client.destroy()
  })

  it('never reuses a packet id in flight: with all 65535 in use the next publish waits for a free one', async () => {
    const { client, peer } = await setup({ maxInflight: 65535 })
    const pubs = Array.from({ length: 65536 }, () => client.publish('t', '', { qos: 1 }))
    await new Promise<void>((resolve) => {
      const check = (): void => { if (peer.received.length >= 65536) resolve(); else setTimeout(check, 10) }
      check()
    })
    const ids = new Set(peer.received.filter((p) => p.type === 'publish').map((p) => (p as { packetId: number }).packetId))
    expect(ids.size).toBe(65535)
    peer.send({ type: 'puback', packetId: 17 })
    const last = await new Promise<number>((resolve) => {
      const check = (): void => {
        const p = peer.received.filter((x) => x.type === 'publish')
        if (p.length === 65536) resolve((p[65535] as { packetId: number }).packetId)
        else setTimeout(check, 5)
      }
      check()
    })
    expect(last).toBe(17)
    await expect(pubs[16]).resolves.toMatchObject({ packetId: 17 })
    client.destroy()
    await Promise.allSettled(pubs)
  })
})

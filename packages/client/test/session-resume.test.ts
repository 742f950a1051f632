// Persistent sessions: in-flight QoS 1/2 messages resume in their original order (PUBLISH with DUP, PUBREL
// past PUBREC) across a broker restart and across a crash of the client process with a FileStore.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { encode, Parser, type Packet } from '@isomqtt/codec'
import { FileStore, MemoryStore } from '@isomqtt/store'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, createClient, type Message } from '../src/index.js'
import { signal, startMosquitto, uniqueId, uniqueTopic, type Mosquitto } from './helpers.js'
import { accept, scripted } from './scripted-peer.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))

let broker: Mosquitto
beforeAll(async () => { broker = await startMosquitto({ persistence: true }) })
afterAll(async () => { await broker?.stop() })

/** A TCP server that accepts CONNECT and never completes a publish, except PUBREC for QoS 2 id `pubrecFor`. */
async function blackHole(onPublish: (p: Packet, socket: Socket) => void): Promise<{ server: Server; url: string }> {
  const server = createServer((socket) => {
    const parser = new Parser({ version: 4 })
    socket.on('error', () => {})
    socket.on('data', (chunk) => {
      for (const p of parser.push(chunk)) {
        if (p.type === 'connect') socket.write(encode({ type: 'connack', sessionPresent: false, reasonCode: 0 }, 4))
        else onPublish(p, socket)
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { server, url: `mqtt://127.0.0.1:${(server.address() as { port: number }).port}` }
}

describe('session resume', () => {
  it('resends stored messages in order with DUP set, and PUBREL for one past PUBREC (scripted peer)', async () => {
    const s = scripted()
    const store = new MemoryStore()
    const first = createClient({ servers: ['mqtt://scripted.invalid'], clientId: 'resume-1', clean: false, store, transport: s.transport })
    const c1 = first.connect()
    const peer1 = await accept(s.nextPeer())
    await c1
    const pubs = [first.publish('a', '1', { qos: 1 }), first.publish('b', '2', { qos: 2 }), first.publish('c', '3', { qos: 2 })]
    void Promise.allSettled(pubs)
    await peer1.expect('publish')
    const second = await peer1.expect('publish')
    await peer1.expect('publish')
    peer1.send({ type: 'pubrec', packetId: second.packetId! })
    await peer1.expect('pubrel')
    // The connection drops: with a persistent session the promises stay pending.
    const lost = new Promise<void>((r) => first.once('connectionLost', () => r()))
    peer1.drop()
    await lost
    const c2 = first.connect()
    const peer2 = await accept(s.nextPeer(), true)
    const result = await c2
    expect(result.sessionPresent).toBe(true)
    expect(result.resumed.map((r) => [r.packetId, r.topic, r.stage])).toEqual([[1, 'a', 'publish'], [2, 'b', 'pubrel'], [3, 'c', 'publish']])
    const r1 = await peer2.expect('*')
    const r2 = await peer2.expect('*')
    const r3 = await peer2.expect('*')
    expect(r1).toMatchObject({ type: 'publish', packetId: 1, dup: true, topic: 'a' })
    expect(r2).toMatchObject({ type: 'pubrel', packetId: 2 })
    expect(r3).toMatchObject({ type: 'publish', packetId: 3, dup: true, topic: 'c', qos: 2 })
    peer2.send({ type: 'puback', packetId: 1 }, { type: 'pubcomp', packetId: 2 }, { type: 'pubrec', packetId: 3 })
    await peer2.expect('pubrel')
    peer2.send({ type: 'pubcomp', packetId: 3 })
    // The original promises and the receipts settle together at completion.
    await expect(Promise.all(pubs)).resolves.toEqual([
      { packetId: 1, qos: 1, reasonCode: 0 }, { packetId: 2, qos: 2, reasonCode: 0 }, { packetId: 3, qos: 2, reasonCode: 0 },
    ])
    await Promise.all(result.resumed.map((r) => r.done))
    expect(await store.keys()).toEqual([])
    first.destroy()
  })

  it('clean: true empties the store and resumes nothing', async () => {
    const store = new MemoryStore()
    await store.open()
    await store.put('o.3', encode({ type: 'publish', topic: 'old', payload: new Uint8Array(), qos: 1, retain: false, dup: false, packetId: 3 }, 4))
    await store.put('i.9', encode({ type: 'pubrec', packetId: 9 }, 4))
    const client = await connect(broker.url, { clientId: uniqueId('cl'), clean: true, store })
    expect(client.lastConnect).toEqual({ sessionPresent: false, resumed: [] })
    await client.disconnect()
    await store.open()
    expect(await store.keys()).toEqual([])
  })

  it('holds an inbound QoS 2 id across a reconnect so a redelivered PUBLISH is not delivered twice', async () => {
    const s = scripted()
    const got: Message[] = []
    const client = createClient({ servers: ['mqtt://scripted.invalid'], clientId: 'resume-2', clean: false, transport: s.transport, onMessage: (m) => { got.push(m) } })
    const c1 = client.connect()
    const peer1 = await accept(s.nextPeer())
    await c1
    const publish = { type: 'publish', topic: 'in', payload: new Uint8Array([9]), qos: 2, retain: false, dup: false, packetId: 5 } as const
    peer1.send(publish)
    await peer1.expect('pubrec')
    peer1.drop()
    await new Promise<void>((r) => client.once('connectionLost', () => r()))
    const c2 = client.connect()
    const peer2 = await accept(s.nextPeer(), true)
    await c2
    peer2.send({ ...publish, dup: true })
    expect(await peer2.expect('pubrec')).toMatchObject({ packetId: 5 })
    peer2.send({ type: 'pubrel', packetId: 5 })
    expect(await peer2.expect('pubcomp')).toMatchObject({ packetId: 5 })
    expect(got).toHaveLength(1)
    client.destroy()
  })

  it('loses nothing across a broker restart: pending publishes complete after reconnecting', async () => {
    const topic = uniqueTopic('restart')
    const subId = uniqueId('rs')
    const pubId = uniqueId('rp')
    const received = new Set<string>()
    const all = signal()
    const subscriber = await connect(broker.url, { clientId: subId, clean: false })
    await subscriber.subscribe(topic, (m) => { received.add(m.text()); if (received.size === 200) all.resolve() }, { qos: 2 })
    const publisher = await connect(broker.url, { clientId: pubId, clean: false })
    const pubLost = new Promise<void>((r) => publisher.once('connectionLost', () => r()))
    const subLost = new Promise<void>((r) => subscriber.once('connectionLost', () => r()))
    const pubs = Array.from({ length: 200 }, (_, i) => publisher.publish(topic, `m${i}`, { qos: i % 2 === 0 ? 1 : 2 }))
    await new Promise((r) => setImmediate(r))
    await broker.restart()
    await pubLost
    await subLost
    const resumedPub = await publisher.connect()
    expect(resumedPub.sessionPresent).toBe(true)
    const resumedSub = await subscriber.connect()
    expect(resumedSub.sessionPresent).toBe(true)
    const results = await Promise.all(pubs)
    expect(results.every((r) => r.packetId! > 0)).toBe(true)
    await all.promise
    expect(received.size).toBe(200)
    await publisher.disconnect()
    await subscriber.disconnect()
  })

  it('resumes after the client process crashed, from a FileStore, and every message arrives', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'isomqtt-client-filestore-'))
    const topic = 'resume/file'
    const clientId = uniqueId('fs')
    const seenByHole: Packet[] = []
    const written = signal()
    const hole = await blackHole((p, socket) => {
      seenByHole.push(p)
      // Acknowledge the first QoS 2 message's PUBLISH, so its PUBREL stage is what the store holds.
      if (p.type === 'publish' && p.packetId === 2) socket.write(encode({ type: 'pubrec', packetId: 2 }, 4))
      if (seenByHole.filter((x) => x.type === 'publish').length === 6 && seenByHole.some((x) => x.type === 'pubrel')) written.resolve()
    })
    const watcher = await connect(broker.url, { clientId: uniqueId('fw') })
    const got: string[] = []
    await watcher.subscribe(topic, (m) => { got.push(m.text()) }, { qos: 2 })
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'packages/client/test/fixtures/publish-then-crash.ts'), hole.url, dir, clientId], {
      cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, TSX_TSCONFIG_PATH: join(root, 'examples/node/tsconfig.json') },
    })
    await written.promise
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGKILL')
    await exited
    hole.server.close()

    const client = createClient({ servers: [broker.url], clientId, clean: false, store: new FileStore(dir) })
    const { resumed } = await client.connect()
    expect(resumed.map((r) => [r.packetId, r.stage])).toEqual([[1, 'publish'], [2, 'pubrel'], [3, 'publish'], [4, 'publish'], [5, 'publish'], [6, 'publish']])
    expect(resumed.map((r) => r.topic)).toEqual([topic, undefined, topic, topic, topic, topic])
    const results = await Promise.all(resumed.map((r) => r.done))
    expect(results.map((r) => r.qos)).toEqual([1, 2, 1, 2, 1, 2])
    // m1 went through PUBREC at the black hole: delivering it is that server's business, not Mosquitto's.
    const marker = signal()
    await watcher.subscribe(`${topic}/marker`, () => marker.resolve(), { qos: 1 })
    await client.publish(`${topic}/marker`, 'x', { qos: 1 })
    await marker.promise
    expect(got.sort()).toEqual(['m0', 'm2', 'm3', 'm4', 'm5'])
    await client.disconnect()
    await watcher.disconnect()
    await rm(dir, { recursive: true, force: true })
  })
})

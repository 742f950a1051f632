// disconnect() and destroy(): quiesce, DISCONNECT, always settling, no onConnectionLost, `connected` telling
// the truth, and a disconnected client connecting again.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTcpTransport } from '@isomqtt/transport'
import { connect, createClient, MqttError, type Transport, type TransportFactory } from '../src/index.js'
import { startMosquitto, uniqueId, uniqueTopic, type Mosquitto } from './helpers.js'
import { accept, connectScripted, scripted } from './scripted-peer.js'

let broker: Mosquitto
beforeAll(async () => { broker = await startMosquitto() })
afterAll(async () => { await broker?.stop() })

describe('disconnect and destroy', () => {
  it('disconnect sends DISCONNECT, closes, and does not call onConnectionLost', async () => {
    const lost = vi.fn()
    const { client, peer } = await connectScripted({ onConnectionLost: lost })
    expect(client.connected).toBe(true)
    const closed = new Promise<void>((r) => client.once('close', () => r()))
    await client.disconnect()
    await closed
    expect(client.connected).toBe(false)
    await peer.expect('disconnect')
    await peer.whenClosed()
    expect(lost).not.toHaveBeenCalled()
  })

  it('disconnect resolves once the broker has closed the connection (Mosquitto)', async () => {
    // The built-in TCP transport, watched: did its socket close before disconnect() resolved?
    let socketClosed = false
    const watched: TransportFactory = async (url, options) => {
      const t = await createTcpTransport(url, options)
      t.on('close', () => { socketClosed = true })
      return t
    }
    const client = await connect(broker.url, { clientId: uniqueId('linger'), transport: watched })
    await client.disconnect()
    expect(socketClosed).toBe(true)
  })

  it('disconnect still settles when the server keeps the connection open after DISCONNECT', async () => {
    // A transport that never reports 'close' or 'end': like a server that ignores DISCONNECT.
    const s = scripted()
    const silent: TransportFactory = async (url, options) => {
      const t = await s.transport(url, options)
      const quiet: Transport = {
        write: (chunk) => t.write(chunk),
        end: () => t.end(),
        destroy: (e) => t.destroy(e),
        on: (event, fn) => (event === 'close' || event === 'end' ? quiet : t.on(event, fn)),
        removeListener: (event, fn) => t.removeListener(event, fn),
      }
      return quiet
    }
    const client = createClient({ servers: ['mqtt://scripted.invalid'], transport: silent })
    const connecting = client.connect()
    const peer = await accept(s.nextPeer())
    await connecting
    await client.disconnect()
    await peer.expect('disconnect')
    expect(client.connected).toBe(false)
  }, 10_000)

  it('quiesce waits for an in-flight QoS 1 publish, then disconnects', async () => {
    const { client, peer } = await connectScripted()
    const pub = client.publish('t', 'x', { qos: 1 })
    const out = await peer.expect('publish')
    const leaving = client.disconnect({ quiesceMs: 10_000 })
    expect(client.connected).toBe(false)
    peer.send({ type: 'puback', packetId: out.packetId! })
    await expect(pub).resolves.toMatchObject({ qos: 1 })
    await leaving
    await peer.expect('disconnect')
  })

  it('quiesce gives up after quiesceMs and rejects what is still in flight with CLOSED', async () => {
    const { client, peer } = await connectScripted()
    const pub = client.publish('t', 'x', { qos: 2 })
    await peer.expect('publish')
    await client.disconnect({ quiesceMs: 50 })
    await expect(pub).rejects.toMatchObject({ code: 'CLOSED' })
    await peer.expect('disconnect')
  })

  it('disconnect with a quiesceMs no timer can hold rejects at the call and leaves the client connected', async () => {
    const { client, peer } = await connectScripted()
    for (const quiesceMs of [-1, Number.NaN, 2 ** 31]) {
      await expect(client.disconnect({ quiesceMs })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('quiesceMs') })
    }
    expect(client.connected).toBe(true)
    await client.disconnect()
    await peer.expect('disconnect')
  })

  it('disconnect settles even when the server never answers, and while connecting', async () => {
    const s = scripted()
    const client = createClient({ servers: ['mqtt://scripted.invalid'], transport: s.transport })
    const connecting = client.connect()
    await (await s.nextPeer()).expect('connect')
    await client.disconnect()
    await expect(connecting).rejects.toMatchObject({ code: 'ABORTED' })
    await client.disconnect()
    await createClient({}).disconnect()
  })

  it('destroy drops the connection without DISCONNECT and without onConnectionLost', async () => {
    const lost = vi.fn()
    const { client, peer } = await connectScripted({ onConnectionLost: lost })
    const pub = client.publish('t', 'x', { qos: 1 })
    await peer.expect('publish')
    client.destroy()
    expect(client.connected).toBe(false)
    await peer.whenClosed()
    await expect(pub).rejects.toMatchObject({ code: 'CLOSED' })
    expect(peer.received.map((p) => p.type)).not.toContain('disconnect')
    expect(lost).not.toHaveBeenCalled()
  })

  it('a disconnected client connects again and works (Mosquitto)', async () => {
    const topic = uniqueTopic('again')
    const client = await connect(broker.url, { clientId: uniqueId() })
    await client.disconnect()
    await expect(client.publish(topic, 'x')).rejects.toMatchObject({ code: 'NOT_CONNECTED' })
    await client.connect()
    expect(client.connected).toBe(true)
    const sub = await client.subscribe(topic, undefined, { qos: 1 })
    await client.publish(topic, 'second life', { qos: 1 })
    const next = await sub[Symbol.asyncIterator]().next()
    expect(next.value?.text()).toBe('second life')
    client.destroy()
    await client.connect()
    expect(client.connected).toBe(true)
    await client.disconnect()
  })

  it('reports a broker going away through onConnectionLost and `connected`', async () => {
    const own = await startMosquitto()
    const errors: Error[] = []
    const client = await connect(own.url, { clientId: uniqueId(), onConnectionLost: (e) => errors.push(e) })
    const lost = new Promise<void>((r) => client.once('connectionLost', () => r()))
    await own.stop()
    await lost
    expect(client.connected).toBe(false)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(MqttError)
  })

  it('publish and subscribe reject with NOT_CONNECTED before connect, invalid input at the call', async () => {
    // QoS 0 publishes made before connect are queued unless the offline queue is told to drop them.
    const client = createClient({ servers: [broker.url], offlineQueue: { qos0: 'drop' } })
    await expect(client.publish('a', 'x')).rejects.toMatchObject({ code: 'NOT_CONNECTED' })
    await expect(client.subscribe('a')).rejects.toMatchObject({ code: 'NOT_CONNECTED' })
    await expect(client.publish('a/+', 'x')).rejects.toMatchObject({ code: 'INVALID_TOPIC' })
    await expect(client.publish('', 'x')).rejects.toMatchObject({ code: 'INVALID_TOPIC' })
    await expect(client.publish('a', 'x', { qos: 3 as 0 })).rejects.toMatchObject({ code: 'INVALID_QOS' })
    await expect(client.subscribe('a/#/b')).rejects.toMatchObject({ code: 'INVALID_TOPIC' })
    await expect(client.subscribe('a', undefined, { qos: 5 as 0 })).rejects.toMatchObject({ code: 'INVALID_QOS' })
  })

  it('QoS 0 publishes left unawaited never become unhandled rejections when given up; awaited, they still reject', async () => {
    // A fire-and-forget QoS 0 publish that is lost (which QoS 0 allows) must not end a Node process.
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown): void => { unhandled.push(reason) }
    process.on('unhandledRejection', onUnhandled)
    try {
      const idle = createClient({ servers: [broker.url] })
      void idle.publish('a', 'queued offline, then dropped at disconnect')
      const awaited = idle.publish('a', 'the same, awaited')
      await idle.disconnect()
      await expect(awaited).rejects.toBeInstanceOf(MqttError)
      void idle.publish('a', 'after close')
      void createClient({ servers: [broker.url], offlineQueue: { qos0: 'drop' } }).publish('a', 'dropped offline')
      const { client } = await connectScripted({ maxQueued: 1 })
      void client.publish('t', 'written in this tick, then destroyed')
      void client.publish('t', 'beyond maxQueued')
      client.destroy()
      // Unhandled rejections are reported once the microtask queue has drained: two turns of the loop.
      for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r))
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('arguments of the wrong type (JavaScript callers) reject at the call with a typed error saying what was given', async () => {
    const client = createClient({ servers: [broker.url] })
    const bad = (v: unknown) => v as never
    const rejects = (p: Promise<unknown>, code: string, message: string) => expect(p).rejects.toMatchObject({ code, message })
    await rejects(client.publish('a', bad(42)), 'INVALID_ARGUMENT', 'payload must be a string or a Uint8Array, not number')
    await rejects(client.publish('a', bad({ v: 1 })), 'INVALID_ARGUMENT', 'payload must be a string or a Uint8Array, not an object')
    await rejects(client.publish('a', bad(new ArrayBuffer(2))), 'INVALID_ARGUMENT', 'payload must be a string or a Uint8Array, not ArrayBuffer')
    await rejects(client.publish(bad(7), 'x'), 'INVALID_TOPIC', 'Topic Name must be a string, not number')
    await rejects(client.publish('a', 'x', { qos: bad('1') }), 'INVALID_QOS', "QoS must be 0, 1 or 2, not the string '1'")
    await rejects(client.subscribe(bad(42)), 'INVALID_ARGUMENT', 'subscribe takes a topic filter, or an array of filters or { filter } entries, not number')
    await rejects(client.subscribe([bad(null)]), 'INVALID_TOPIC', 'Topic Filter must be a string, not undefined')
    // MQTT.js's argument order (filter, options, callback):
    await rejects(client.subscribe('a', bad({ qos: 1 }), bad(() => {})), 'INVALID_ARGUMENT', 'subscribe(filters, handler, options): the handler must be a function, not an object')
    expect(() => createClient({ username: 'u', password: bad(1234) })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'password must be a string or a Uint8Array, not number' }))
    expect(() => createClient({ will: { topic: 'w', payload: bad(null) } })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'will payload must be a string or a Uint8Array, not null' }))
  })
})

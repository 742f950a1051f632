// Byte-exact behaviour against a scripted peer: what a real broker will not produce on demand.
import { encode } from '@isomqtt/codec'
import { describe, expect, it, vi } from 'vitest'
import { createClient, MqttError, type Message } from '../src/index.js'
import { once, signal, traceCollector } from './helpers.js'
import { accept, scripted } from './scripted-peer.js'

const url = 'mqtt://scripted.invalid'

describe('scripted peer', () => {
  it('reassembles packets split across chunks of one byte and packets sharing a chunk', async () => {
    const s = scripted()
    const messages: Message[] = []
    const got = signal()
    const client = createClient({ servers: [url], transport: s.transport, onMessage: (m) => { messages.push(m); if (messages.length === 3) got.resolve() } })
    const connecting = client.connect()
    const peer = await s.nextPeer()
    await peer.expect('connect')
    // CONNACK and the first PUBLISH byte by byte.
    const bytes = [
      ...encode({ type: 'connack', sessionPresent: false, reasonCode: 0 }, 4),
      ...encode({ type: 'publish', topic: 'a/b', payload: new TextEncoder().encode('one'), qos: 0, retain: false, dup: false }, 4),
    ]
    for (const b of bytes) peer.sendRaw([b])
    await connecting
    // Two whole packets plus half of a third in one chunk, the rest in the next.
    const p2 = encode({ type: 'publish', topic: 'a/b', payload: new TextEncoder().encode('two'), qos: 1, retain: false, dup: false, packetId: 7 }, 4)
    const p3 = encode({ type: 'publish', topic: 'a/c', payload: new Uint8Array(1000).fill(7), qos: 0, retain: true, dup: false }, 4)
    const joined = new Uint8Array([...p2, ...p3])
    peer.sendRaw(joined.subarray(0, p2.length + 10))
    peer.sendRaw(joined.subarray(p2.length + 10))
    await got.promise
    expect(messages.map((m) => m.topic)).toEqual(['a/b', 'a/b', 'a/c'])
    expect(messages[0]!.text()).toBe('one')
    expect(messages[1]!.packetId).toBe(7)
    expect(messages[2]!.payload.length).toBe(1000)
    expect(messages[2]!.retain).toBe(true)
    expect((await peer.expect('puback')).packetId).toBe(7)
    client.destroy()
  })

  it('delivers a QoS 2 message once when the PUBLISH is redelivered before PUBREL, and answers PUBREC/PUBCOMP', async () => {
    const s = scripted()
    const messages: Message[] = []
    const client = createClient({ servers: [url], transport: s.transport, onMessage: (m) => { messages.push(m) } })
    const connecting = client.connect()
    const peer = await accept(s.nextPeer())
    await connecting
    const publish = { type: 'publish', topic: 'x', payload: new Uint8Array([1]), qos: 2, retain: false, dup: false, packetId: 42 } as const
    peer.send(publish)
    expect(await peer.expect('pubrec')).toMatchObject({ packetId: 42 })
    peer.send({ ...publish, dup: true })
    expect(await peer.expect('pubrec')).toMatchObject({ packetId: 42 })
    peer.send({ type: 'pubrel', packetId: 42 })
    expect(await peer.expect('pubcomp')).toMatchObject({ packetId: 42 })
    // After PUBREL the id is free again: a new message with it is a new message.
    peer.send({ ...publish, payload: new Uint8Array([2]) })
    expect(await peer.expect('pubrec')).toMatchObject({ packetId: 42 })
    expect(messages.map((m) => m.payload[0])).toEqual([1, 2])
    client.destroy()
  })

  it('ignores an unexpected PUBACK and keeps working', async () => {
    const s = scripted()
    const trace = traceCollector()
    const client = createClient({ servers: [url], transport: s.transport, trace: { level: 'warn', sink: trace.sink } })
    const connecting = client.connect()
    const peer = await accept(s.nextPeer())
    await connecting
    peer.send({ type: 'puback', packetId: 999 })
    const pub = client.publish('t', 'x', { qos: 1 })
    const sent = await peer.expect('publish')
    peer.send({ type: 'puback', packetId: sent.packetId! })
    await expect(pub).resolves.toMatchObject({ packetId: sent.packetId, qos: 1 })
    expect(client.connected).toBe(true)
    expect(trace.entries.some((e) => e.component === 'msgids' && e.message.includes('unexpected PUBACK id=999'))).toBe(true)
    client.destroy()
  })

  it('closes the connection with MALFORMED_PACKET on a malformed packet, and the process lives on', async () => {
    const s = scripted()
    const lost = signal<Error>()
    const client = createClient({ servers: [url], transport: s.transport, reconnect: false, onConnectionLost: (e) => lost.resolve(e) })
    const connecting = client.connect()
    const peer = await accept(s.nextPeer())
    await connecting
    const pending = client.publish('t', 'x', { qos: 1 })
    await peer.expect('publish')
    // PUBLISH with QoS 3 in its fixed header: malformed [MQTT-3.3.1-4].
    peer.sendRaw([0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01])
    const error = await lost.promise
    expect(error).toBeInstanceOf(MqttError)
    expect((error as MqttError).code).toBe('MALFORMED_PACKET')
    await peer.whenClosed()
    expect(client.connected).toBe(false)
    await expect(pending).rejects.toMatchObject({ code: 'MALFORMED_PACKET' })
    // The client can connect again afterwards.
    const again = client.connect()
    await accept(s.nextPeer())
    await again
    expect(client.connected).toBe(true)
    client.destroy()
  })

  it('delivers the messages that arrived whole before a malformed packet in the same chunk', async () => {
    const s = scripted()
    const lost = signal<Error>()
    const got: string[] = []
    const client = createClient({ servers: [url], transport: s.transport, reconnect: false, onMessage: (m) => { got.push(m.text()) }, onConnectionLost: (e) => lost.resolve(e) })
    const connecting = client.connect()
    const peer = await accept(s.nextPeer())
    await connecting
    const message = (text: string) => encode({ type: 'publish', topic: 't', payload: new TextEncoder().encode(text), qos: 0, retain: false, dup: false }, 4)
    // One write: two whole messages, then a PUBLISH with QoS 3 [MQTT-3.3.1-4].
    peer.sendRaw([...message('one'), ...message('two'), 0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01])
    expect(await lost.promise).toMatchObject({ code: 'MALFORMED_PACKET' })
    expect(got).toEqual(['one', 'two'])
    client.destroy()
  })

  it('delivers a message the server sends before the SUBACK to the new subscription, and acknowledges it after', async () => {
    // A server may send matching PUBLISH packets before the SUBACK (§3.8.4 of MQTT 3.1.1 and 5).
    const s = scripted()
    const client = createClient({ servers: [url], transport: s.transport, reconnect: false })
    const connecting = client.connect()
    const peer = await accept(s.nextPeer())
    await connecting
    const got: string[] = []
    const subscribing = client.subscribe('early/+', (m) => { got.push(m.text()) }, { qos: 1 })
    const subscribe = await peer.expect('subscribe')
    const early = (text: string, packetId: number) => ({ type: 'publish' as const, topic: 'early/a', payload: new TextEncoder().encode(text), qos: 1 as const, packetId, retain: false, dup: false })
    peer.send(early('before', 7))
    // Another SUBSCRIBE's messages do not wait for it: one for no subscription is dropped once the SUBACK is in.
    peer.send({ type: 'publish', topic: 'elsewhere', payload: new Uint8Array(1), qos: 1, packetId: 8, retain: false, dup: false })
    peer.send({ type: 'suback', packetId: subscribe.packetId, reasonCodes: [1] })
    await subscribing
    expect(got).toEqual(['before'])
    const acks = [await peer.expect('puback'), await peer.expect('puback')].map((a) => a.packetId).sort()
    expect(acks).toEqual([7, 8])
    expect(client.droppedMessages).toBe(1)
    client.destroy()
  })

  it('declares the connection lost with TIMEOUT when PINGRESP never comes', async () => {
    const s = scripted()
    const client = createClient({ servers: [url], transport: s.transport, keepalive: 1, pingTimeoutMs: 300 })
    const connecting = client.connect()
    const peer = await accept(s.nextPeer())
    await connecting
    const lost = once<Error>(client, 'connectionLost')
    await peer.expect('pingreq')
    const error = await lost
    expect((error as MqttError).code).toBe('TIMEOUT')
    expect(client.connected).toBe(false)
    await peer.whenClosed()
  })

  it('pings on schedule, and times nothing out, when the wall clock steps back or forward', async () => {
    // Only Date is faked: timers stay real. Idleness measured on the wall clock would hold the PINGREQ back an
    // hour after the step back, and time the PINGRESP out at once after the step forward.
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      const s = scripted()
      const client = createClient({ servers: [url], transport: s.transport, keepalive: 1, pingTimeoutMs: 1000 })
      const connecting = client.connect()
      const peer = await accept(s.nextPeer())
      await connecting
      vi.setSystemTime(Date.now() - 3_600_000)
      await peer.expect('pingreq', 3000)
      vi.setSystemTime(Date.now() + 7_200_000)
      peer.send({ type: 'pingresp' })
      await peer.expect('pingreq', 3000)
      peer.send({ type: 'pingresp' })
      await peer.expect('pingreq', 3000)
      expect(client.connected).toBe(true)
      client.destroy()
    } finally {
      vi.useRealTimers()
    }
  })

  it('stays connected while PINGRESP answers PINGREQ', async () => {
    const s = scripted()
    const client = createClient({ servers: [url], transport: s.transport, keepalive: 1, pingTimeoutMs: 300 })
    const connecting = client.connect()
    const peer = await accept(s.nextPeer())
    await connecting
    for (let i = 0; i < 2; i++) {
      await peer.expect('pingreq')
      peer.send({ type: 'pingresp' })
    }
    await peer.expect('pingreq')
    expect(client.connected).toBe(true)
    client.destroy()
  })
})

// MQTT 5 server behaviour Mosquitto will not produce on demand, from a scripted peer: CONNACK limits
// (Maximum QoS, Retain Available, Server Keep Alive, Assigned Client Identifier), Server Reference
// redirects, inbound topic aliases, our Receive Maximum and Maximum Packet Size, and each DISCONNECT reason.
import { encode, type ConnackProperties } from '@isomqtt/codec'
import { MemoryStore } from '@isomqtt/store'
import { describe, expect, it, vi } from 'vitest'
import { createClient, type ClientOptions, type Message, type MqttError } from '../src/index.js'
import { once, signal } from './helpers.js'
import { scripted, type ScriptedPeer } from './scripted-peer.js'

const url = 'mqtt://scripted.invalid'
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

async function connected(options: Partial<ClientOptions>, properties?: ConnackProperties) {
  const s = scripted(5)
  const client = createClient({ servers: [url], protocolVersion: 5, transport: s.transport, reconnect: false, ...options })
  const connecting = client.connect()
  const peer = await s.nextPeer()
  const connect = await peer.expect('connect')
  peer.send({ type: 'connack', sessionPresent: false, reasonCode: 0, properties })
  await connecting
  return { client, peer, connect, s }
}

describe('MQTT 5 CONNACK limits', () => {
  it('Maximum QoS and Retain Available: publishes beyond them reject and are not sent', async () => {
    const { client, peer } = await connected({}, { maximumQoS: 1, retainAvailable: false })
    expect(client.serverLimits).toMatchObject({ maximumQoS: 1, retainAvailable: false })
    await expect(client.publish('a', 'x', { qos: 2 })).rejects.toMatchObject({ code: 'QOS_NOT_SUPPORTED', reasonCode: 0x9b })
    await expect(client.publish('a', 'x', { retain: true })).rejects.toMatchObject({ code: 'RETAIN_NOT_SUPPORTED', reasonCode: 0x9a })
    const ok = client.publish('a', 'fine', { qos: 1 })
    const p = await peer.expect('publish')
    expect(p.qos).toBe(1)
    expect(new TextDecoder().decode(p.payload)).toBe('fine')
    peer.send({ type: 'puback', packetId: p.packetId!, reasonCode: 0x10, properties: { reasonString: 'nobody', userProperties: [['x', '1'], ['x', '2']] } })
    expect(await ok).toMatchObject({ reasonCode: 0x10, reasonString: 'nobody', userProperties: [['x', '1'], ['x', '2']] })
    client.destroy()
  })

  it('Server Keep Alive replaces ours, and an Assigned Client Identifier is kept for the session', async () => {
    const { client, connect } = await connected({ clientId: '', keepalive: 60 }, { serverKeepAlive: 5, assignedClientIdentifier: 'given-by-server' })
    expect(connect.clientId).toBe('')
    expect(client.clientId).toBe('given-by-server')
    expect(client.keepalive).toBe(5)
    client.destroy()
  })

  it('a failed PUBACK rejects with its reason and reason string', async () => {
    const { client, peer } = await connected({})
    const pending = client.publish('a', 'x', { qos: 1 })
    const p = await peer.expect('publish')
    peer.send({ type: 'puback', packetId: p.packetId!, reasonCode: 0x97, properties: { reasonString: 'over quota' } })
    const err = (await pending.catch((e: unknown) => e)) as MqttError
    expect(err).toMatchObject({ code: 'QUOTA_EXCEEDED', reasonCode: 0x97 })
    expect(err.message).toContain('over quota')
    const q2 = client.publish('a', 'y', { qos: 2 })
    const p2 = await peer.expect('publish')
    peer.send({ type: 'pubrec', packetId: p2.packetId!, reasonCode: 0x80 })
    await expect(q2).rejects.toMatchObject({ code: 'UNSPECIFIED_ERROR', reasonCode: 0x80 })
    client.destroy()
  })

  it('a PUBREC success reason (0x10) is reported when PUBCOMP completes the publish', async () => {
    const { client, peer } = await connected({})
    const q2 = client.publish('a', 'y', { qos: 2 })
    const p = await peer.expect('publish')
    peer.send({ type: 'pubrec', packetId: p.packetId!, reasonCode: 0x10 })
    expect((await peer.expect('pubrel')).packetId).toBe(p.packetId)
    peer.send({ type: 'pubcomp', packetId: p.packetId! })
    expect(await q2).toMatchObject({ qos: 2, reasonCode: 0x10 })
    client.destroy()
  })

  it('a SUBACK refusing one filter rejects with every filter reason; granted ones carry theirs', async () => {
    const { client, peer } = await connected({})
    const pending = client.subscribe([{ filter: 'ok/1', qos: 1 }, { filter: 'no/1', qos: 1 }])
    const sub = await peer.expect('subscribe')
    expect(sub.properties?.subscriptionIdentifier).toBeGreaterThan(0)
    peer.send({ type: 'suback', packetId: sub.packetId, reasonCodes: [1, 0x87], properties: { reasonString: 'acl' } })
    const err = (await pending.catch((e: unknown) => e)) as MqttError & { reasonCodes?: number[] }
    expect(err).toMatchObject({ code: 'SUBSCRIBE_FAILED', reasonCode: 0x87, reasonCodes: [1, 0x87] })
    expect(err.message).toContain('acl')
    const good = client.subscribe('ok/2', undefined, { qos: 2, noLocal: true, retainHandling: 1 })
    const sub2 = await peer.expect('subscribe')
    expect(sub2.subscriptions).toEqual([{ filter: 'ok/2', qos: 2, noLocal: true, retainAsPublished: false, retainHandling: 1 }])
    peer.send({ type: 'suback', packetId: sub2.packetId, reasonCodes: [1] })
    expect((await good).filters).toEqual([{ filter: 'ok/2', qos: 1, reasonCode: 1 }])
    client.destroy()
  })

  it('UNSUBSCRIBE carries properties; an UNSUBACK failure rejects and keeps the subscription', async () => {
    const { client, peer } = await connected({})
    const subscribing = client.subscribe('u/1')
    const sub = await peer.expect('subscribe')
    peer.send({ type: 'suback', packetId: sub.packetId, reasonCodes: [0] })
    const s1 = await subscribing
    const refused = client.unsubscribe('u/1', { properties: { userProperties: [['why', 'test']] } })
    const u = await peer.expect('unsubscribe')
    expect(u).toMatchObject({ filters: ['u/1'], properties: { userProperties: [['why', 'test']] } })
    peer.send({ type: 'unsuback', packetId: u.packetId, reasonCodes: [0x87] })
    await expect(refused).rejects.toMatchObject({ code: 'UNSUBSCRIBE_FAILED', reasonCode: 0x87 })
    expect(s1.active).toBe(true)
    const ok = client.unsubscribe('u/1')
    const u2 = await peer.expect('unsubscribe')
    peer.send({ type: 'unsuback', packetId: u2.packetId, reasonCodes: [0x11] })
    await ok
    expect(s1.active).toBe(false)
    client.destroy()
  })

  it('wildcard and shared filters the server lacks are refused before sending', async () => {
    const { client } = await connected({}, { wildcardSubscriptionAvailable: false, sharedSubscriptionAvailable: false })
    await expect(client.subscribe('a/+')).rejects.toMatchObject({ code: 'WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED' })
    await expect(client.subscribe('$share/g/a')).rejects.toMatchObject({ code: 'SHARED_SUBSCRIPTIONS_NOT_SUPPORTED' })
    client.destroy()
  })
})

describe('MQTT 5 flow control on resume', () => {
  it('resends stored publishes no faster than the server Receive Maximum allows', async () => {
    const store = new MemoryStore()
    await store.open()
    for (const id of [1, 2, 3, 4]) {
      await store.put(`o.${id}`, encode({ type: 'publish', topic: `r/${id}`, payload: bytes(String(id)), qos: 1, retain: false, dup: false, packetId: id }, 5))
    }
    const s = scripted(5)
    const client = createClient({ servers: [url], protocolVersion: 5, transport: s.transport, reconnect: false, clean: false, store, properties: { sessionExpiryInterval: 60 } })
    const connecting = client.connect()
    const peer = await s.nextPeer()
    await peer.expect('connect')
    peer.send({ type: 'connack', sessionPresent: true, reasonCode: 0, properties: { receiveMaximum: 2 } })
    const { resumed } = await connecting
    expect(resumed.map((r) => r.packetId)).toEqual([1, 2, 3, 4])
    const first = [await peer.expect('publish'), await peer.expect('publish')]
    expect(first.map((p) => p.packetId)).toEqual([1, 2])
    expect(first.every((p) => p.dup)).toBe(true)
    // The third leaves only once a slot frees; all four at once would already be in `received` here.
    peer.send({ type: 'puback', packetId: 1 })
    const third = await peer.expect('publish')
    expect(third.packetId).toBe(3)
    expect(peer.received.filter((p) => p.type === 'publish')).toHaveLength(3)
    peer.send({ type: 'puback', packetId: 2 }, { type: 'puback', packetId: 3 })
    expect((await peer.expect('publish')).packetId).toBe(4)
    peer.send({ type: 'puback', packetId: 4 })
    await Promise.all(resumed.map((r) => r.done))
    client.destroy()
  })
})

describe('MQTT 5 server redirects', () => {
  it('follows CONNACK Use Another Server to its Server Reference when enabled', async () => {
    const s = scripted(5)
    const urls: string[] = []
    const transport: ClientOptions['transport'] = (u, o) => { urls.push(u.host); return s.transport(u, o) }
    const client = createClient({ servers: [url], protocolVersion: 5, transport, followServerReference: true })
    const connecting = client.connect()
    const first = await s.nextPeer()
    await first.expect('connect')
    first.send({ type: 'connack', sessionPresent: false, reasonCode: 0x9c, properties: { serverReference: 'other.invalid:1884' } })
    const second = await s.nextPeer()
    await second.expect('connect')
    second.send({ type: 'connack', sessionPresent: false, reasonCode: 0 })
    await connecting
    expect(urls).toEqual(['scripted.invalid', 'other.invalid:1884'])
    client.destroy()
  })

  it('without followServerReference the refusal reaches the caller with the reference', async () => {
    const s = scripted(5)
    const client = createClient({ servers: [url], protocolVersion: 5, transport: s.transport, reconnect: false })
    const connecting = client.connect()
    const peer = await s.nextPeer()
    await peer.expect('connect')
    peer.send({ type: 'connack', sessionPresent: false, reasonCode: 0x9d, properties: { serverReference: 'moved.invalid' } })
    const err = (await connecting.catch((e: unknown) => e)) as MqttError & { serverReference?: string }
    expect(err).toMatchObject({ code: 'SERVER_MOVED', reasonCode: 0x9d, serverReference: 'moved.invalid' })
  })

  it('a DISCONNECT with Server Moved makes the next connect go to the new server', async () => {
    const s = scripted(5)
    const urls: string[] = []
    const transport: ClientOptions['transport'] = (u, o) => { urls.push(u.host); return s.transport(u, o) }
    const client = createClient({ servers: [url], protocolVersion: 5, transport, followServerReference: true, reconnect: false })
    const connecting = client.connect()
    const first = await s.nextPeer()
    await first.expect('connect')
    first.send({ type: 'connack', sessionPresent: false, reasonCode: 0 })
    await connecting
    const lost = once<MqttError>(client, 'connectionLost')
    first.send({ type: 'disconnect', reasonCode: 0x9d, properties: { serverReference: 'mqtt://moved.invalid:2883' } })
    expect(await lost).toMatchObject({ reasonCode: 0x9d })
    const again = client.connect()
    const second = await s.nextPeer()
    await second.expect('connect')
    second.send({ type: 'connack', sessionPresent: false, reasonCode: 0 })
    await again
    expect(urls.at(-1)).toBe('moved.invalid:2883')
    client.destroy()
  })
})

describe('MQTT 5 inbound protocol limits', () => {
  it('resolves inbound topic aliases; an unknown alias is a protocol error (DISCONNECT 0x82)', async () => {
    const got: string[] = []
    const two = signal()
    const { client, peer, connect } = await connected({ properties: { topicAliasMaximum: 4 }, onMessage: (m: Message) => { got.push(`${m.topic}=${m.text()}`); if (got.length === 2) two.resolve() } })
    expect(connect.properties?.topicAliasMaximum).toBe(4)
    peer.send(
      { type: 'publish', topic: 'long/topic/name', payload: bytes('1'), qos: 0, retain: false, dup: false, properties: { topicAlias: 2 } },
      { type: 'publish', topic: '', payload: bytes('2'), qos: 0, retain: false, dup: false, properties: { topicAlias: 2 } },
    )
    await two.promise
    expect(got).toEqual(['long/topic/name=1', 'long/topic/name=2'])
    const lost = once<MqttError>(client, 'connectionLost')
    peer.send({ type: 'publish', topic: '', payload: bytes('3'), qos: 0, retain: false, dup: false, properties: { topicAlias: 3 } })
    expect((await peer.expect('disconnect')).reasonCode).toBe(0x82)
    expect(await lost).toMatchObject({ code: 'PROTOCOL_ERROR', reasonCode: 0x82 })
    expect(got).toHaveLength(2)
  })

  it('an alias above our maximum is DISCONNECT 0x94', async () => {
    const { peer } = await connected({ properties: { topicAliasMaximum: 2 } })
    peer.send({ type: 'publish', topic: 'x', payload: bytes('1'), qos: 0, retain: false, dup: false, properties: { topicAlias: 3 } })
    expect((await peer.expect('disconnect')).reasonCode).toBe(0x94)
  })

  it('more unacknowledged QoS 1 publishes than our Receive Maximum is DISCONNECT 0x93', async () => {
    const release = signal()
    const { client, peer, connect } = await connected({ properties: { receiveMaximum: 2 }, onMessage: () => release.promise })
    expect(connect.properties?.receiveMaximum).toBe(2)
    const lost = once<MqttError>(client, 'connectionLost')
    for (const id of [1, 2, 3]) peer.send({ type: 'publish', topic: 'q', payload: bytes(String(id)), qos: 1, retain: false, dup: false, packetId: id })
    expect((await peer.expect('disconnect')).reasonCode).toBe(0x93)
    expect(await lost).toMatchObject({ code: 'RECEIVE_MAXIMUM_EXCEEDED', reasonCode: 0x93 })
    release.resolve()
  })

  it('a packet above our Maximum Packet Size is DISCONNECT 0x95', async () => {
    const { client, peer } = await connected({ properties: { maximumPacketSize: 256 } })
    const lost = once<MqttError>(client, 'connectionLost')
    peer.sendRaw(encode({ type: 'publish', topic: 'big', payload: new Uint8Array(1000), qos: 0, retain: false, dup: false }, 5))
    expect((await peer.expect('disconnect')).reasonCode).toBe(0x95)
    expect(await lost).toMatchObject({ code: 'PACKET_TOO_LARGE', reasonCode: 0x95 })
  })

  it('a message flagged as UTF-8 that is not is refused with PUBACK 0x99 and not delivered', async () => {
    const got: Message[] = []
    const { peer } = await connected({ onMessage: (m: Message) => { got.push(m) } })
    peer.send({ type: 'publish', topic: 'f', payload: new Uint8Array([0xc3, 0x28]), qos: 1, retain: false, dup: false, packetId: 9, properties: { payloadFormatIndicator: true } })
    const ack = await peer.expect('puback')
    expect(ack).toMatchObject({ packetId: 9, reasonCode: 0x99 })
    expect(got).toHaveLength(0)
  })
})

describe('MQTT 5 server DISCONNECT reasons', () => {
  const reasons = [0x80, 0x81, 0x82, 0x87, 0x89, 0x8b, 0x8d, 0x8e, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x9c, 0x9d, 0x9f, 0xa0]
  for (const reasonCode of reasons) {
    it(`0x${reasonCode.toString(16)} reaches connectionLost with its reason string`, async () => {
      const { client, peer } = await connected({})
      const lost = once<MqttError>(client, 'connectionLost')
      peer.send({ type: 'disconnect', reasonCode, properties: { reasonString: `why-${reasonCode}`, userProperties: [['k', 'v']] } })
      const err = await lost as MqttError & { reasonString?: string; properties?: unknown }
      expect(err).toMatchObject({ code: 'SERVER_DISCONNECT', reasonCode, reasonString: `why-${reasonCode}` })
      expect(err.message).toContain(`why-${reasonCode}`)
      expect(err.properties).toMatchObject({ userProperties: [['k', 'v']] })
      await (peer as ScriptedPeer).whenClosed()
    })
  }

  it('0x8e (another client took the session over) closes the client instead of reconnecting to take it back', async () => {
    const { client, peer } = await connected({ reconnect: { minDelayMs: 10, maxDelayMs: 10 } })
    const closed = once(client, 'close')
    const reconnecting = vi.fn()
    client.on('reconnecting', reconnecting)
    peer.send({ type: 'disconnect', reasonCode: 0x8e })
    await closed
    expect(reconnecting).not.toHaveBeenCalled()
    expect(client.state).toBe('closed')
    // With retryOnRefused the client takes the session back.
    const fighter = await connected({ reconnect: { minDelayMs: 10, maxDelayMs: 10, retryOnRefused: true } })
    fighter.peer.send({ type: 'disconnect', reasonCode: 0x8e })
    const again = await fighter.s.nextPeer()
    await again.expect('connect')
    fighter.client.destroy()
  })

  it('disconnect({ reasonCode, properties }) sends them', async () => {
    const { client, peer } = await connected({})
    await client.disconnect({ reasonCode: 0x04, properties: { reasonString: 'bye', sessionExpiryInterval: 0 } })
    const d = await peer.expect('disconnect')
    expect(d).toMatchObject({ reasonCode: 0x04, properties: { reasonString: 'bye', sessionExpiryInterval: 0 } })
  })
})

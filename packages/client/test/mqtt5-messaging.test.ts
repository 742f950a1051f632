// MQTT 5 messaging against Mosquitto: properties end to end (user properties in order and repeated,
// content type, payload format, message expiry), publish reason codes, request/response, will delay,
// and a server DISCONNECT (session taken over, 0x8E) reaching connectionLost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type Message, type MqttError } from '../src/index.js'
import { once, signal, startMosquitto, uniqueId, uniqueTopic, type Mosquitto } from './helpers.js'

let broker: Mosquitto
beforeAll(async () => {
  broker = await startMosquitto({ users: { app: 'pw', limited: 'pw' }, acl: 'user app\ntopic readwrite #\nuser limited\ntopic readwrite allowed/#\n' })
})
const auth = { username: 'app', password: 'pw' }
afterAll(async () => { await broker?.stop() })

describe('MQTT 5 properties end to end', () => {
  it('delivers user properties in order with repetition, content type, payload format and expiry', async () => {
    const topic = uniqueTopic('pr')
    const got = signal<Message>()
    const sub = await connect(broker.url, { ...auth, protocolVersion: 5, clientId: uniqueId('ps') })
    await sub.subscribe(topic, (m) => got.resolve(m), { qos: 1 })
    const pub = await connect(broker.url, { ...auth, protocolVersion: 5, clientId: uniqueId('pp') })
    const userProperties: Array<[string, string]> = [['a', '1'], ['b', '2'], ['a', '3']]
    await pub.publish(topic, '{"x":1}', { qos: 1, properties: { userProperties, contentType: 'application/json', payloadFormatIndicator: true, messageExpiryInterval: 60 } })
    const m = await got.promise
    expect(m.properties?.userProperties).toEqual(userProperties)
    expect(m.properties?.contentType).toBe('application/json')
    expect(m.properties?.payloadFormatIndicator).toBe(true)
    expect(m.properties?.messageExpiryInterval).toBeLessThanOrEqual(60)
    expect(m.json()).toEqual({ x: 1 })
    await pub.disconnect()
    await sub.disconnect()
  })

  it('refuses to publish bytes flagged as text that are not UTF-8', async () => {
    const pub = await connect(broker.url, { ...auth, protocolVersion: 5, clientId: uniqueId('pf') })
    await expect(pub.publish(uniqueTopic('pf'), new Uint8Array([0xff, 0xfe]), { properties: { payloadFormatIndicator: true } }))
      .rejects.toMatchObject({ code: 'PAYLOAD_FORMAT_INVALID', reasonCode: 0x99 })
    await pub.disconnect()
  })

  it('drops a queued message once its expiry interval has passed', async () => {
    const id = uniqueId('me')
    const topic = uniqueTopic('me')
    const sub = await connect(broker.url, { ...auth, protocolVersion: 5, clientId: id, properties: { sessionExpiryInterval: 60 } })
    await sub.subscribe(topic, undefined, { qos: 1 })
    await sub.disconnect()
    const pub = await connect(broker.url, { ...auth, protocolVersion: 5, clientId: uniqueId('mp') })
    await pub.publish(topic, 'short-lived', { qos: 1, properties: { messageExpiryInterval: 1 } })
    await pub.publish(topic, 'long-lived', { qos: 1, properties: { messageExpiryInterval: 600 } })
    // The broker counts expiry in whole seconds: wait past it (there is no event for "expired").
    await new Promise((r) => setTimeout(r, 2100))
    const got = signal<Message>()
    const again = await connect(broker.url, { ...auth, protocolVersion: 5, clientId: id, clean: false, properties: { sessionExpiryInterval: 60 }, onMessage: (m) => got.resolve(m) })
    const first = await got.promise
    expect(first.text()).toBe('long-lived')
    expect(first.properties?.messageExpiryInterval).toBeLessThan(600)
    await again.disconnect({ properties: { sessionExpiryInterval: 0 } })
    await pub.disconnect()
  })
})

describe('MQTT 5 publish reason codes', () => {
  it('resolves with a PUBACK reason below 0x80 and rejects with the failure reason', async () => {
    const pub = await connect(broker.url, { ...auth, protocolVersion: 5, clientId: uniqueId('rc') })
    const noSubscribers = await pub.publish(uniqueTopic('nobody'), 'x', { qos: 1 })
    expect(noSubscribers.reasonCode).toBe(0x10)
    await pub.disconnect()
    // Mosquitto 2.0.11 answers a denied publish with PUBACK 0x87, then drops the v5 connection.
    const limited = await connect(broker.url, { username: 'limited', password: 'pw', protocolVersion: 5, clientId: uniqueId('rl'), reconnect: false })
    const err = (await limited.publish('forbidden/x', 'x', { qos: 1 }).catch((e: unknown) => e)) as MqttError
    expect(err).toMatchObject({ code: 'NOT_AUTHORIZED', reasonCode: 0x87 })
    expect(err.message).toContain('not authorized')
    limited.destroy()
  })
})

describe('MQTT 5 request/response', () => {
  it('request() resolves with the matching response; concurrent requests do not mix', async () => {
    const service = uniqueTopic('svc')
    const server = await connect(broker.url, { ...auth, protocolVersion: 5, clientId: uniqueId('sv') })
    await server.subscribe(service, async (m) => {
      // Answer out of order: later requests first.
      const n = Number(m.text())
      await new Promise((r) => setTimeout(r, 40 - n * 10))
      await m.respond(`answer ${n}`, { properties: { userProperties: [['n', String(n)]] } })
    }, { qos: 1 })
    const client = await connect(broker.url, { ...auth, protocolVersion: 5, clientId: uniqueId('rq'), orderMatters: false })
    const answers = await Promise.all([0, 1, 2, 3].map((n) => client.request(service, String(n), { timeoutMs: 10_000 })))
    expect(answers.map((a) => a.text())).toEqual(['answer 0', 'answer 1', 'answer 2', 'answer 3'])
    expect(answers[2]!.properties?.userProperties).toEqual([['n', '2']])
    await server.disconnect()
    await client.disconnect()
  })

  it('a handler can await a request() (ordered dispatch: the response does not wait behind that handler)', async () => {
    const service = uniqueTopic('svc')
    const trigger = uniqueTopic('trigger')
    const server = await connect(broker.url, { ...auth, protocolVersion: 5, clientId: uniqueId('sv') })
    await server.subscribe(service, (m) => m.respond(`echo ${m.text()}`), { qos: 1 })
    const client = await connect(broker.url, { ...auth, protocolVersion: 5, clientId: uniqueId('rq') })
    const seen: string[] = []
    const both = signal()
    client.on('message', (m) => { if (seen.push(m.topic) === 2) both.resolve() })
    const answered = new Promise<string>((resolve, reject) => {
      void client.subscribe(trigger, async () => {
        try { resolve((await client.request(service, 'hi', { timeoutMs: 10_000 })).text()) } catch (err) { reject(err) }
      }, { qos: 1 })
    })
    await client.publish(trigger, 'go', { qos: 1 })
    expect(await answered).toBe('echo hi')
    // The response is still a message in its place, after the trigger.
    await both.promise
    expect(seen[0]).toBe(trigger)
    await server.disconnect()
    await client.disconnect()
  })

  it('rejects with TIMEOUT when nobody answers', async () => {
    const client = await connect(broker.url, { ...auth, protocolVersion: 5, clientId: uniqueId('rt') })
    await expect(client.request(uniqueTopic('nobody'), 'x', { timeoutMs: 300 })).rejects.toMatchObject({ code: 'TIMEOUT' })
    await client.disconnect()
  })

  it('rejects a timeoutMs no timer can hold, at the call', async () => {
    const client = await connect(broker.url, { ...auth, protocolVersion: 5, clientId: uniqueId('rt') })
    for (const timeoutMs of [-1, 0.5, 2 ** 31]) {
      await expect(client.request(uniqueTopic('svc'), 'x', { timeoutMs })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('timeoutMs') })
    }
    await client.disconnect()
  })
})

describe('MQTT 5 will and server disconnects', () => {
  it('the server publishes the will only after the will delay interval', async () => {
    const topic = uniqueTopic('wd')
    const watcher = await connect(broker.url, { ...auth, protocolVersion: 5, clientId: uniqueId('ww') })
    const got = signal<Message>()
    await watcher.subscribe(topic, (m) => got.resolve(m), { qos: 1 })
    const client = await connect(broker.url, {
      ...auth, protocolVersion: 5, clientId: uniqueId('wc'), properties: { sessionExpiryInterval: 30 },
      will: { topic, payload: 'gone', qos: 1, properties: { willDelayInterval: 1, contentType: 'text/plain' } },
    })
    const dropped = Date.now()
    client.destroy()
    const will = await got.promise
    expect(Date.now() - dropped).toBeGreaterThanOrEqual(900)
    expect(will.text()).toBe('gone')
    expect(will.properties?.contentType).toBe('text/plain')
    await watcher.disconnect()
  })

  it('disconnect({ reasonCode: 0x04 }) asks the server to publish the will', async () => {
    const topic = uniqueTopic('dw')
    const watcher = await connect(broker.url, { ...auth, protocolVersion: 5, clientId: uniqueId('dw') })
    const got = signal<Message>()
    await watcher.subscribe(topic, (m) => got.resolve(m), { qos: 1 })
    const client = await connect(broker.url, { ...auth, protocolVersion: 5, clientId: uniqueId('dc'), will: { topic, payload: 'bye', qos: 1 } })
    await client.disconnect({ reasonCode: 0x04 })
    expect((await got.promise).text()).toBe('bye')
    await watcher.disconnect()
  })

  it('a second client with the same id takes the session over: the first one learns it lost the connection', async () => {
    // Mosquitto 2.0.11 closes the old connection without DISCONNECT 0x8E (later versions send it); the
    // reason reaching connectionLost is proven against a scripted peer (mqtt5-scripted-server.test.ts).
    const id = uniqueId('to')
    const first = await connect(broker.url, { ...auth, protocolVersion: 5, clientId: id, reconnect: false })
    const lost = once<MqttError>(first, 'connectionLost')
    const second = await connect(broker.url, { ...auth, protocolVersion: 5, clientId: id, reconnect: false })
    const error = await lost
    expect(['SERVER_DISCONNECT', 'CONNECTION_LOST']).toContain(error.code)
    if (error.code === 'SERVER_DISCONNECT') expect(error.reasonCode).toBe(0x8e)
    expect(first.connected).toBe(false)
    expect(second.connected).toBe(true)
    await second.disconnect()
  })
})

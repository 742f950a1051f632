// CONNACK return codes become typed MqttErrors (as in the Paho seed), against Mosquitto where it can
// produce them and a scripted peer where it cannot; options MQTT cannot carry are refused at the call.
import { once } from 'node:events'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, createClient, MqttError } from '../src/index.js'
import { freePort } from '../../../tests/support/mosquitto.js'
import { startMosquitto, uniqueId, type Mosquitto } from './helpers.js'
import { scripted } from './scripted-peer.js'

let broker: Mosquitto
beforeAll(async () => {
  broker = await startMosquitto({ users: { alice: 'wonderland-7Qz', carol: 'p%20q@r/s?t' }, acl: 'user alice\ntopic readwrite allowed/#\n' })
})
afterAll(async () => { await broker?.stop() })

for (const protocolVersion of [3, 4] as const) {
  describe(`MQTT ${protocolVersion === 3 ? '3.1' : '3.1.1'} against Mosquitto`, () => {
    it('connects with the right credentials', async () => {
      const c = await connect(broker.url, { protocolVersion, clientId: uniqueId(), username: 'alice', password: 'wonderland-7Qz' })
      expect(c.connected).toBe(true)
      await c.disconnect()
    })

    it('refuses a wrong password with a typed error that does not contain the password', async () => {
      const error = await connect(broker.url, { protocolVersion, clientId: uniqueId(), username: 'alice', password: 'not-the-password-9x' }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(MqttError)
      // Mosquitto 2.0 answers a wrong password with "not authorized" (5); other brokers use 4.
      expect(['BAD_CREDENTIALS', 'NOT_AUTHORIZED']).toContain((error as MqttError).code)
      expect(String((error as MqttError).message)).not.toContain('not-the-password-9x')
    })

    it('refuses a client without credentials with NOT_AUTHORIZED', async () => {
      const error = await connect(broker.url, { protocolVersion, clientId: uniqueId() }).catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'NOT_AUTHORIZED', reasonCode: 5 })
    })
  })
}

// Mosquitto 2.0.11 answers a refused client id prefix with NOT_AUTHORIZED, and this client refuses MQTT 3.1 ids
// Mosquitto would reject before sending them, so IDENTIFIER_REJECTED comes from a scripted peer.
describe('return codes from a scripted peer', () => {
  const cases: Array<[number, string]> = [
    [1, 'UNACCEPTABLE_PROTOCOL_VERSION'], [2, 'IDENTIFIER_REJECTED'], [3, 'SERVER_UNAVAILABLE'],
    [4, 'BAD_CREDENTIALS'], [5, 'NOT_AUTHORIZED'], [6, 'UNKNOWN'], [0x99, 'UNKNOWN'],
  ]
  for (const [rc, code] of cases) {
    it(`CONNACK ${rc} rejects connect with ${code}`, async () => {
      const s = scripted()
      const client = createClient({ servers: ['mqtt://scripted.invalid'], protocolVersion: 4, transport: s.transport })
      const connecting = client.connect()
      const peer = await s.nextPeer()
      await peer.expect('connect')
      peer.send({ type: 'connack', sessionPresent: false, reasonCode: rc })
      const error = await connecting.catch((e: unknown) => e)
      expect(error).toBeInstanceOf(MqttError)
      expect(error).toMatchObject({ code, reasonCode: rc })
      expect(client.connected).toBe(false)
      await peer.whenClosed()
    })
  }

  it('rejects a refused filter (SUBACK 0x80) with SUBSCRIBE_FAILED naming it', async () => {
    const s = scripted()
    const client = createClient({ servers: ['mqtt://scripted.invalid'], transport: s.transport })
    const connecting = client.connect()
    const peer = await s.nextPeer()
    await peer.expect('connect')
    peer.send({ type: 'connack', sessionPresent: false, reasonCode: 0 })
    await connecting
    const subscribing = client.subscribe([{ filter: 'ok/1', qos: 1 }, { filter: 'denied/2', qos: 2 }])
    const sub = await peer.expect('subscribe')
    expect(sub.subscriptions).toEqual([{ filter: 'ok/1', qos: 1 }, { filter: 'denied/2', qos: 2 }])
    peer.send({ type: 'suback', packetId: sub.packetId, reasonCodes: [1, 0x80] })
    const error = await subscribing.catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'SUBSCRIBE_FAILED', reasonCode: 0x80 })
    expect((error as Error).message).toContain('denied/2')
    expect((error as Error).message).not.toContain('ok/1')
    expect(client.connected).toBe(true)
    client.destroy()
  })

  it('falls back to MQTT 3.1 when no version was asked for and the server refuses 3.1.1 (as the seed does)', async () => {
    const s = scripted()
    const client = createClient({ servers: ['mqtt://scripted.invalid'], clientId: 'fallback', transport: s.transport })
    const connecting = client.connect()
    const first = await s.nextPeer()
    await first.expect('connect')
    first.send({ type: 'connack', sessionPresent: false, reasonCode: 1 })
    const second = await s.nextPeer()
    const connectPacket = await second.expect('connect')
    expect(connectPacket.protocolVersion).toBe(3)
    second.send({ type: 'connack', sessionPresent: false, reasonCode: 0 })
    await connecting
    expect(client.protocolVersion).toBe(3)
    client.destroy()
  })
})

describe('a server that does not speak MQTT', () => {
  it('an HTTP answer (an mqtt:// URL on a web or WebSocket port) rejects with a message that says so', async () => {
    const server = createServer((socket) => { socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')) })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const error = await connect(`mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`, { clientId: uniqueId() }).catch((e: unknown) => e)
    server.close()
    expect(error).toMatchObject({ code: 'MALFORMED_PACKET', message: expect.stringContaining('the server answered in HTTP, not MQTT') })
  })
})

describe('credentials in the server URL', () => {
  const at = (userinfo: string): string => broker.url.replace('mqtt://', `mqtt://${userinfo}@`)

  it('authenticate the CONNECT when the options give none, percent-decoded', async () => {
    for (const url of [at('alice:wonderland-7Qz'), at(`carol:${encodeURIComponent('p%20q@r/s?t')}`)]) {
      const c = await connect(url, { clientId: uniqueId() })
      expect(c.connected).toBe(true)
      await c.disconnect()
    }
  })

  it('a wrong one is refused with a typed error and a trace that do not contain it; the options take precedence', async () => {
    const entries: string[] = []
    const trace = { level: 'verbose' as const, sink: (e: { message: string }) => { entries.push(e.message) } }
    const error = await connect(at('alice:url-secret-5Tq'), { clientId: uniqueId(), trace }).catch((e: unknown) => e)
    expect(['BAD_CREDENTIALS', 'NOT_AUTHORIZED']).toContain((error as MqttError).code)
    expect(`${(error as Error).message} ${(error as Error).stack}`).not.toContain('url-secret-5Tq')
    expect(entries.join('\n')).not.toContain('url-secret-5Tq')
    const c = await connect(at('alice:url-secret-5Tq'), { clientId: uniqueId(), username: 'alice', password: 'wonderland-7Qz' })
    expect(c.connected).toBe(true)
    await c.disconnect()
  })
})

describe('options refused at the call', () => {
  it('refuses an MQTT 3.1 client id longer than 23 characters or empty', () => {
    expect(() => createClient({ protocolVersion: 3, clientId: 'x'.repeat(24) })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('23') }))
    expect(() => createClient({ protocolVersion: 3, clientId: '' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    expect(createClient({ protocolVersion: 3, clientId: 'x'.repeat(23) }).options.clientId).toHaveLength(23)
  })

  it('generates a client id when none is given', () => {
    const a = createClient({}).options.clientId
    const b = createClient({ clientId: '' }).options.clientId
    expect(a).toMatch(/^isomqtt-[0-9a-f]+$/)
    expect(a.length).toBeLessThanOrEqual(23)
    expect(a).not.toBe(b)
  })

  it('refuses a bad will QoS and a bad protocol version', () => {
    expect(() => createClient({ will: { topic: 'a', payload: 'x', qos: 3 as 0 } })).toThrow(expect.objectContaining({ code: 'INVALID_QOS' }))
    expect(() => createClient({ protocolVersion: 6 as 4 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
  })

  it('refuses time limits that are negative, not a whole number of milliseconds, or too long for a timer', () => {
    // A platform timer over 2^31-1 ms fires at once: such a limit would time out immediately.
    for (const ms of [-1, 1.5, Number.NaN, Infinity, 2 ** 31]) {
      expect(() => createClient({ connectTimeoutMs: ms })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
      expect(() => createClient({ writeTimeoutMs: ms })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
      expect(() => createClient({ pingTimeoutMs: ms })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    }
    // A ping timeout of 0 would lose every connection at its first PINGREQ.
    expect(() => createClient({ pingTimeoutMs: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    expect(createClient({ connectTimeoutMs: 0, writeTimeoutMs: 0, pingTimeoutMs: 500 }).options).toMatchObject({ connectTimeoutMs: 0, pingTimeoutMs: 500 })
    expect(createClient({ connectTimeoutMs: 2 ** 31 - 1 }).options.connectTimeoutMs).toBe(2 ** 31 - 1)
  })

  it('refuses reconnect delays that cannot work, naming the option, and lets one given limit bound the other default', () => {
    const refused = (reconnect: object, name: string): void => {
      expect(() => createClient({ reconnect })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining(name) }))
    }
    for (const ms of [-1, 1.5, Number.NaN, 2 ** 31]) {
      refused({ minDelayMs: ms }, 'reconnect.minDelayMs')
      refused({ maxDelayMs: ms }, 'reconnect.maxDelayMs')
      refused({ stableAfterMs: ms }, 'reconnect.stableAfterMs')
      refused({ waitForConnectionMs: ms }, 'reconnect.waitForConnectionMs')
    }
    refused({ minDelayMs: 1000, maxDelayMs: 5 }, 'must not exceed reconnect.maxDelayMs')
    expect(createClient({ reconnect: { maxDelayMs: 5 } }).options.reconnect).toMatchObject({ minDelayMs: 5, maxDelayMs: 5 })
    expect(createClient({ reconnect: { minDelayMs: 60_000 } }).options.reconnect).toMatchObject({ minDelayMs: 60_000, maxDelayMs: 60_000 })
    expect(createClient({}).options.reconnect).toMatchObject({ minDelayMs: 500, maxDelayMs: 30_000 })
    expect(createClient({ reconnect: { waitForConnectionMs: Infinity } }).options.reconnect?.waitForConnectionMs).toBe(Infinity)
  })
})

describe('servers', () => {
  it('tries servers in order and connects to the first that accepts', async () => {
    const dead = `mqtt://127.0.0.1:${await freePort()}`
    const c = await connect([dead, broker.url], { clientId: uniqueId(), username: 'alice', password: 'wonderland-7Qz', connectTimeoutMs: 5000 })
    expect(c.connected).toBe(true)
    await c.disconnect()
  })

  it('a URL without a scheme, or with one no transport takes, throws at the call and says what was meant', () => {
    const cases: Array<[string, string]> = [
      ['localhost:1883', "unsupported URL scheme 'localhost': use mqtt, mqtts, ws or wss (or tcp, ssl, tls, unix) (did you mean mqtt://localhost:1883?)"],
      ['127.0.0.1', 'not a server URL: 127.0.0.1 (did you mean mqtt://127.0.0.1?)'],
      ['broker.example:8883', "unsupported URL scheme 'broker.example': use mqtt, mqtts, ws or wss (or tcp, ssl, tls, unix) (did you mean mqtt://broker.example:8883?)"],
      ['http://127.0.0.1:9001', "unsupported URL scheme 'http': use mqtt, mqtts, ws or wss (or tcp, ssl, tls, unix) (a WebSocket listener: ws:// or wss://)"],
      ['mqtt://alice:s3cret@ho st', 'not a server URL: (not shown: it has user info)'],
    ]
    for (const [url, message] of cases) {
      let err: unknown
      try { createClient({ servers: [url] }) } catch (e) { err = e }
      expect(err, url).toBeInstanceOf(MqttError)
      expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', message })
    }
  })

  it('a custom transport factory may take any scheme', async () => {
    const s = scripted()
    const client = createClient({ servers: ['memory://pair'], transport: s.transport })
    const connecting = client.connect()
    const peer = await s.nextPeer()
    await peer.expect('connect')
    peer.send({ type: 'connack', sessionPresent: false, reasonCode: 0 })
    await connecting
    expect(String(client.server)).toBe('memory://pair')
    client.destroy()
  })

  it('rejects with the last error when no server accepts', async () => {
    const dead = `mqtt://127.0.0.1:${await freePort()}`
    const error = await connect([dead], { clientId: uniqueId(), connectTimeoutMs: 5000 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MqttError)
    expect((error as MqttError).code).toBe('TRANSPORT_ERROR')
    // The server named once, then why.
    expect((error as MqttError).message).toBe(`cannot reach ${dead}: connection refused (ECONNREFUSED)`)
  })

  it('rejects with TIMEOUT when no CONNACK comes within connectTimeoutMs', async () => {
    const s = scripted()
    const client = createClient({ servers: ['mqtt://scripted.invalid'], transport: s.transport, connectTimeoutMs: 200 })
    const connecting = client.connect()
    const peer = await s.nextPeer()
    await peer.expect('connect')
    await expect(connecting).rejects.toMatchObject({ code: 'TIMEOUT' })
    await peer.whenClosed()
  })

  // A TCP server that never answers the TLS handshake keeps the built-in transport in its attempt.
  async function silentTlsServer(): Promise<{ url: string; accepted: Promise<{ closed: Promise<unknown> }>; close(): void }> {
    const server = createServer()
    const accepted = once(server, 'connection').then(([socket]: Socket[]) => {
      // Reads (and drops) what arrives, so the client's close is seen.
      socket!.resume()
      return { closed: once(socket!, 'close') }
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    return { url: `mqtts://127.0.0.1:${(server.address() as AddressInfo).port}`, accepted, close: () => server.close() }
  }

  it('destroy() during the transport handshake aborts it (the socket closes) and rejects connect with ABORTED', async () => {
    const silent = await silentTlsServer()
    try {
      const client = createClient({ servers: [silent.url], clientId: uniqueId(), reconnect: false })
      const connecting = client.connect()
      const { closed } = await silent.accepted
      client.destroy()
      await expect(connecting).rejects.toMatchObject({ code: 'ABORTED' })
      await closed
    } finally {
      silent.close()
    }
  })

  it('connectTimeoutMs 0 waits without limit (the attempt ends only by destroy())', async () => {
    const silent = await silentTlsServer()
    try {
      const client = createClient({ servers: [silent.url], clientId: uniqueId(), reconnect: false, connectTimeoutMs: 0 })
      const connecting = client.connect()
      const { closed } = await silent.accepted
      // Still connecting after a full turn of timers: a 0 ms limit would have failed it by now.
      await new Promise((resolve) => setTimeout(resolve, 0))
      expect(client.connected).toBe(false)
      client.destroy()
      await expect(connecting).rejects.toMatchObject({ code: 'ABORTED' })
      await closed
    } finally {
      silent.close()
    }
  })

  it('connectTimeoutMs also bounds the transport handshake: TIMEOUT, and the socket closes', async () => {
    const silent = await silentTlsServer()
    try {
      const connecting = connect(silent.url, { clientId: uniqueId(), reconnect: false, connectTimeoutMs: 300 })
      const { closed } = await silent.accepted
      await expect(connecting).rejects.toMatchObject({ code: 'TIMEOUT' })
      await closed
    } finally {
      silent.close()
    }
  })
})

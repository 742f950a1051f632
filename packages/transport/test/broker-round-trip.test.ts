// Through every transport a real Mosquitto answers a hand-encoded CONNECT, and 10 MiB of PUBLISH packets
// written with honoured backpressure reach a subscriber intact while the writer's buffer stays bounded.
// The subscriber reads over plain TCP: Mosquitto 2.0.11 (libwebsockets) sends to a WebSocket subscriber
// about 2-3 packets a second once ~2.5 MB are queued, which would measure the broker, not the transport.
import { once } from 'node:events'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openTransport, createBrowserWebSocketTransport, type Transport, type TransportOptions, type WebSocketConstructor } from '../src/index.node.js'
import { createTestCertificates, type TestCertificates } from '../../../tests/support/certs.js'
import { startMosquitto, type Mosquitto } from '../../../tests/support/mosquitto.js'
import { PacketSplitter, closeTransport, connectPacket, nextPacket, publishPacket, rawConnect, subscribePacket } from './support/raw-mqtt.js'

const TOTAL = 10 * 1024 * 1024
const PAYLOAD = 16 * 1024
const COUNT = TOTAL / PAYLOAD

let certs: TestCertificates
let broker: Mosquitto
let unixDir: string
let tls: TransportOptions['tls']

beforeAll(async () => {
  certs = await createTestCertificates()
  unixDir = await mkdtemp(join(tmpdir(), 'isomqtt-unix-'))
  broker = await startMosquitto({
    websockets: true,
    tls: { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile },
    extraConfig: [`listener 0 ${join(unixDir, 'mqtt.sock')}`],
  })
  tls = { ca: await readFile(certs.caFile, 'utf8') }
})

afterAll(async () => {
  await broker?.stop()
  await certs?.cleanup()
  if (unixDir) await rm(unixDir, { recursive: true, force: true })
})

type Open = (id: string, options?: TransportOptions) => Promise<Transport>

const cases: Array<[string, () => Open]> = [
  ['mqtt: (TCP)', () => (_, o) => openTransport(`mqtt://127.0.0.1:${broker.port}`, o)],
  ['mqtts: (TLS)', () => (_, o) => openTransport(`mqtts://127.0.0.1:${broker.tlsPort}`, { ...o, tls })],
  ['ws: (Node ws)', () => (_, o) => openTransport(`ws://127.0.0.1:${broker.wsPort}`, o)],
  ['wss: (Node ws)', () => (_, o) => openTransport(`wss://localhost:${broker.wssPort}`, { ...o, tls })],
  ['ws: (browser adapter over ws\'s W3C class)', () => (_, o) => createBrowserWebSocketTransport(
    new URL(`ws://127.0.0.1:${broker.wsPort}`), { ...o, wsOptions: { WebSocket: WebSocket as unknown as WebSocketConstructor } })],
  ['mqtt+unix: (unix socket)', () => (_, o) => openTransport(`mqtt+unix://${join(unixDir, 'mqtt.sock')}`, o)],
]

function payloadFor(i: number): Uint8Array {
  const p = new Uint8Array(PAYLOAD)
  const view = new DataView(p.buffer)
  for (let j = 0; j < PAYLOAD; j += 4) view.setUint32(j, (i * 2654435761 + j) >>> 0)
  return p
}

describe.each(cases)('over %s', (name, makeOpen) => {
  it('gets CONNACK for a raw CONNECT', async () => {
    const t = await makeOpen()(`conn-${name}`)
    try {
      expect(Array.from(await rawConnect(t, `isomqtt-t-${Math.random().toString(36).slice(2)}`))).toEqual([0, 0])
    } finally {
      await closeTransport(t)
    }
  })

  it('writes the greeting (the client\'s CONNECT) the moment it opens: CONNACK comes without another write', async () => {
    const greeting = connectPacket(`greet-${Math.random().toString(36).slice(2)}`)
    const t = await makeOpen()('greet', { greeting })
    try {
      const connack = await nextPacket(t, new PacketSplitter(), () => true)
      expect(connack.type).toBe(2)
      expect(Array.from(connack.body)).toEqual([0, 0])
    } finally {
      await closeTransport(t)
    }
  })

  it('carries 10 MiB of PUBLISH to a subscriber intact, with a bounded write buffer', async () => {
    const open = makeOpen()
    const topic = `isomqtt/transport/${Math.random().toString(36).slice(2)}`
    const sub = await openTransport(broker.url)
    const pub = await open('pub')
    try {
      expect(Array.from(await rawConnect(sub, `sub-${Math.random().toString(36).slice(2)}`))).toEqual([0, 0])
      const splitter = new PacketSplitter()
      const suback = nextPacket(sub, splitter, (p) => p.type === 9)
      sub.write(subscribePacket(topic))
      expect(Array.from((await suback).body)).toEqual([0, 1, 0])

      let received = 0
      let corrupt = 0
      const allReceived = new Promise<void>((resolve, reject) => {
        sub.on('data', (chunk: Uint8Array) => {
          for (const p of splitter.push(chunk)) {
            if (p.type !== 3) continue
            const topicLength = (p.body[0]! << 8) | p.body[1]!
            const payload = p.body.subarray(2 + topicLength)
            if (Buffer.compare(payload, payloadFor(received)) !== 0) corrupt++
            if (++received === COUNT) resolve()
          }
        })
        sub.once('error', reject)
        sub.once('end', () => reject(new Error(`subscriber ended after ${received} messages`)))
      })

      expect(Array.from(await rawConnect(pub, `pub-${Math.random().toString(36).slice(2)}`))).toEqual([0, 0])
      let maxBuffered = 0
      for (let i = 0; i < COUNT; i++) {
        const ok = pub.write(publishPacket(topic, payloadFor(i)))
        maxBuffered = Math.max(maxBuffered, pub.writableLength)
        if (!ok) await once(pub, 'drain')
      }
      await allReceived
      expect(received).toBe(COUNT)
      expect(corrupt).toBe(0)
      // Honouring write() === false keeps at most one high-water mark plus one packet queued. (Whether the
      // writer had to wait at all depends on how fast the broker reads; a peer that stops reading makes it
      // wait for certain in write-coalescing.test.ts.)
      expect(maxBuffered).toBeLessThanOrEqual(pub.writableHighWaterMark + PAYLOAD + 64)
    } finally {
      await closeTransport(pub)
      await closeTransport(sub)
    }
  }, 60_000)
})

describe('the wrong scheme for a port', () => {
  it('ws:// to an MQTT (TCP) port: the hang-up during the handshake says which scheme that port takes', async () => {
    const err = await openTransport(`ws://127.0.0.1:${broker.port}`, { connectTimeoutMs: 5000 }).then(
      () => { throw new Error('connected') },
      (e: unknown) => e as { code: string; message: string },
    )
    expect(err.code).toBe('CONNECTION_CLOSED')
    // Reset or plain close, depending on what the broker had left unread when it hung up.
    expect(err.message).toMatch(new RegExp(`^ws://127\\.0\\.0\\.1:${broker.port}: connection .* during the WebSocket handshake \\(an MQTT port\\? it takes mqtt://\\)$`))
  })
})

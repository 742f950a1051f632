// Scenario 2: a fault-injection proxy between both clients and Mosquitto cuts every connection 50 times at
// random moments of a 20,000-message QoS 1 stream and a 20,000-message QoS 2 stream (persistent sessions).
// The publisher speaks MQTT over TCP, the subscriber MQTT over WebSocket (a second proxy in front of the
// broker's websocket listener: the proxy forwards raw bytes, so WebSocket frames pass and get cut alike).
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { MqttClient } from '../src/index.js'
import { startFaultProxy, type FaultProxy } from '../../../tests/support/fault-proxy.js'
import { once, startMosquitto, uniqueId, uniqueTopic, type Mosquitto } from './helpers.js'
import { figures, publishStreams, spread, streamPair } from './resilience-helpers.js'

const N = 20_000
const CUTS = 50
let broker: Mosquitto
let proxy: FaultProxy
let wsProxy: FaultProxy
beforeAll(async () => {
  broker = await startMosquitto({ websockets: true })
  proxy = await startFaultProxy({ targetPort: broker.port })
  wsProxy = await startFaultProxy({ targetPort: broker.wsPort! })
})
afterAll(async () => {
  await proxy?.close()
  await wsProxy?.close()
  await broker?.stop()
})

/** Resolves once the client is connected (now or at its next 'connect'). */
function connected(client: MqttClient): Promise<void> {
  if (client.connected) return Promise.resolve()
  return new Promise((resolve) => client.once('connect', () => resolve()))
}

it('50 random cuts: QoS 1 at least once, QoS 2 exactly once, every publish promise resolves', async () => {
  const base = uniqueTopic('cuts')
  // A seeded random source (xorshift) makes the cut moments reproducible from the printed seed.
  const seed = (Date.now() % 100_000) + 1
  let x = seed
  const random = (): number => {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5
    return ((x >>> 0) % 1_000_000) / 1_000_000
  }
  const reconnect = { minDelayMs: 10, maxDelayMs: 200, stableAfterMs: 300 }
  const { sub, pub, q1, q2, subWatch, pubWatch } = await streamPair(base, N, {
    sub: { servers: [wsProxy.url('ws', '/mqtt')], clientId: uniqueId('cs') },
    pub: { servers: [proxy.url()], clientId: uniqueId('cp') },
  }, { reconnect })

  const started = Date.now()
  const { results, issued } = publishStreams(pub, base, N)
  let cuts = 0
  let cutLoop = Promise.resolve()
  for (let c = 1; c <= CUTS; c++) {
    cutLoop = cutLoop.then(async () => {
      // Wait for a random share of the stream's progress (spread over the stream), then cut.
      await Promise.all([connected(pub), connected(sub)])
      const target = Math.min(2 * N - 1, Math.floor(((c - 1 + random()) / CUTS) * 2 * N * 0.9))
      while (q1.received + q2.received < target) await new Promise((r) => setTimeout(r, 2))
      // Both clients are connected (perhaps still resuming): the cut is a real loss for each of them.
      const lost = Promise.all([once(pub, 'connectionLost'), once(sub, 'connectionLost')])
      if (proxy.cut() + wsProxy.cut() > 0) cuts++
      await lost
    })
  }
  await cutLoop
  const settled = await results
  await Promise.all([q1.reach(N), q2.reach(N)])
  const rejected = settled.filter((r) => r.status === 'rejected')
  figures('proxy cuts', {
    seed,
    cuts,
    sent: issued,
    received: q1.received + q2.received,
    q1Duplicates: q1.duplicates,
    q2Duplicates: q2.duplicates,
    lost: q1.missing().length + q2.missing().length,
    rejectedPromises: rejected.length,
    pubLost: pubWatch.lost,
    subLost: subWatch.lost,
    pubReconnects: pubWatch.reconnects,
    subReconnects: subWatch.reconnects,
    recover: spread([...pubWatch.recoverMs, ...subWatch.recoverMs]),
    totalMs: Date.now() - started,
  })
  expect(cuts).toBe(CUTS)
  expect(rejected.map((r) => (r as PromiseRejectedResult).reason)).toEqual([])
  expect(q1.missing()).toEqual([])
  expect(q2.missing()).toEqual([])
  expect(q2.duplicates).toBe(0)
  // Each cut hits both clients (the loop waits until both are connected); some land during a resume.
  expect(pubWatch.lost).toBe(CUTS)
  expect(subWatch.lost).toBe(CUTS)
  expect(pubWatch.reconnects).toBeGreaterThan(0)
  await pub.disconnect()
  await sub.disconnect()
}, 150_000)

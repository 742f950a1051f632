// Scenario 1: Mosquitto (with persistence) is stopped and started again in the middle of a 20,000-message
// QoS 1 stream and a 20,000-message QoS 2 stream. Both clients reconnect on their own; the subscriber's
// persistent session (MQTT 3.1.1, clean: false) gets what the broker queued while it was away.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startMosquitto, uniqueId, uniqueTopic, type Mosquitto } from './helpers.js'
import { figures, publishStreams, spread, streamPair } from './resilience-helpers.js'

const N = 20_000
let broker: Mosquitto
beforeAll(async () => { broker = await startMosquitto({ persistence: true }) })
afterAll(async () => { await broker?.stop() })

it('every QoS 1 message arrives at least once, every QoS 2 message exactly once, every publish resolves', async () => {
  const base = uniqueTopic('restart')
  const { sub, pub, q1, q2, subWatch, pubWatch } = await streamPair(base, N, {
    sub: { servers: [broker.url], clientId: uniqueId('rs') },
    pub: { servers: [broker.url], clientId: uniqueId('rp') },
  }, { reconnect: { minDelayMs: 50, maxDelayMs: 500 } })

  const started = Date.now()
  const { results, issued } = publishStreams(pub, base, N)
  // Mid-stream: stop the broker (SIGTERM writes its persistence) and start it again on the same ports.
  await q1.reach(N * 0.3)
  const before = q1.received + q2.received
  const downAt = Date.now()
  await broker.stopProcess('SIGTERM')
  await broker.start()
  const settled = await results
  await Promise.all([q1.reach(N), q2.reach(N)])
  const elapsed = Date.now() - started

  const rejected = settled.filter((r) => r.status === 'rejected')
  console.log(broker.log().split('\n').filter((l) => !/New conn|New client|disconnected|Opening|mosquitto version|Config loaded|Saving|Restored|running|terminating|exiting/.test(l)).slice(0, 20).join('\n'))
  figures('broker restart', {
    sent: issued,
    receivedBeforeRestart: before,
    received: q1.received + q2.received,
    q1Duplicates: q1.duplicates,
    q2Duplicates: q2.duplicates,
    lost: q1.missing().length + q2.missing().length,
    rejectedPromises: rejected.length,
    pubReconnects: pubWatch.reconnects,
    subReconnects: subWatch.reconnects,
    recover: spread([...pubWatch.recoverMs, ...subWatch.recoverMs]),
    sinceRestartMs: Date.now() - downAt,
    totalMs: elapsed,
  })
  expect(rejected.map((r) => (r as PromiseRejectedResult).reason)).toEqual([])
  expect(q1.missing()).toEqual([])
  expect(q2.missing()).toEqual([])
  expect(q2.duplicates).toBe(0)
  expect(pubWatch.reconnects).toBeGreaterThanOrEqual(1)
  expect(subWatch.reconnects).toBeGreaterThanOrEqual(1)
  await pub.disconnect()
  await sub.disconnect()
}, 120_000)

// More offline QoS 1 publishes than there are packet ids (65535): the ones that had to wait for an id are
// still sent once ids free up, after the earlier ones, and every promise settles. Mosquitto receives them
// and a subscriber sees the whole stream in order.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { connect, createClient, type PublishResult } from '../src/index.js'
import { startMosquitto, uniqueId, uniqueTopic, type Mosquitto } from './helpers.js'
import { StreamTally } from './resilience-helpers.js'

const N = 70_000
let broker: Mosquitto
beforeAll(async () => { broker = await startMosquitto() })
afterAll(async () => { await broker?.stop() })

it('queued offline beyond 65535 packet ids: all are sent once ids free, in order', async () => {
  const topic = uniqueTopic('ids')
  const tally = new StreamTally(N)
  const order: number[] = []
  const sub = await connect(broker.url, { clientId: uniqueId('is') })
  await sub.subscribe(topic, (m) => { const i = Number(m.text()); order.push(i); tally.add(i) }, { qos: 1 })
  const pub = createClient({ servers: [broker.url], clientId: uniqueId('ip'), offlineQueue: { maxMessages: N } })
  const promises: Array<Promise<PublishResult>> = []
  for (let i = 0; i < N; i++) promises.push(pub.publish(topic, String(i), { qos: 1 }))
  expect(pub.offlineQueueDepth).toBe(N)
  await pub.connect()
  const settled = await Promise.allSettled(promises)
  expect(settled.filter((r) => r.status === 'rejected')).toEqual([])
  await tally.reach(N, 60_000)
  expect(tally.duplicates).toBe(0)
  let inOrder = true
  for (let k = 1; k < order.length; k++) if (order[k]! < order[k - 1]!) { inOrder = false; break }
  expect(inOrder).toBe(true)
  await pub.disconnect()
  await sub.disconnect()
}, 90_000)

// client.offlineQueueDepth: publishes accepted while no connection is up and not yet sent (what the
// dashboard shows), and the 'offlineQueueDepth' event on every change. Offline is made real with the fault
// proxy refusing connections in front of Mosquitto.
import { expect, it } from 'vitest'
import { createClient } from '../src/index.js'
import { once, uniqueId, uniqueTopic, useBrokerBehindProxy } from './helpers.js'

const env = useBrokerBehindProxy()

it('counts queued publishes before the first connect and while reconnecting, and reports each change', async () => {
  const topic = uniqueTopic('depth')
  const client = createClient({ servers: [env.proxy.url()], clientId: uniqueId('qd'), reconnect: { minDelayMs: 20, maxDelayMs: 100 } })
  const depths: number[] = []
  client.on('offlineQueueDepth', (d) => depths.push(d))
  expect(client.offlineQueueDepth).toBe(0)

  const early = client.publish(topic, 'before connect', { qos: 0 })
  expect(client.offlineQueueDepth).toBe(1)
  await client.connect()
  await early
  expect(client.offlineQueueDepth).toBe(0)
  expect(depths).toEqual([1, 0])

  const lost = once(client, 'connectionLost')
  env.proxy.refuse(true)
  env.proxy.cut()
  await lost
  const queued = [client.publish(topic, 'a', { qos: 1 }), client.publish(topic, 'b', { qos: 2 }), client.publish(topic, 'c', { qos: 0 })]
  expect(client.offlineQueueDepth).toBe(3)
  const back = once(client, 'connect')
  env.proxy.refuse(false)
  await back
  expect(client.offlineQueueDepth).toBe(0)
  await Promise.all(queued)
  expect(depths).toEqual([1, 0, 1, 2, 3, 0])
  await client.disconnect()
}, 30_000)

it('drops to 0 when the queue is given up (disconnect while reconnecting)', async () => {
  const client = createClient({ servers: [env.proxy.url()], clientId: uniqueId('qd'), reconnect: { minDelayMs: 20, maxDelayMs: 100 } })
  await client.connect()
  const lost = once(client, 'connectionLost')
  env.proxy.refuse(true)
  env.proxy.cut()
  await lost
  const p = client.publish(uniqueTopic('depth'), 'x', { qos: 1 })
  expect(client.offlineQueueDepth).toBe(1)
  await client.disconnect()
  await expect(p).rejects.toMatchObject({ code: 'CLOSED' })
  expect(client.offlineQueueDepth).toBe(0)
  env.proxy.refuse(false)
}, 30_000)

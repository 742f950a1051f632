// Publishes waiting for an in-flight slot when the link drops were accepted before anything published while
// reconnecting, so they leave before it: on the wire of the new connection the order is the call order
// (in-flight ones resent first, then the slot waiters, then the offline queue). The fault proxy stalls and
// cuts the link and taps the bytes the client sends to Mosquitto.
import { MemoryStore } from '@isomqtt/store'
import { Parser, type Packet } from '@isomqtt/codec'
import { expect, it } from 'vitest'
import { createClient } from '../src/index.js'
import { once, uniqueId, uniqueTopic, useBrokerBehindProxy } from './helpers.js'

const env = useBrokerBehindProxy()

it('in flight, then slot waiters, then offline-queued: call order on the wire after a reconnect', async () => {
  const topic = uniqueTopic('order')
  const store = new MemoryStore()
  const client = createClient({
    servers: [env.proxy.url()], clientId: uniqueId('so'), clean: false, store, maxInflight: 2,
    reconnect: { minDelayMs: 20, maxDelayMs: 100 },
  })
  await client.connect()
  const promises: Array<Promise<unknown>> = []
  // 1 and 2 take the two slots and hang (no PUBACK through the stalled proxy); 3..6 wait for a slot.
  env.proxy.stall()
  for (let i = 1; i <= 6; i++) promises.push(client.publish(topic, String(i), { qos: 1 }))
  while ((await store.keys()).length < 2) await new Promise((r) => setTimeout(r, 5))
  const lost = once(client, 'connectionLost')
  env.proxy.refuse(true)
  env.proxy.cut()
  await lost
  // The slot waiters are in the store now, like offline publishes: a crash cannot lose them.
  while ((await store.keys()).length < 6) await new Promise((r) => setTimeout(r, 5))
  expect(client.offlineQueueDepth).toBe(4)
  // Made while reconnecting: the offline queue.
  for (let i = 7; i <= 9; i++) promises.push(client.publish(topic, String(i), { qos: 1 }))

  const first = env.proxy.accepted + 1
  const parsers = new Map<number, Parser>()
  const sent: Packet[] = []
  // Both directions in the order the proxy forwards them: publishes up, acknowledgements down.
  const wire: Array<{ direction: 'up' | 'down'; packet: Packet }> = []
  env.proxy.tap((direction, chunk, conn) => {
    if (conn < first) return
    const key = conn * 2 + (direction === 'up' ? 0 : 1)
    let parser = parsers.get(key)
    if (!parser) parsers.set(key, (parser = new Parser({ version: 4 })))
    for (const packet of parser.push(chunk)) {
      wire.push({ direction, packet })
      if (direction === 'up') sent.push(packet)
    }
  })
  env.proxy.resume()
  env.proxy.refuse(false)
  await Promise.all(promises)
  env.proxy.tap(undefined)

  const order: string[] = []
  for (const p of sent) {
    if (p.type !== 'publish') continue
    const text = new TextDecoder().decode(p.payload)
    if (!order.includes(text)) order.push(text)
  }
  expect(order).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9'])
  // The window holds on the new connection too: never more than maxInflight unacknowledged publishes.
  const open = new Set<number>()
  let most = 0
  for (const { direction, packet } of wire) {
    if (direction === 'up' && packet.type === 'publish') open.add(packet.packetId!)
    if (direction === 'down' && packet.type === 'puback') open.delete(packet.packetId)
    most = Math.max(most, open.size)
  }
  expect(most).toBe(2)
  await client.disconnect()
}, 30_000)

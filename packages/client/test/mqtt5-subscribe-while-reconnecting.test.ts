// MQTT 5: a subscribe() made while reconnecting is built once the new connection is up, so it follows that
// server's CONNACK (here: no Subscription Identifiers) rather than the limits of the connection that was
// lost. A scripted server, since Mosquitto always offers identifiers.
import { expect, it } from 'vitest'
import { createClient } from '../src/index.js'
import { once } from './helpers.js'
import { scripted } from './scripted-peer.js'

it('a subscribe made while reconnecting uses the new connection\'s limits (no identifier when the server has none)', async () => {
  const s = scripted(5)
  const client = createClient({ servers: ['mqtt://scripted.invalid'], protocolVersion: 5, transport: s.transport, reconnect: { minDelayMs: 1, maxDelayMs: 5 } })
  const connecting = client.connect()
  const first = await s.nextPeer()
  await first.expect('connect')
  first.send({ type: 'connack', sessionPresent: false, reasonCode: 0 })
  await connecting
  const lost = once(client, 'connectionLost')
  first.drop()
  await lost

  const subscribing = client.subscribe('a/b', undefined, { qos: 1 })
  const second = await s.nextPeer()
  await second.expect('connect')
  second.send({ type: 'connack', sessionPresent: false, reasonCode: 0, properties: { subscriptionIdentifiersAvailable: false } })
  const sub = await second.expect('subscribe')
  expect(sub.properties?.subscriptionIdentifier).toBeUndefined()
  second.send({ type: 'suback', packetId: sub.packetId, reasonCodes: [1] })
  const subscription = await subscribing
  expect(subscription.subscriptionIdentifier).toBeUndefined()
  expect(subscription.filters).toMatchObject([{ filter: 'a/b', qos: 1 }])
  client.destroy()
})

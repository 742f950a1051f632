// Scenario 4: failover between two brokers. With the primary down the client is on the standby after one
// backoff step; when the primary comes back the client stays on the standby until the standby fails.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createClient, type ReconnectingInfo } from '../src/index.js'
import { once, startMosquitto, uniqueId, uniqueTopic, type Mosquitto } from './helpers.js'
import { figures } from './resilience-helpers.js'

let primary: Mosquitto
let standby: Mosquitto
beforeAll(async () => {
  ;[primary, standby] = await Promise.all([startMosquitto(), startMosquitto({ websockets: true })])
})
afterAll(async () => {
  await Promise.all([primary?.stop(), standby?.stop()])
})

it('fails over to the standby within one backoff step, sticks to it, and returns to the primary only when the standby fails', async () => {
  const clientId = uniqueId('fo')
  // The list mixes schemes: the standby is reached over WebSocket.
  const standbyUrl = `ws://127.0.0.1:${standby.wsPort}/mqtt`
  const client = createClient({
    servers: [primary.url, standbyUrl], clientId, keepalive: 2,
    reconnect: { minDelayMs: 100, maxDelayMs: 2000 },
  })
  const steps: ReconnectingInfo[] = []
  client.on('reconnecting', (info) => steps.push(info))
  await client.connect()
  expect(client.server?.href).toBe(new URL(primary.url).href)

  // Primary down: one 'reconnecting' step, and the attempt it announces lands on the standby.
  const lost1 = once(client, 'connectionLost')
  const onStandby = once(client, 'connect')
  const down1 = Date.now()
  await primary.stopProcess()
  await lost1
  await onStandby
  const failoverMs = Date.now() - down1
  expect(client.server?.href).toBe(new URL(standbyUrl).href)
  expect(steps).toHaveLength(1)
  expect(steps[0]!.server?.href).toBe(new URL(primary.url).href)

  // Primary back: nothing moves. A round trip on the standby proves the client is alive there.
  await primary.start()
  const primaryLogFrom = primary.log().length
  const topic = uniqueTopic('fo')
  let gotText!: (t: string) => void
  const got = new Promise<string>((resolve) => { gotText = resolve })
  await client.subscribe(topic, (m) => gotText(m.text()), { qos: 1 })
  await client.publish(topic, 'still here', { qos: 1 })
  expect(await got).toBe('still here')
  expect(client.server?.href).toBe(new URL(standbyUrl).href)
  expect(primary.log().slice(primaryLogFrom)).not.toContain(clientId)

  // Standby down: the client starts from the standby (refused) and wraps around to the primary.
  const onPrimary = once(client, 'connect')
  const down2 = Date.now()
  await standby.stopProcess()
  await onPrimary
  const failbackMs = Date.now() - down2
  expect(client.server?.href).toBe(new URL(primary.url).href)
  expect(steps).toHaveLength(2)
  expect(steps[1]!.server?.href).toBe(new URL(standbyUrl).href)
  figures('failover', { failoverMs, failbackMs, firstDelayMs: steps[0]!.delayMs, secondDelayMs: steps[1]!.delayMs, reconnecting: steps.length })
  await client.disconnect()
})

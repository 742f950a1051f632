// MQTT 5 resubscribe without a session: every live subscription is subscribed again with its own
// Subscription Identifier and options, so two overlapping subscriptions still get exactly one copy each after
// the connection was cut (fault proxy) or the broker restarted without persistence. Proven on the wire
// (the SUBSCRIBE packets the proxy forwards) and by what each handler receives from Mosquitto.
import { Parser, type Packet } from '@isomqtt/codec'
import { describe, expect, it } from 'vitest'
import { connect, createClient, type Message, type MqttClient } from '../src/index.js'
import type { FaultProxy } from '../../../tests/support/fault-proxy.js'
import { once, signal, uniqueId, uniqueTopic, useBrokerBehindProxy } from './helpers.js'

const env = useBrokerBehindProxy()

/** Packets the proxy forwards on connections after the first, per direction. */
function wireLog(p: FaultProxy, from: number): { up: Packet[]; down: Packet[]; suback(n: number): Promise<void> } {
  const parsers = new Map<string, Parser>()
  const log = { up: [] as Packet[], down: [] as Packet[], waiters: [] as Array<{ n: number; resolve: () => void }> }
  p.tap((direction, chunk, conn) => {
    if (conn < from) return
    const key = `${direction}${conn}`
    let parser = parsers.get(key)
    if (!parser) parsers.set(key, (parser = new Parser({ version: 5 })))
    for (const packet of parser.push(chunk)) log[direction].push(packet)
    const subacks = log.down.filter((x) => x.type === 'suback').length
    log.waiters = log.waiters.filter((w) => (subacks >= w.n ? (w.resolve(), false) : true))
  })
  return {
    up: log.up,
    down: log.down,
    suback: (n) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fewer than ${n} SUBACKs on the new connection`)), 10_000)
      log.waiters.push({ n, resolve: () => { clearTimeout(timer); resolve() } })
      const subacks = log.down.filter((x) => x.type === 'suback').length
      if (subacks >= n) log.waiters.pop()!.resolve()
    }),
  }
}

/** Counts per handler and payload. */
function counter(): { handler: (m: Message) => void; count(payload: string): number; next(payload: string): Promise<void> } {
  const counts = new Map<string, number>()
  const waiting = new Map<string, () => void>()
  return {
    handler: (m) => {
      const t = m.text()
      counts.set(t, (counts.get(t) ?? 0) + 1)
      waiting.get(t)?.()
    },
    count: (t) => counts.get(t) ?? 0,
    next: (t) => {
      if (counts.has(t)) return Promise.resolve()
      const s = signal()
      waiting.set(t, s.resolve)
      return s.promise
    },
  }
}

async function scenario(loseSession: (client: MqttClient) => Promise<void>): Promise<void> {
  const base = uniqueTopic('rsid')
  const client = createClient({ servers: [env.proxy.url()], protocolVersion: 5, clientId: uniqueId('rsid'), clean: true, reconnect: { minDelayMs: 20, maxDelayMs: 200 } })
  const other = await connect(env.broker.url, { protocolVersion: 5, clientId: uniqueId('rso') })
  await client.connect()
  const all = counter()
  const one = counter()
  const a = await client.subscribe(`${base}/#`, all.handler, { qos: 1, properties: { userProperties: [['dashboard', 'main']] } })
  const b = await client.subscribe(`${base}/+`, one.handler, { qos: 1, noLocal: true })
  expect(a.subscriptionIdentifier).toBeDefined()
  expect(b.subscriptionIdentifier).not.toBe(a.subscriptionIdentifier)

  const wire = wireLog(env.proxy, env.proxy.accepted + 1)
  const reconnected = once(client, 'connect', 15_000)
  await loseSession(client)
  expect((await reconnected as { sessionPresent: boolean }).sessionPresent).toBe(false)
  await wire.suback(1)
  await wire.suback(wire.up.filter((p) => p.type === 'subscribe').length)

  // On the wire: one SUBSCRIBE per subscription, each with its identifier and options.
  const subscribes = wire.up.filter((p): p is Extract<Packet, { type: 'subscribe' }> => p.type === 'subscribe')
  const byId = new Map(subscribes.map((s) => [s.properties?.subscriptionIdentifier, s.subscriptions.map((e) => ({ filter: e.filter, qos: e.qos, noLocal: e.noLocal ?? false }))]))
  expect(byId.get(a.subscriptionIdentifier)).toEqual([{ filter: `${base}/#`, qos: 1, noLocal: false }])
  expect(byId.get(b.subscriptionIdentifier)).toEqual([{ filter: `${base}/+`, qos: 1, noLocal: true }])
  expect(subscribes).toHaveLength(2)
  expect(subscribes.find((s) => s.properties?.subscriptionIdentifier === a.subscriptionIdentifier)?.properties?.userProperties).toEqual([['dashboard', 'main']])

  // Two overlapping subscriptions: the broker sends two copies, each reaches its own subscription once.
  await other.publish(`${base}/x`, 'after', { qos: 1 })
  await other.publish(`${base}/x`, 'sentinel', { qos: 1 })
  await Promise.all([all.next('sentinel'), one.next('sentinel')])
  expect([all.count('after'), one.count('after')]).toEqual([1, 1])

  // noLocal survived: our own publish reaches the subscription without it only.
  await client.publish(`${base}/y`, 'own', { qos: 1 })
  await other.publish(`${base}/y`, 'sentinel2', { qos: 1 })
  await Promise.all([all.next('sentinel2'), one.next('sentinel2')])
  expect([all.count('own'), one.count('own')]).toEqual([1, 0])
  env.proxy.tap(undefined)
  await client.disconnect()
  await other.disconnect()
}

describe('MQTT 5 resubscribe keeps subscription identifiers and options', () => {
  it('after a cut connection (clean session)', async () => {
    await scenario(async () => { expect(env.proxy.cut()).toBeGreaterThan(0) })
  }, 30_000)

  it('after a broker restart without persistence', async () => {
    await scenario(async () => { await env.broker.restart() })
  }, 30_000)
})

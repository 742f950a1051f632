// The reconnect policy against a real broker: on by default, off with `reconnect: false`, stopped by a
// refused CONNACK, credentials refreshed by beforeAttempt, the initial connect's retry opt-in, and
// resubscribing exactly when the server lost the session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, createClient, type MqttClient, type MqttError, type ReconnectingInfo } from '../src/index.js'
import { startFaultProxy, type FaultProxy } from '../../../tests/support/fault-proxy.js'
import { once, signal, startMosquitto, traceCollector, uniqueId, uniqueTopic, type Mosquitto } from './helpers.js'

let broker: Mosquitto
let proxy: FaultProxy
beforeAll(async () => {
  broker = await startMosquitto({ users: { alice: 'secret', bob: 'token-2' } })
  proxy = await startFaultProxy({ targetPort: broker.port })
})
afterAll(async () => {
  await proxy?.close()
  await broker?.stop()
})

const fast = { minDelayMs: 20, maxDelayMs: 200 }

/** Resolves at the next message on `topic` through the second client. */
async function roundTrip(client: MqttClient, topic: string): Promise<void> {
  const got = signal()
  const s = await client.subscribe(topic, () => got.resolve(), { qos: 1 })
  await client.publish(topic, 'ping', { qos: 1 })
  await got.promise
  await s.unsubscribe()
}

describe('reconnect policy', () => {
  it('reconnects by default after the connection is cut, announcing the attempt', async () => {
    const client = await connect(proxy.url(), { clientId: uniqueId('rp'), username: 'alice', password: 'secret', reconnect: fast })
    const reconnecting = once<ReconnectingInfo>(client, 'reconnecting')
    const back = once(client, 'connect')
    proxy.cut()
    const info = await reconnecting
    expect(info.attempt).toBe(1)
    expect(info.delayMs).toBeGreaterThanOrEqual(20)
    expect(info.server?.port).toBe(String(proxy.port))
    await back
    expect(client.connected).toBe(true)
    await roundTrip(client, uniqueTopic('rp'))
    await client.disconnect()
  })

  it('only maxDelayMs given, below the default minDelayMs: delays stay within it, and the client reconnects', async () => {
    // The smaller default minDelayMs gives way: this once crashed the process when the first loss came.
    const client = await connect(proxy.url(), { clientId: uniqueId('rp'), username: 'alice', password: 'secret', reconnect: { maxDelayMs: 30 } })
    const reconnecting = once<ReconnectingInfo>(client, 'reconnecting')
    const back = once(client, 'connect')
    proxy.cut()
    expect((await reconnecting).delayMs).toBeLessThanOrEqual(30)
    await back
    await roundTrip(client, uniqueTopic('rp'))
    await client.disconnect()
  })

  it('reconnectNow() cuts a long backoff delay short, and is a no-op while connected', async () => {
    const client = await connect(proxy.url(), { clientId: uniqueId('rp'), username: 'alice', password: 'secret', reconnect: { minDelayMs: 60_000, maxDelayMs: 60_000 } })
    expect(client.reconnectNow()).toBe(false)
    const reconnecting = once<ReconnectingInfo>(client, 'reconnecting')
    proxy.cut()
    expect((await reconnecting).delayMs).toBe(60_000)
    const back = once(client, 'connect')
    expect(client.reconnectNow()).toBe(true)
    await back
    expect(client.reconnectNow()).toBe(false)
    await roundTrip(client, uniqueTopic('rp'))
    await client.disconnect()
  })

  it('reconnect: false ends the client at the first loss', async () => {
    const client = await connect(proxy.url(), { clientId: uniqueId('rp'), username: 'alice', password: 'secret', reconnect: false })
    let attempts = 0
    client.on('reconnecting', () => attempts++)
    const closed = once(client, 'close')
    proxy.cut()
    await closed
    expect(client.state).toBe('closed')
    expect(attempts).toBe(0)
    await expect(client.publish('a/b', 'x', { qos: 1 })).rejects.toMatchObject({ code: 'NOT_CONNECTED' })
  })

  it('a refused CONNACK stops reconnecting and rejects what waited, with the refusal', async () => {
    const client = await connect(proxy.url(), {
      clientId: uniqueId('rp'), username: 'alice', password: 'secret',
      reconnect: { ...fast, beforeAttempt: () => ({ password: 'wrong' }) },
    })
    let attempts = 0
    client.on('reconnecting', () => attempts++)
    const closed = once(client, 'close')
    const lost = once(client, 'connectionLost')
    proxy.cut()
    await lost
    const pending = client.publish('a/b', 'x', { qos: 1 })
    await closed
    // Mosquitto answers a wrong password with 'not authorized' (3.1.1 return code 5).
    await expect(pending).rejects.toMatchObject({ code: expect.stringMatching(/^(BAD_CREDENTIALS|NOT_AUTHORIZED)$/) })
    expect(attempts).toBe(1)
    expect(client.state).toBe('closed')
  })

  it('retryOnRefused keeps going; beforeAttempt refreshes the credentials (token refresh)', async () => {
    const seen: number[] = []
    const client = await connect(proxy.url(), {
      clientId: uniqueId('rp'), username: 'alice', password: 'secret',
      reconnect: {
        ...fast, retryOnRefused: true,
        beforeAttempt: async ({ attempt }) => {
          seen.push(attempt)
          // The first attempt carries an expired token; the second a fresh one for another user.
          return attempt === 1 ? { password: 'expired' } : { username: 'bob', password: 'token-2' }
        },
      },
    })
    const errors: MqttError[] = []
    client.on('reconnecting', (i: ReconnectingInfo) => errors.push(i.error as MqttError))
    const back = once(client, 'connect')
    proxy.cut()
    await back
    expect(seen).toEqual([1, 2])
    expect(errors[1]!.code).toMatch(/^(BAD_CREDENTIALS|NOT_AUTHORIZED)$/)
    await roundTrip(client, uniqueTopic('rp'))
    await client.disconnect()
  })

  it('the first connect() rejects when no server answers, unless retryInitialConnect', async () => {
    proxy.refuse(true)
    try {
      const plain = createClient({ servers: [proxy.url()], clientId: uniqueId('rp'), username: 'alice', password: 'secret', reconnect: fast })
      await expect(plain.connect()).rejects.toMatchObject({ code: expect.any(String) })
      expect(plain.state).toBe('closed')
      const patient = createClient({ servers: [proxy.url()], clientId: uniqueId('rp'), username: 'alice', password: 'secret', reconnect: { ...fast, retryInitialConnect: true } })
      const steps: number[] = []
      patient.on('reconnecting', (i: ReconnectingInfo) => {
        steps.push(i.attempt)
        if (steps.length === 3) proxy.refuse(false)
      })
      await patient.connect()
      expect(steps.slice(0, 3)).toEqual([1, 2, 3])
      await patient.disconnect()
    } finally {
      proxy.refuse(false)
    }
  })

  it('resubscribes every live subscription after a reconnect without session, and not with one', async () => {
    for (const clean of [true, false]) {
      const trace = traceCollector()
      const client = await connect(proxy.url(), {
        clientId: uniqueId('rs'), clean, username: 'alice', password: 'secret', reconnect: fast,
        trace: { level: 'verbose', sink: trace.sink },
      })
      const other = await connect(broker.url, { clientId: uniqueId('ro'), username: 'alice', password: 'secret' })
      const t1 = uniqueTopic('rs')
      const t2 = uniqueTopic('rs')
      const got: string[] = []
      const done = signal()
      await client.subscribe([{ filter: t1, qos: 1 }, { filter: `${t2}/+`, qos: 2 }], (m) => {
        got.push(`${m.topic}@${m.qos}`)
        if (got.length === 2) done.resolve()
      })
      const subscribesBefore = trace.entries.filter((e) => e.message.startsWith('send SUBSCRIBE')).length
      const back = once<{ sessionPresent: boolean }>(client, 'connect')
      proxy.cut()
      const result = await back
      expect(result.sessionPresent).toBe(!clean)
      await other.publish(t1, 'a', { qos: 2 })
      await other.publish(`${t2}/x`, 'b', { qos: 2 })
      await done.promise
      expect(got).toEqual([`${t1}@1`, `${t2}/x@2`])
      const resent = trace.entries.filter((e) => e.message.startsWith('send SUBSCRIBE')).slice(subscribesBefore)
      expect(resent.length).toBe(clean ? 1 : 0)
      if (clean) expect(resent[0]!.message).toContain(`${t1}@1,${t2}/+@2`)
      await client.disconnect()
      await other.disconnect()
    }
  })
})

// subscribe() and unsubscribe() made while the client is reconnecting wait for the connection and are sent
// once it is back (after the resubscribe of a lost session); they reject when the wait is over
// (reconnect.waitForConnectionMs: TIMEOUT), when the client is destroyed (CLOSED) or when reconnecting gives
// up (the refusal's error). The link is cut and held down with the fault proxy in front of Mosquitto.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, createClient, type Message, type MqttClient, type ReconnectOptions } from '../src/index.js'
import { startFaultProxy, type FaultProxy } from '../../../tests/support/fault-proxy.js'
import { once, signal, startMosquitto, uniqueId, uniqueTopic, type Mosquitto } from './helpers.js'

let broker: Mosquitto
let proxy: FaultProxy
beforeAll(async () => {
  broker = await startMosquitto({ users: { dash: 'secret' } })
  proxy = await startFaultProxy({ targetPort: broker.port })
})
afterAll(async () => {
  await proxy?.close()
  await broker?.stop()
})

const auth = { username: 'dash', password: 'secret' }

/** A client through the proxy, then the link cut and new connections refused: it is reconnecting. */
async function cutOff(reconnect: ReconnectOptions = {}, clean = true): Promise<MqttClient> {
  proxy.refuse(false)
  const client = createClient({ servers: [proxy.url()], clientId: uniqueId('rw'), clean, ...auth, reconnect: { minDelayMs: 20, maxDelayMs: 100, ...reconnect } })
  await client.connect()
  return client
}

async function dropLink(client: MqttClient): Promise<void> {
  const lost = once(client, 'connectionLost')
  proxy.refuse(true)
  proxy.cut()
  await lost
  expect(client.state).toBe('reconnecting')
}

/** Resolves after `n` more failed reconnect attempts (so a pending call had every chance to settle). */
async function attempts(client: MqttClient, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await once(client, 'reconnecting')
}

describe('subscribe() / unsubscribe() while reconnecting', () => {
  it('wait for the connection, then are sent: messages flow to the new subscription, not the removed one', async () => {
    const base = uniqueTopic('rw')
    const client = await cutOff()
    const other = await connect(broker.url, { clientId: uniqueId('rwo'), ...auth })
    const oldGot: string[] = []
    await client.subscribe(`${base}/old`, (m) => { oldGot.push(m.text()) }, { qos: 1 })
    await dropLink(client)
    // Retained while the link is down: a resubscribe of the filter being removed would bring it back.
    await other.publish(`${base}/old`, 'kept', { qos: 1, retain: true })

    const got = signal<Message>()
    let settled = false
    const subscribing = client.subscribe(`${base}/new`, (m) => got.resolve(m), { qos: 1 })
    const unsubscribing = client.unsubscribe(`${base}/old`)
    void Promise.allSettled([subscribing, unsubscribing]).then(() => { settled = true })
    await attempts(client, 2)
    expect(settled).toBe(false)

    proxy.refuse(false)
    const sub = await subscribing
    await unsubscribing
    expect(sub.filters).toEqual([{ filter: `${base}/new`, qos: 1 }])
    await other.publish(`${base}/old`, 'gone', { qos: 1 })
    await other.publish(`${base}/new`, 'hello', { qos: 1 })
    expect((await got.promise).text()).toBe('hello')
    expect(oldGot).toEqual([])
    await client.disconnect()
    await other.disconnect()
  }, 30_000)

  it('reject with TIMEOUT after waitForConnectionMs, and with CLOSED on destroy()', async () => {
    const client = await cutOff({ waitForConnectionMs: 150 })
    await dropLink(client)
    await expect(client.subscribe(uniqueTopic('rw'))).rejects.toMatchObject({ code: 'TIMEOUT' })
    const pending = client.subscribe(uniqueTopic('rw'))
    const unsub = client.unsubscribe(uniqueTopic('rw'))
    client.destroy()
    await expect(pending).rejects.toMatchObject({ code: 'CLOSED' })
    await expect(unsub).rejects.toMatchObject({ code: 'CLOSED' })
  }, 30_000)

  it('refuses a negative or non-numeric waitForConnectionMs at creation', () => {
    for (const bad of [-1, Number.NaN, '5' as unknown as number]) {
      expect(() => createClient({ reconnect: { waitForConnectionMs: bad } })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    }
  })

  it('waitForConnectionMs: 0 rejects at once with NOT_CONNECTED (the old behaviour)', async () => {
    const client = await cutOff({ waitForConnectionMs: 0 })
    await dropLink(client)
    await expect(client.subscribe(uniqueTopic('rw'))).rejects.toMatchObject({ code: 'NOT_CONNECTED' })
    client.destroy()
  }, 30_000)

  it('reject with the refusal when reconnecting gives up', async () => {
    const client = await cutOff({ beforeAttempt: () => ({ password: 'wrong' }) })
    await dropLink(client)
    const pending = client.subscribe(uniqueTopic('rw'))
    const closed = once(client, 'close')
    proxy.refuse(false)
    await expect(pending).rejects.toMatchObject({ code: 'NOT_AUTHORIZED' })
    await closed
  }, 30_000)
})

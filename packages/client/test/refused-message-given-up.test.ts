// reconnect.giveUpRefused: a message the server refuses by closing the connection (MQTT 3.1.1 has no other
// answer: over the broker's size limit, or not allowed, as AWS IoT does) is found and given up, instead of being
// sent again on every reconnect with every later message stuck behind it. Off by default: a network that cuts
// connections right after each write looks the same (resilience-proxy-cuts.test.ts, with the default, gives
// nothing up).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, MqttError } from '../src/index.js'
import { RefusalProbe } from '../src/refusal-probe.js'
import { signal, startMosquitto, uniqueId, uniqueTopic, type Mosquitto } from './helpers.js'

describe('against Mosquitto with max_packet_size 1000 (MQTT 3.1.1)', () => {
  let broker: Mosquitto
  beforeAll(async () => { broker = await startMosquitto({ extraConfig: ['max_packet_size 1000'] }) })
  afterAll(async () => { await broker?.stop() })

  it('the oversize publish rejects with PUBLISH_FAILED after a few reconnects; the ones around it are delivered in order', async () => {
    const topic = uniqueTopic('refused')
    const sub = await connect(broker.url, { clientId: uniqueId('s') })
    const got: string[] = []
    const all = signal()
    await sub.subscribe(`${topic}/#`, (m) => { if (got.push(m.text()) === 4) all.resolve() }, { qos: 2 })

    const client = await connect(broker.url, { clientId: uniqueId('p'), clean: false, reconnect: { minDelayMs: 10, maxDelayMs: 20, giveUpRefused: true } })
    let losses = 0
    client.on('connectionLost', () => { losses++ })
    const results = await Promise.allSettled([
      client.publish(`${topic}/a`, 'before', { qos: 1 }),
      client.publish(`${topic}/big`, new Uint8Array(5000), { qos: 1 }),
      client.publish(`${topic}/b`, 'after', { qos: 1 }),
      client.publish(`${topic}/c`, 'after, QoS 2', { qos: 2 }),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
    const error = (results[1] as PromiseRejectedResult).reason as MqttError
    expect(error).toBeInstanceOf(MqttError)
    expect(error.code).toBe('PUBLISH_FAILED')
    expect(error.message).toBe('the server closed the connection each time this message was sent (too large? not allowed?): given up')
    expect(losses).toBe(RefusalProbe.losses)

    // Back to normal: a later publish goes through, and nothing else was lost.
    await client.publish(`${topic}/d`, 'later', { qos: 1 })
    await all.promise
    expect(got).toEqual(['before', 'after', 'after, QoS 2', 'later'])
    await client.disconnect()
    await sub.disconnect()
  }, 30_000)
})

describe('the probe', () => {
  const probe = (): RefusalProbe => new RefusalProbe(10_000)

  it('probes after three quick losses with publishes pending, and names a message that ends three connections so', () => {
    const p = probe()
    expect(p.lost(50, true, undefined)).toBeUndefined()
    expect(p.lost(50, true, undefined)).toBeUndefined()
    expect(p.probing).toBe(false)
    expect(p.lost(50, true, undefined)).toBeUndefined()
    expect(p.probing).toBe(true)
    expect(p.lost(50, true, 2)).toBeUndefined()
    expect(p.lost(50, true, 2)).toBeUndefined()
    expect(p.lost(50, true, 2)).toBe(2)
    expect(RefusalProbe.losses).toBe(6)
  })

  it('never names a message for losses of connections that held, that had nothing pending, or with no suspect', () => {
    const held = probe()
    for (let i = 0; i < 10; i++) expect(held.lost(10_000, true, 1)).toBeUndefined()
    expect(held.probing).toBe(false)

    const idle = probe()
    for (let i = 0; i < 3; i++) idle.lost(50, true, undefined)
    expect(idle.lost(50, false, 1)).toBeUndefined()
    expect(idle.probing).toBe(false)

    // Cut before the server answered the PINGREQ sent with the message: the network, not the message.
    const cut = probe()
    for (let i = 0; i < 3; i++) cut.lost(50, true, undefined)
    for (let i = 0; i < 5; i++) expect(cut.lost(50, true, undefined)).toBeUndefined()
  })

  it('strikes count per message and are forgotten with the probe, so an old one never adds to a new one', () => {
    const p = probe()
    for (let i = 0; i < 3; i++) p.lost(50, true, undefined)
    expect(p.lost(50, true, 7)).toBeUndefined()
    expect(p.lost(50, true, 7)).toBeUndefined()
    expect(p.lost(50, true, 8)).toBeUndefined()
    p.reset()
    for (let i = 0; i < 3; i++) p.lost(50, true, undefined)
    expect(p.lost(50, true, 7)).toBeUndefined()
    expect(p.lost(50, true, 7)).toBeUndefined()
    expect(p.lost(50, true, 7)).toBe(7)
  })
})

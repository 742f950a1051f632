// A 100,000-message QoS 1 stream through Mosquitto: every message arrives, in order, every publish completes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../src/index.js'
import { signal, startMosquitto, uniqueId, uniqueTopic, type Mosquitto } from './helpers.js'

let broker: Mosquitto
beforeAll(async () => { broker = await startMosquitto() })
afterAll(async () => { await broker?.stop() })

const COUNT = 100_000

describe('QoS 1 stream', () => {
  it(`delivers ${COUNT.toLocaleString('en')} QoS 1 messages published in one loop, none lost, in order`, async () => {
    const topic = uniqueTopic('stream')
    const pub = await connect(broker.url, { clientId: uniqueId('p') })
    const sub = await connect(broker.url, { clientId: uniqueId('s') })
    let next = 0
    let outOfOrder = 0
    const all = signal()
    await sub.subscribe(topic, (m) => {
      const p = m.payload
      const n = (p[0]! << 16) | (p[1]! << 8) | p[2]!
      if (n !== next) outOfOrder++
      next = n + 1
      if (n === COUNT - 1) all.resolve()
    }, { qos: 1 })
    const started = performance.now()
    const pubs = new Array<Promise<unknown>>(COUNT)
    for (let i = 0; i < COUNT; i++) pubs[i] = pub.publish(topic, new Uint8Array([i >> 16, (i >> 8) & 255, i & 255]), { qos: 1 })
    await Promise.all(pubs)
    await all.promise
    const ms = performance.now() - started
    console.log(`100k QoS 1 stream: ${ms.toFixed(0)} ms (${Math.round(COUNT / (ms / 1000)).toLocaleString('en')} msg/s)`)
    expect(outOfOrder).toBe(0)
    expect(next).toBe(COUNT)
    await pub.disconnect()
    await sub.disconnect()
  }, 120_000)
})

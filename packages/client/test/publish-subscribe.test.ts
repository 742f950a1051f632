// Publish and subscribe through a real Mosquitto at each QoS, for MQTT 3.1 and 3.1.1, both ways.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type Message } from '../src/index.js'
import { signal, startMosquitto, uniqueId, uniqueTopic, type Mosquitto } from './helpers.js'

let broker: Mosquitto
beforeAll(async () => { broker = await startMosquitto() })
afterAll(async () => { await broker?.stop() })

for (const protocolVersion of [3, 4] as const) {
  describe(`MQTT ${protocolVersion === 3 ? '3.1' : '3.1.1'}`, () => {
    for (const qos of [0, 1, 2] as const) {
      it(`delivers a QoS ${qos} message published by one client to another, text and binary`, async () => {
        const pub = await connect(broker.url, { protocolVersion, clientId: uniqueId('p') })
        const sub = await connect(broker.url, { protocolVersion, clientId: uniqueId('s') })
        const topic = uniqueTopic()
        const received: Message[] = []
        const got = signal()
        const s = await sub.subscribe(topic, (m) => { received.push(m); if (received.length === 2) got.resolve() }, { qos })
        expect(s.filters).toEqual([{ filter: topic, qos }])
        const r1 = await pub.publish(topic, 'héllo', { qos })
        const r2 = await pub.publish(topic, new Uint8Array([0, 1, 255]), { qos })
        expect(r1.qos).toBe(qos)
        if (qos > 0) expect(r1.packetId).toBeGreaterThan(0)
        else expect(r1.packetId).toBeUndefined()
        expect(r2.packetId).not.toBe(qos > 0 ? r1.packetId : 1)
        await got.promise
        expect(received[0]!.text()).toBe('héllo')
        expect(received[0]!.topic).toBe(topic)
        expect(received[0]!.qos).toBe(qos)
        expect([...received[1]!.payload]).toEqual([0, 1, 255])
        await pub.disconnect()
        await sub.disconnect()
        expect(pub.connected).toBe(false)
      })
    }
  })
}

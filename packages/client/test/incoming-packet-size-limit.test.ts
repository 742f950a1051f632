// maxIncomingPacketSize bounds what one packet from the server may cost, whatever the protocol version: over
// MQTT 3.1.1 (which has no way to tell the server) a larger message is read past without being buffered,
// acknowledged and dropped; over MQTT 5 the limit is sent as Maximum Packet Size, so Mosquitto holds such a
// message back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, createClient, type Message, type TraceEntry } from '../src/index.js'
import { signal, startMosquitto, uniqueId, uniqueTopic, until, type Mosquitto } from './helpers.js'

let broker: Mosquitto
beforeAll(async () => { broker = await startMosquitto() })
afterAll(async () => { await broker?.stop() })

describe('maxIncomingPacketSize', () => {
  it('MQTT 3.1.1: a larger message is read past unbuffered, acknowledged and dropped, and the connection stays', async () => {
    const id = uniqueId('ps4')
    const topic = uniqueTopic('ps4')
    const got: string[] = []
    const warnings: string[] = []
    const lastOne = signal()
    const options = { clientId: id, clean: false, maxIncomingPacketSize: 1000, trace: { level: 'warn' as const, sink: (e: TraceEntry) => { warnings.push(e.message) } } }
    const sub = await connect(broker.url, options)
    await sub.subscribe(topic, (m: Message) => { got.push(m.text()); if (m.text() === 'small-2') lastOne.resolve() }, { qos: 2 })
    const pub = await connect(broker.url, { clientId: uniqueId('pp4') })
    await pub.publish(topic, 'small-1', { qos: 1 })
    await pub.publish(topic, 'x'.repeat(2000), { qos: 1 })
    await pub.publish(topic, 'y'.repeat(3000), { qos: 2 })
    await pub.publish(topic, 'small-2', { qos: 1 })
    await lastOne.promise
    expect(got).toEqual(['small-1', 'small-2'])
    expect(sub.droppedMessages).toBe(2)
    expect(sub.connected).toBe(true)
    expect(warnings.filter((w) => w.includes('exceeds maxIncomingPacketSize 1000'))).toHaveLength(2)
    await sub.disconnect()
    // Acknowledged (QoS 2 through PUBCOMP): the session does not send them again.
    const again = await connect(broker.url, { ...options, onMessage: (m) => { got.push(`again ${m.text()}`) } })
    await pub.publish(topic, 'sentinel', { qos: 1 })
    await until(() => got.includes('again sentinel'))
    expect(got.slice(2)).toEqual(['again sentinel'])
    await pub.disconnect()
    await again.disconnect()
  })

  it('MQTT 5: the limit goes to the server as Maximum Packet Size, which holds larger messages back', async () => {
    const topic = uniqueTopic('ps5')
    const got: string[] = []
    const lastOne = signal()
    const sub = await connect(broker.url, { protocolVersion: 5, clientId: uniqueId('ps5'), maxIncomingPacketSize: 1000 })
    expect(sub.options.properties?.maximumPacketSize).toBe(1000)
    await sub.subscribe(topic, (m) => { got.push(m.text()); if (m.text() === 'small-2') lastOne.resolve() }, { qos: 1 })
    const pub = await connect(broker.url, { protocolVersion: 5, clientId: uniqueId('pp5') })
    await pub.publish(topic, 'small-1', { qos: 1 })
    await pub.publish(topic, 'x'.repeat(2000), { qos: 1 })
    await pub.publish(topic, 'small-2', { qos: 1 })
    await lastOne.promise
    expect(got).toEqual(['small-1', 'small-2'])
    expect(sub.connected).toBe(true)
    await pub.disconnect()
    await sub.disconnect()
  })

  it('an MQTT 5 Maximum Packet Size given in properties is the one sent and enforced', () => {
    const client = createClient({ servers: [broker.url], protocolVersion: 5, maxIncomingPacketSize: 1000, properties: { maximumPacketSize: 500 } })
    expect(client.options.properties?.maximumPacketSize).toBe(500)
  })

  it('rejects a limit that is not a positive integer at the call', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => createClient({ servers: [broker.url], maxIncomingPacketSize: bad })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('maxIncomingPacketSize') }))
    }
  })
})

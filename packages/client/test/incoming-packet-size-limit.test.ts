// maxIncomingPacketSize bounds what one packet from the server may cost, whatever the protocol version: over
// MQTT 3.1.1 (which has no way to tell the server) a larger packet ends the connection before its body is
// buffered; over MQTT 5 the limit is sent as Maximum Packet Size, so Mosquitto holds such a message back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, createClient, type Message } from '../src/index.js'
import { once, signal, startMosquitto, uniqueId, uniqueTopic, type Mosquitto } from './helpers.js'

let broker: Mosquitto
beforeAll(async () => { broker = await startMosquitto() })
afterAll(async () => { await broker?.stop() })

describe('maxIncomingPacketSize', () => {
  it('MQTT 3.1.1: a larger packet ends the connection with PACKET_TOO_LARGE, and the client reconnects', async () => {
    const topic = uniqueTopic('ps4')
    const got: string[] = []
    const lastOne = signal()
    const lost = signal<Error>()
    const sub = await connect(broker.url, {
      clientId: uniqueId('ps4'), maxIncomingPacketSize: 1000, reconnect: { minDelayMs: 10 },
      onConnectionLost: (e) => lost.resolve(e),
    })
    await sub.subscribe(topic, (m: Message) => { got.push(m.text()); if (m.text() === 'small-2') lastOne.resolve() })
    const pub = await connect(broker.url, { clientId: uniqueId('pp4') })
    await pub.publish(topic, 'small-1', { qos: 1 })
    await pub.publish(topic, 'x'.repeat(2000), { qos: 1 })
    const error = await lost.promise
    expect(error).toMatchObject({ code: 'PACKET_TOO_LARGE' })
    expect(error.message).toContain('exceeds the Maximum Packet Size 1000')
    await once(sub, 'connect', 30_000)
    // The subscription is renewed on the new connection (clean session); what comes after still arrives.
    await pub.publish(topic, 'small-2', { qos: 1 })
    await lastOne.promise
    expect(got).toEqual(['small-1', 'small-2'])
    await pub.disconnect()
    await sub.disconnect()
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

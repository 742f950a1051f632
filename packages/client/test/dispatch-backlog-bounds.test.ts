// Ordered dispatch holds messages for busy handlers without blocking the socket; what it holds is bounded.
// A fast QoS 0 publisher and a slow async handler must not take the process's memory: beyond the backlog's
// limits new QoS 0 messages are dropped (counted, traced once per run), while QoS 1/2 ones are always kept
// (the server's in-flight window bounds them, since their acks wait for the handlers).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, createClient, Message, MqttError } from '../src/index.js'
import { Dispatcher, type DispatchHost } from '../src/dispatcher.js'
import type { Subscription } from '../src/subscription.js'
import { signal, startMosquitto, traceCollector, uniqueId, uniqueTopic, type Mosquitto } from './helpers.js'

let broker: Mosquitto
beforeAll(async () => { broker = await startMosquitto() })
afterAll(async () => { await broker?.stop() })

describe('the ordered dispatch backlog against Mosquitto', () => {
  it('drops QoS 0 messages beyond maxMessages while a handler is busy, keeps the oldest in order and every QoS 1 one', async () => {
    const topic = uniqueTopic('backlog')
    const arrivedEnd = signal()
    const trace = traceCollector()
    const sub = await connect(broker.url, {
      clientId: uniqueId(),
      dispatchBacklog: { maxMessages: 50 },
      trace: {
        level: 'verbose',
        sink: (e) => {
          trace.sink(e)
          if (e.message.startsWith(`received PUBLISH topic=${topic}/end`)) arrivedEnd.resolve()
        },
      },
    })
    const gate = signal()
    const seen: string[] = []
    const all = signal()
    await sub.subscribe(`${topic}/#`, async (m) => {
      seen.push(m.text())
      if (seen.length === 1) await gate.promise
      if (m.topic.endsWith('/end')) all.resolve()
    }, { qos: 1 })

    const pub = await connect(broker.url, { clientId: uniqueId() })
    for (let i = 0; i < 200; i++) void pub.publish(`${topic}/q`, String(i))
    // Mosquitto keeps one publisher's order: the QoS 1 message comes after all 200.
    await pub.publish(`${topic}/end`, 'end', { qos: 1 })
    await arrivedEnd.promise

    // One message in its handler, 50 waiting, the other 149 QoS 0 ones dropped; the QoS 1 one kept past the limit.
    expect(sub.droppedMessages).toBe(149)
    gate.resolve()
    await all.promise
    expect(seen).toEqual([...Array.from({ length: 51 }, (_, i) => String(i)), 'end'])
    const warnings = trace.entries.filter((e) => e.level === 'warn' && e.message.includes('dropping QoS 0'))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.message).toContain('limits 50 messages')

    await pub.disconnect()
    await sub.disconnect()
  }, 30_000)

  it('with handlers that keep up, a 20,000-message burst loses nothing under a limit of 100', async () => {
    const topic = uniqueTopic('keepup')
    const sub = await connect(broker.url, { clientId: uniqueId(), dispatchBacklog: { maxMessages: 100 } })
    let count = 0
    const all = signal()
    await sub.subscribe(topic, () => { if (++count === 20_000) all.resolve() })
    const pub = await connect(broker.url, { clientId: uniqueId() })
    for (let i = 0; i < 20_000; i++) void pub.publish(topic, 'x')
    await all.promise
    expect(sub.droppedMessages).toBe(0)
    await pub.disconnect()
    await sub.disconnect()
  }, 30_000)
})

describe('the backlog limits', () => {
  const host = (delivered: string[], dropped: string[]): DispatchHost => ({
    routes: (_topic: string, out: Subscription[]) => { out.length = 0; return out },
    defaultHandler: (m) => { delivered.push(m.text()); return new Promise<void>(() => {}) },
    emitMessage: () => {},
    unclaimed: () => undefined,
    handlerError: () => {},
    done: () => {},
    dropped: (m) => { dropped.push(m.text()) },
  })
  const message = (text: string, qos: 0 | 1): Message =>
    new Message({ type: 'publish', topic: 't', qos, retain: false, dup: false, packetId: qos ? 1 : undefined, payload: new TextEncoder().encode(text) }, undefined)

  it('counts payload and topic bytes: a QoS 0 message that would pass maxBytes is dropped, a smaller one still fits', () => {
    const delivered: string[] = []
    const dropped: string[] = []
    // Each message weighs 1 (topic) + its payload length.
    const d = new Dispatcher(host(delivered, dropped), true, { maxMessages: 100_000, maxBytes: 25 })
    d.dispatch(message('in the handler, never finishing: any size', 0))
    d.dispatch(message('a'.repeat(9), 0)) // 10 bytes waiting
    d.dispatch(message('b'.repeat(19), 0)) // 30 > 25: dropped
    d.dispatch(message('c'.repeat(14), 0)) // 25: fits
    d.dispatch(message('d', 0)) // 27: dropped
    d.dispatch(message('e'.repeat(40), 1)) // QoS 1: kept whatever the size
    expect(dropped).toEqual(['b'.repeat(19), 'd'])
    expect(d.backlog).toBe(3)
  })

  it('takes a message larger than maxBytes when nothing waits (a limit never blocks delivery outright)', () => {
    const delivered: string[] = []
    const dropped: string[] = []
    const d = new Dispatcher(host(delivered, dropped), true, { maxMessages: 100_000, maxBytes: 4 })
    d.dispatch(message('larger than four', 0))
    expect(delivered).toEqual(['larger than four'])
    expect(dropped).toEqual([])
  })

  it('rejects limits that can never work at the call', () => {
    for (const dispatchBacklog of [{ maxMessages: 0 }, { maxBytes: -1 }, { maxMessages: 1.5 }]) {
      let err: unknown
      try { createClient({ servers: [broker.url], dispatchBacklog }) } catch (e) { err = e }
      expect(err).toBeInstanceOf(MqttError)
      expect((err as MqttError).code).toBe('INVALID_ARGUMENT')
      expect((err as MqttError).message).toMatch(/^dispatchBacklog\.max(Messages|Bytes) must be a positive integer$/)
    }
  })
})

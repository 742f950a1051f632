// Unit tests of the MQTT 5 building blocks: topic aliases, flow-control quota, subscription identifiers,
// CONNACK limits and reason codes. The wire behaviour is proven by the mqtt5-* integration tests.
import { describe, expect, it } from 'vitest'
import { MqttError } from '../src/errors.js'
import { InboundQuota, sendLimit } from '../src/flow-control.js'
import { isFailure, reasonError, reasonText } from '../src/reason.js'
import { checkPublishLimits, checkSubscribeLimits, serverLimits } from '../src/server-limits.js'
import { SubscriptionIds } from '../src/subscription-ids.js'
import { InboundAliases, OutboundAliases } from '../src/topic-alias.js'

describe('outbound topic aliases', () => {
  it('are off when the server allows none', () => {
    expect(new OutboundAliases(0).assign('a')).toBeUndefined()
  })

  it('send the topic once, then only the alias', () => {
    const a = new OutboundAliases(2)
    expect(a.assign('x')).toEqual({ alias: 1, sendTopic: true })
    expect(a.assign('x')).toEqual({ alias: 1, sendTopic: false })
    expect(a.assign('y')).toEqual({ alias: 2, sendTopic: true })
  })

  it('reuse the least recently used alias when all are taken', () => {
    const a = new OutboundAliases(2)
    a.assign('x') // 1
    a.assign('y') // 2
    a.assign('x') // x is now the most recent
    expect(a.assign('z')).toEqual({ alias: 2, sendTopic: true }) // y's alias goes to z
    expect(a.assign('y')).toEqual({ alias: 1, sendTopic: true }) // then x's
    expect(a.size).toBe(2)
  })
})

describe('inbound topic aliases', () => {
  it('bind on a topic and resolve an empty topic', () => {
    const a = new InboundAliases(5)
    expect(a.resolve('s/1', 3)).toBe('s/1')
    expect(a.resolve('', 3)).toBe('s/1')
    expect(a.resolve('s/2', 3)).toBe('s/2')
    expect(a.resolve('', 3)).toBe('s/2')
    expect(a.resolve('plain', undefined)).toBe('plain')
  })

  it('reject an unknown alias as a protocol error and one out of range as invalid', () => {
    const a = new InboundAliases(5)
    expect(() => a.resolve('', 2)).toThrow(expect.objectContaining({ code: 'PROTOCOL_ERROR', reasonCode: 0x82 }))
    expect(() => a.resolve('t', 6)).toThrow(expect.objectContaining({ code: 'TOPIC_ALIAS_INVALID', reasonCode: 0x94 }))
    expect(() => a.resolve('t', 0)).toThrow(expect.objectContaining({ code: 'TOPIC_ALIAS_INVALID' }))
  })
})

describe('flow control', () => {
  it('keeps in flight within the server Receive Maximum and the user cap', () => {
    expect(sendLimit(1000, 5)).toBe(5)
    expect(sendLimit(3, 65535)).toBe(3)
  })

  it('counts inbound QoS 1/2 publishes and throws 0x93 past our maximum', () => {
    const q = new InboundQuota(2)
    q.received(1)
    q.received(2)
    q.received(2) // a redelivery is not counted twice
    expect(() => q.received(3)).toThrow(expect.objectContaining({ code: 'RECEIVE_MAXIMUM_EXCEEDED', reasonCode: 0x93 }))
    q.released(1)
    q.received(3)
    expect(q.size).toBe(2)
  })
})

describe('subscription identifiers', () => {
  it('route each copy only to the subscription it was sent for', () => {
    const ids = new SubscriptionIds<string>()
    const out: string[] = []
    const a = ids.allocate()
    const b = ids.allocate()
    ids.bind(a, ['s/#'], 'A')
    ids.bind(b, ['s/+'], 'B')
    expect(ids.route('s/1', [a], out)).toBe(true)
    expect(out).toEqual(['A'])
    ids.route('s/1', [a, b], out)
    expect(out).toEqual(['A', 'B'])
    expect(ids.route('s/1', [99], out)).toBe(false)
  })

  it('route shared subscriptions by their inner filter and forget dropped filters', () => {
    const ids = new SubscriptionIds<string>()
    const out: string[] = []
    const a = ids.allocate()
    ids.bind(a, ['$share/g/jobs/+'], 'S')
    ids.route('jobs/1', [a], out)
    expect(out).toEqual(['S'])
    ids.drop('S', ['$share/g/jobs/+'])
    expect(ids.route('jobs/1', [a], out)).toBe(false)
    expect(ids.size).toBe(0)
  })

  it('give a filter subscribed again to every holder under the new identifier', () => {
    const ids = new SubscriptionIds<string>()
    const out: string[] = []
    const a = ids.allocate()
    const b = ids.allocate()
    ids.bind(a, ['x'], 'A')
    ids.bind(b, ['x'], 'B')
    ids.route('x', [b], out)
    expect(out).toEqual(['A', 'B'])
  })
})

describe('CONNACK limits', () => {
  it('take the spec defaults for absent properties', () => {
    const l = serverLimits({})
    expect(l).toMatchObject({ receiveMaximum: 65535, maximumQoS: 2, retainAvailable: true, topicAliasMaximum: 0, maximumPacketSize: Infinity })
  })

  it('refuse a publish above Maximum QoS or retained without Retain Available', () => {
    const l = serverLimits({ maximumQoS: 1, retainAvailable: false })
    expect(() => checkPublishLimits(l, 2, false)).toThrow(expect.objectContaining({ code: 'QOS_NOT_SUPPORTED', reasonCode: 0x9b }))
    expect(() => checkPublishLimits(l, 1, true)).toThrow(expect.objectContaining({ code: 'RETAIN_NOT_SUPPORTED', reasonCode: 0x9a }))
    expect(() => checkPublishLimits(l, 1, false)).not.toThrow()
  })

  it('refuse wildcard and shared filters the server said it lacks', () => {
    const l = serverLimits({ wildcardSubscriptionAvailable: false, sharedSubscriptionAvailable: false })
    expect(() => checkSubscribeLimits(l, ['a/+'])).toThrow(expect.objectContaining({ code: 'WILDCARD_SUBSCRIPTIONS_NOT_SUPPORTED' }))
    expect(() => checkSubscribeLimits(l, ['$share/g/a'])).toThrow(expect.objectContaining({ code: 'SHARED_SUBSCRIPTIONS_NOT_SUPPORTED' }))
    expect(() => checkSubscribeLimits(l, ['a/b'])).not.toThrow()
  })
})

describe('reason codes', () => {
  it('become typed errors with the code, the text and the reason string', () => {
    const e = reasonError('publish refused', 0x87, { reasonString: 'acl' })
    expect(e).toBeInstanceOf(MqttError)
    expect(e).toMatchObject({ code: 'NOT_AUTHORIZED', reasonCode: 0x87 })
    expect(e.message).toBe('publish refused: not authorized (0x87): acl')
    expect(reasonText(0x8e)).toBe('session taken over')
    expect(isFailure(0x10)).toBe(false)
    expect(isFailure(0x80)).toBe(true)
  })
})

import { describe, expect, it } from 'vitest'
import { MqttError } from '../src/errors.js'
import { OfflineQueue, resolveOfflineQueueOptions } from '../src/offline-queue.js'

interface E { id: number; size: number; dropped?: MqttError; drop(e: MqttError): void }
const entry = (id: number, size = 10): E => ({ id, size, drop(e) { this.dropped = e } })

describe('offline queue bounds and policies', () => {
  it('keeps entries in order and counts bytes', () => {
    const q = new OfflineQueue<E>(resolveOfflineQueueOptions({ maxMessages: 10, maxBytes: 1000 }))
    for (let i = 0; i < 5; i++) { q.makeRoom(10); q.push(entry(i)) }
    expect(q.length).toBe(5)
    expect(q.bytes).toBe(50)
    expect([q.shift()!.id, q.shift()!.id]).toEqual([0, 1])
    expect(q.bytes).toBe(30)
  })

  it("'reject' refuses a publish beyond maxMessages or maxBytes with QUEUE_FULL and keeps what is queued", () => {
    const q = new OfflineQueue<E>(resolveOfflineQueueOptions({ maxMessages: 2, maxBytes: 1000 }))
    q.push(entry(1)); q.push(entry(2))
    expect(() => q.makeRoom(10)).toThrow(expect.objectContaining({ code: 'QUEUE_FULL' }))
    const byBytes = new OfflineQueue<E>(resolveOfflineQueueOptions({ maxMessages: 100, maxBytes: 25 }))
    byBytes.push(entry(1)); byBytes.push(entry(2))
    expect(() => byBytes.makeRoom(10)).toThrow(expect.objectContaining({ code: 'QUEUE_FULL' }))
    expect(q.length).toBe(2)
  })

  it("'dropOldest' drops as many of the oldest as needed and rejects them with DROPPED", () => {
    const q = new OfflineQueue<E>(resolveOfflineQueueOptions({ maxMessages: 100, maxBytes: 30, overflow: 'dropOldest' }))
    const es = [entry(1), entry(2), entry(3)]
    for (const e of es) q.push(e)
    q.makeRoom(20)
    expect(es[0]!.dropped?.code).toBe('DROPPED')
    expect(es[1]!.dropped?.code).toBe('DROPPED')
    expect(es[2]!.dropped).toBeUndefined()
    expect(q.length).toBe(1)
  })

  it('a publish larger than maxBytes is refused whatever the policy', () => {
    const q = new OfflineQueue<E>(resolveOfflineQueueOptions({ maxBytes: 10, overflow: 'dropOldest' }))
    q.push(entry(1, 5))
    expect(() => q.makeRoom(11)).toThrow(expect.objectContaining({ code: 'QUEUE_FULL' }))
    expect(q.length).toBe(1)
  })

  it('remove() and clear() keep the counters right', () => {
    const q = new OfflineQueue<E>(resolveOfflineQueueOptions({}))
    const es = [entry(1), entry(2), entry(3)]
    for (const e of es) q.push(e)
    expect(q.remove(es[1]!)).toBe(true)
    expect(q.length).toBe(2)
    q.clear(new MqttError('CLOSED', 'closed'))
    expect(es[0]!.dropped?.code).toBe('CLOSED')
    expect(es[2]!.dropped?.code).toBe('CLOSED')
    expect(es[1]!.dropped).toBeUndefined()
    expect([q.length, q.bytes]).toEqual([0, 0])
  })

  it('invalid options are refused with INVALID_ARGUMENT', () => {
    expect(() => resolveOfflineQueueOptions({ maxMessages: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    expect(() => resolveOfflineQueueOptions({ overflow: 'x' as never })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
  })
})

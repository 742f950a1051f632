// An iterated subscription buffers at most bufferSize messages: beyond that the oldest is dropped and
// counted, iteration yields the newest in order, and ending the subscription finishes the iteration.
import { describe, expect, it } from 'vitest'
import { Message, Subscription } from '../src/index.js'

const owner = { endSubscription: async (s: Subscription) => { s.end() }, taken: () => {} }
const msg = (n: number): Message =>
  new Message({ type: 'publish', topic: 't', payload: new Uint8Array([n]), qos: 0, retain: false, dup: false })

describe('Subscription buffer', () => {
  it('drops the oldest beyond bufferSize and counts them', async () => {
    const sub = new Subscription(owner, [{ filter: 't', qos: 0 }], undefined, 3)
    for (let i = 0; i < 10; i++) sub.deliver(msg(i))
    expect(sub.dropped).toBe(7)
    const it = sub[Symbol.asyncIterator]()
    const got = []
    for (let i = 0; i < 3; i++) got.push((await it.next()).value!.payload[0])
    expect(got).toEqual([7, 8, 9])
    sub.end()
    expect((await it.next()).done).toBe(true)
  })

  it('hands a message straight to a waiting iterator, and ends a waiting iteration on end()', async () => {
    const sub = new Subscription(owner, [{ filter: 't', qos: 0 }], undefined, 3)
    const it = sub[Symbol.asyncIterator]()
    const waiting = it.next()
    sub.deliver(msg(1))
    expect((await waiting).value!.payload[0]).toBe(1)
    const pending = it.next()
    sub.end()
    expect((await pending).done).toBe(true)
    expect(sub.active).toBe(false)
  })

  it('with a handler, delivers to it and buffers nothing', () => {
    const seen: number[] = []
    const sub = new Subscription(owner, [{ filter: 't', qos: 0 }], (m) => { seen.push(m.payload[0]!) }, 1)
    for (let i = 0; i < 5; i++) sub.deliver(msg(i))
    expect(seen).toEqual([0, 1, 2, 3, 4])
    expect(sub.dropped).toBe(0)
  })
})

// The write queue: what one tick queues leaves in one write, in call order, whatever mix of control packets,
// QoS 1/2 and QoS 0 publishes (the latter share segments); a full transport holds everything until 'drain';
// writeTimeoutMs and close() settle exactly what was not written.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { encode, type PublishPacket } from '@isomqtt/codec'
import type { TimerSource } from '../src/timers.js'
import { WriteQueue } from '../src/write-queue.js'

/** A transport stand-in: records writes; `full` makes write() report backpressure. */
function fakeHost() {
  const writes: Uint8Array[] = []
  const expired: number[][] = []
  const host = {
    full: false,
    write(bytes: Uint8Array): boolean {
      writes.push(bytes.slice())
      return !host.full
    },
    expired(ids: number[]) { expired.push(ids) },
  }
  return { host, writes, expired }
}

/** Timers run by hand: `fire()` runs what is due. */
function manualTimers() {
  let pending: Array<{ fn: () => void }> = []
  const timers: TimerSource = {
    setTimeout(fn) { const t = { fn }; pending.push(t); return t },
    clearTimeout(handle) { pending = pending.filter((t) => t !== handle) },
  }
  return { timers, fire: () => { const due = pending; pending = []; for (const t of due) t.fn() } }
}

const publish = (topic: string, n: number): PublishPacket =>
  ({ type: 'publish', topic, payload: Uint8Array.of(n & 255, n >> 8), qos: 0, retain: false, dup: false })
const ping = Uint8Array.of(0xc0, 0)
const puback = (id: number): Uint8Array => Uint8Array.of(0x40, 2, id >> 8, id & 255)
const concat = (parts: Uint8Array[]): number[] => parts.flatMap((p) => Array.from(p))
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

describe('write queue batching', () => {
  afterEach(() => { vi.useRealTimers() })

  it('sends a tick of control packets, QoS 1 and QoS 0 publishes (bytes or packets) in one write, in call order', async () => {
    const { host, writes } = fakeHost()
    const q = new WriteQueue(host, manualTimers().timers, undefined)
    const expected: Uint8Array[] = []
    q.control(ping); expected.push(ping)
    const done: Array<Promise<unknown>> = []
    for (let i = 0; i < 5; i++) {
      const p = publish('a/b', i)
      done.push(i % 2 ? q.publishQos0Packet(p, 4) : q.publishQos0(encode(p, 4)))
      expected.push(encode(p, 4))
    }
    for (let id = 7; id < 12; id++) {
      const qos1 = encode({ ...publish('q/1', id), qos: 1, packetId: id }, 4)
      q.publish(qos1, id); expected.push(qos1)
    }
    q.control(puback(3)); expected.push(puback(3))
    for (let i = 5; i < 300; i++) {
      const p = publish('a/b', i)
      done.push(q.publishQos0Packet(p, 4))
      expected.push(encode(p, 4))
    }
    expect(q.queuedPublishes).toBe(305)
    expect(writes).toHaveLength(0)
    await Promise.all(done)
    expect(writes).toHaveLength(1)
    expect(Array.from(writes[0]!)).toEqual(concat(expected))
    expect(q.queuedPublishes).toBe(0)
  })

  it('packs a run of acknowledgements (bytes or packets, 3.1.1 or 5) into shared segments, in call order', async () => {
    const { host, writes } = fakeHost()
    const q = new WriteQueue(host, manualTimers().timers, undefined)
    const expected: Uint8Array[] = []
    // Enough 4-byte acks to fill several control segments, with a larger packet and a publish in between.
    for (let id = 1; id <= 200; id++) {
      if (id % 3 === 0) { q.control(puback(id)); expected.push(puback(id)) }
      else {
        q.controlPacket({ type: id % 2 ? 'pubrec' : 'pubcomp', packetId: id }, 5)
        expected.push(encode({ type: id % 2 ? 'pubrec' : 'pubcomp', packetId: id }, 5))
      }
      if (id === 100) {
        const sub = encode({ type: 'subscribe', packetId: 9, subscriptions: [{ filter: 'x/'.repeat(200), qos: 1 }] }, 4)
        q.control(sub); expected.push(sub)
        const qos1 = encode({ ...publish('q/1', 1), qos: 1, packetId: 1000 }, 4)
        q.publish(qos1, 1000); expected.push(qos1)
      }
    }
    q.controlPacket({ type: 'puback', packetId: 7, reasonCode: 0x10 }, 5)
    expected.push(encode({ type: 'puback', packetId: 7, reasonCode: 0x10 }, 5))
    await tick()
    expect(writes).toHaveLength(1)
    expect(Array.from(writes[0]!)).toEqual(concat(expected))
  })

  it('holds everything while the transport is full, then writes it all in order on drain', async () => {
    // QoS 0 and QoS 1 alternate in runs, so both kinds of shared segment fill, overflow and interleave.
    const { host, writes } = fakeHost()
    const q = new WriteQueue(host, manualTimers().timers, undefined)
    host.full = true
    const expected: Uint8Array[] = []
    let settled = 0
    // Far more than one segment and more than the early-write threshold, as a synchronous loop makes them.
    for (let i = 0; i < 20_000; i++) {
      const p = publish(`loop/${i % 7}`, i)
      if ((i >> 9) % 2 === 0) {
        q.publishQos0Packet(p, 4).then(() => { settled++ })
        expected.push(encode(p, 4))
      } else {
        const bytes = encode({ ...p, qos: 1, packetId: (i % 65535) + 1 }, 4)
        q.publish(bytes, (i % 65535) + 1)
        expected.push(bytes)
        settled++
      }
      if (i % 1000 === 0) { q.control(ping); expected.push(ping) }
    }
    await tick()
    expect(q.queuedPublishes).toBeGreaterThan(0)
    const before = settled
    host.full = false
    q.drained()
    await tick()
    expect(concat(writes)).toEqual(concat(expected))
    expect(q.queuedPublishes).toBe(0)
    expect(settled).toBe(20_000)
    expect(before).toBeLessThan(20_000)
  })

  it('drops what writeTimeoutMs expired (QoS 0 rejects, QoS 1/2 ids reported) and still sends control packets', async () => {
    // The queue times entries on the monotonic clock (performance.now), faked from here on.
    vi.useFakeTimers({ toFake: ['performance'] })
    const { host, writes, expired } = fakeHost()
    const { timers, fire } = manualTimers()
    const q = new WriteQueue(host, timers, 1)
    q.control(ping)
    await tick()
    expect(writes).toHaveLength(1)
    host.full = true
    q.control(ping) // this write reports "full"
    await tick()
    const lost = [q.publishQos0Packet(publish('x', 1), 4), q.publishQos0Packet(publish('x', 2), 4), q.publishQos0Packet(publish('x', 3), 4)]
    q.publish(encode({ ...publish('y', 1), qos: 1, packetId: 42 }, 4), 42)
    q.publish(encode({ ...publish('y', 2), qos: 1, packetId: 43 }, 4), 43)
    q.control(puback(5))
    vi.advanceTimersByTime(10) // past the 1 ms limit on the clock the queue reads
    fire()
    for (const p of lost) await expect(p).rejects.toMatchObject({ code: 'TIMEOUT' })
    expect(expired).toEqual([[42, 43]])
    expect(q.queuedPublishes).toBe(0)
    host.full = false
    q.drained()
    expect(Array.from(writes.at(-1)!)).toEqual(Array.from(puback(5)))
  })

  it('close() rejects the unwritten QoS 0 publishes and returns the unwritten QoS 1/2 ids', async () => {
    const { host } = fakeHost()
    const q = new WriteQueue(host, manualTimers().timers, undefined)
    host.full = true
    q.control(ping)
    await tick()
    const a = q.publishQos0Packet(publish('c', 1), 4)
    const b = q.publishQos0Packet(publish('c', 2), 4)
    for (const id of [9, 3, 700]) q.publish(encode({ ...publish('c', id), qos: 1, packetId: id }, 4), id)
    const c = q.publishQos0Packet(publish('c', 4), 4)
    q.publish(encode({ ...publish('c', 5), qos: 2, packetId: 12 }, 4), 12)
    const ids = q.close(new Error('gone'))
    expect(ids).toEqual([9, 3, 700, 12])
    for (const p of [a, b, c]) await expect(p).rejects.toThrow('gone')
    expect(q.queuedPublishes).toBe(0)
  })

  it('close() given a function makes its error only for waiting QoS 0 publishes, and once', async () => {
    let made = 0
    const reason = (): Error => { made++; return new Error('gone') }
    const first = fakeHost()
    const onlyQos1 = new WriteQueue(first.host, manualTimers().timers, undefined)
    first.host.full = true
    onlyQos1.control(ping)
    await tick()
    onlyQos1.publish(encode({ ...publish('c', 9), qos: 1, packetId: 9 }, 4), 9)
    expect(onlyQos1.close(reason)).toEqual([9])
    expect(made).toBe(0)

    const second = fakeHost()
    const withQos0 = new WriteQueue(second.host, manualTimers().timers, undefined)
    second.host.full = true
    withQos0.control(ping)
    await tick()
    const a = withQos0.publishQos0Packet(publish('c', 1), 4)
    const b = withQos0.publishQos0(encode(publish('c', 2), 4))
    withQos0.close(reason)
    await expect(a).rejects.toThrow('gone')
    await expect(b).rejects.toThrow('gone')
    expect(made).toBe(1)
  })
})

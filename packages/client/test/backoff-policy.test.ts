import { describe, expect, it } from 'vitest'
import { Backoff } from '../src/backoff.js'

/** A random source that returns the given values in turn. */
function seq(...values: number[]): () => number {
  let i = 0
  return () => values[i++ % values.length]!
}

describe('backoff policy (full jitter between minDelayMs and a doubling ceiling)', () => {
  it('with random 0 every delay is minDelayMs; with random ~1 the ceiling doubles up to maxDelayMs', () => {
    const low = new Backoff({ minDelayMs: 100, maxDelayMs: 5000, random: () => 0 })
    expect(Array.from({ length: 8 }, () => low.next())).toEqual([100, 100, 100, 100, 100, 100, 100, 100])
    const high = new Backoff({ minDelayMs: 100, maxDelayMs: 5000, random: () => 0.999999 })
    expect(Array.from({ length: 8 }, () => high.next())).toEqual([200, 400, 800, 1600, 3200, 5000, 5000, 5000])
  })

  it('each delay lies within [minDelayMs, ceiling] for any random value', () => {
    const values = Array.from({ length: 200 }, (_, i) => (i * 0.6180339887) % 1)
    const b = new Backoff({ minDelayMs: 50, maxDelayMs: 3000, random: seq(...values) })
    for (let n = 0; n < 200; n++) {
      const ceiling = b.ceiling
      expect(ceiling).toBe(Math.min(3000, 50 * 2 ** (n + 1)))
      const d = b.next()
      expect(d).toBeGreaterThanOrEqual(50)
      expect(d).toBeLessThanOrEqual(ceiling)
    }
  })

  it('the jitter spreads delays over the whole range (middle of the range for random 0.5)', () => {
    const b = new Backoff({ minDelayMs: 1000, maxDelayMs: 60_000, random: () => 0.5 })
    expect([b.next(), b.next(), b.next()]).toEqual([1500, 2500, 4500])
  })

  it('reset() starts again from the smallest range', () => {
    const b = new Backoff({ minDelayMs: 100, maxDelayMs: 10_000, random: () => 0.999999 })
    b.next(); b.next(); b.next()
    expect(b.attempts).toBe(3)
    b.reset()
    expect(b.attempts).toBe(0)
    expect(b.next()).toBe(200)
  })

  it('never overflows: after thousands of failures the delay stays at maxDelayMs', () => {
    const b = new Backoff({ minDelayMs: 10, maxDelayMs: 30_000, random: () => 0.999999 })
    let d = 0
    for (let i = 0; i < 5000; i++) d = b.next()
    expect(d).toBe(30_000)
  })

  it('rejects limits that cannot work', () => {
    expect(() => new Backoff({ minDelayMs: 500, maxDelayMs: 100 })).toThrow(RangeError)
    expect(() => new Backoff({ minDelayMs: -1, maxDelayMs: 100 })).toThrow(RangeError)
  })
})

// Exponential backoff with full jitter: the n-th delay is drawn uniformly from [min, min(max, min * 2^n)],
// so a fleet of clients that lost the same broker does not come back in lockstep (MQTT.js #561, #1742).

/** A source of uniform numbers in [0, 1); tests inject a fixed one. */
export type RandomSource = () => number

/** Backoff limits. */
export interface BackoffOptions {
  /** Smallest delay, and the base the growth starts from, in ms. */
  minDelayMs: number
  /** Largest delay in ms. */
  maxDelayMs: number
  /** [Math.random] */
  random?: RandomSource
}

/** The delay policy of the reconnect loop: `next()` per failed attempt, `reset()` once a connection held. */
export class Backoff {
  private failures = 0
  private readonly random: RandomSource

  constructor(private readonly options: BackoffOptions) {
    if (!(options.minDelayMs >= 0) || !(options.maxDelayMs >= options.minDelayMs)) {
      throw new RangeError('backoff needs 0 <= minDelayMs <= maxDelayMs')
    }
    this.random = options.random ?? Math.random
  }

  /** How many delays were handed out since the last reset. */
  get attempts(): number {
    return this.failures
  }

  /** The upper bound of the next delay (the jitter range is [minDelayMs, ceiling]). */
  get ceiling(): number {
    const { minDelayMs, maxDelayMs } = this.options
    // 2^n overflows to Infinity for large n, which min() turns into maxDelayMs: no special case needed.
    return Math.min(maxDelayMs, Math.max(minDelayMs, 1) * 2 ** (this.failures + 1))
  }

  /** The delay before the next attempt; each call widens the range until it reaches maxDelayMs. */
  next(): number {
    const { minDelayMs } = this.options
    const ceiling = this.ceiling
    this.failures++
    const r = Math.min(Math.max(this.random(), 0), 1)
    return Math.round(minDelayMs + r * (ceiling - minDelayMs))
  }

  /** Start again from the smallest range. */
  reset(): void {
    this.failures = 0
  }
}

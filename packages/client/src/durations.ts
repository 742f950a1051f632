// Duration options, checked where they are given. A platform timer longer than 2^31-1 ms (about 24.8 days)
// fires at once (Node warns, browsers do not), so a longer duration is refused instead of turning silently
// into an immediate timeout.
import { MqttError } from './errors.js'

/** The longest delay setTimeout keeps, in Node and in browsers: 2^31-1 ms, about 24.8 days. */
export const MAX_TIMER_MS = 2_147_483_647

/**
 * `value` (`def` when undefined) as a duration: a whole number of ms from `min` to MAX_TIMER_MS, or Infinity
 * when `forever` allows it. Throws INVALID_ARGUMENT naming the option.
 */
export function durationMs(value: number | undefined, def: number, name: string, min = 0, forever = false): number {
  if (value === undefined) return def
  if (value === Infinity && forever) return value
  if (!Number.isInteger(value) || value < min || value > MAX_TIMER_MS) {
    const range = `a whole number of milliseconds from ${min} to ${MAX_TIMER_MS}${forever ? ', or Infinity' : ''}`
    throw new MqttError('INVALID_ARGUMENT', `${name} must be ${range}, not ${String(value)}`)
  }
  return value
}

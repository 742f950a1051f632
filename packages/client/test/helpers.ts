// Shared helpers of the client tests: a broker per file, unique topics, and event waiting.
import { afterAll, beforeAll } from 'vitest'
import { startFaultProxy, type FaultProxy } from '../../../tests/support/fault-proxy.js'
import { startMosquitto, type Mosquitto, type MosquittoOptions } from '../../../tests/support/mosquitto.js'
import type { TraceEntry } from '../src/index.js'

export { startMosquitto, type Mosquitto, type MosquittoOptions }

let counter = 0

/** For one test file: a Mosquitto with the fault proxy in front, started before its tests and stopped after. */
export function useBrokerBehindProxy(options?: MosquittoOptions): { readonly broker: Mosquitto; readonly proxy: FaultProxy } {
  const env = {} as { broker: Mosquitto; proxy: FaultProxy }
  beforeAll(async () => {
    env.broker = await startMosquitto(options)
    env.proxy = await startFaultProxy({ targetPort: env.broker.port })
  })
  afterAll(async () => {
    await env.proxy?.close()
    await env.broker?.stop()
  })
  return env
}

/** A topic no other test uses. */
export function uniqueTopic(prefix = 't'): string {
  return `${prefix}/${process.pid}/${Date.now().toString(36)}/${counter++}`
}

/** A client id no other test uses (fits MQTT 3.1's 23 characters). */
export function uniqueId(prefix = 'c'): string {
  return `${prefix}${process.pid % 10000}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`.slice(0, 23)
}

/** Resolves with the next emission of an event (generous timeout: network waits). */
export function once<T = unknown>(target: { once(event: string, fn: (arg: T) => void): unknown }, event: string, timeoutMs = 10_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for '${event}'`)), timeoutMs)
    target.once(event, (arg: T) => { clearTimeout(timer); resolve(arg) })
  })
}

/** A promise with its resolver, for handlers that signal a test. */
export function signal<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => { resolve = r })
  return { promise, resolve }
}

/** Collects trace entries. */
export function traceCollector(): { entries: TraceEntry[]; sink: (e: TraceEntry) => void } {
  const entries: TraceEntry[] = []
  return { entries, sink: (e) => entries.push(e) }
}

/** Waits until `check` is true, re-checking on a short interval (for state visible only by polling). */
export async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}

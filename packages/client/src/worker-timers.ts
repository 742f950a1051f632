// A TimerSource whose timers run in a dedicated Worker. Chrome throttles main-thread timers in background
// tabs (aligned to 1 s, then to 1 min for chained timers after 5 minutes hidden), which starves keepalive
// pings until the broker drops the client; dedicated workers' timers are not throttled that way.
// The worker only counts time: each timer's callback still runs on the main thread, in its message event.
import { defaultTimers, monotonicNow, type TimerHandle, type TimerSource } from './timers.js'

// The worker's whole program: [id, ms] starts a timer, [id] clears it; it posts the id when one fires.
const WORKER_SOURCE = 'var t=new Map;onmessage=function(e){var d=e.data,i=d[0];if(d.length>1)' +
  't.set(i,setTimeout(function(){t.delete(i);postMessage(i)},d[1]));else{clearTimeout(t.get(i));t.delete(i)}}'

/** The part of a Worker the timer source uses. */
export interface TimerWorker {
  postMessage(message: unknown): void
  onmessage: ((event: { data: unknown }) => void) | null
  onerror: ((event: unknown) => void) | null
  terminate(): void
}

/** Options of createWorkerTimers. */
export interface WorkerTimersOptions {
  /** Makes the worker [a dedicated Worker from a Blob URL]; may throw (e.g. a CSP without `worker-src blob:`). */
  createWorker?: () => TimerWorker
  /** Timers used when no worker can be made or the worker fails [the platform's timers]. */
  fallback?: TimerSource
}

interface Pending {
  fn: () => void
  due: number
  /** The handle of the fallback timer once the worker has failed. */
  fallback?: TimerHandle
}

function blobWorker(): TimerWorker {
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }))
  try {
    return new Worker(url) as unknown as TimerWorker
  } finally {
    // The worker has fetched its script by the time it runs: the URL is not needed after construction.
    setTimeout(() => URL.revokeObjectURL(url), 10_000)
  }
}

/**
 * A timer source backed by one lazily made Worker, shared by every timer of the source. If the worker cannot
 * be made or fails, pending and later timers move to the fallback, keeping their due times.
 */
export function createWorkerTimers(options: WorkerTimersOptions = {}): TimerSource {
  const fallback = options.fallback ?? defaultTimers
  const createWorker = options.createWorker ?? blobWorker
  const pending = new Map<number, Pending>()
  let worker: TimerWorker | undefined
  let failed = false
  let nextId = 1

  const fire = (id: number): void => {
    const timer = pending.get(id)
    if (!timer) return
    pending.delete(id)
    timer.fn()
  }

  const scheduleOnFallback = (id: number, timer: Pending): void => {
    timer.fallback = fallback.setTimeout(() => fire(id), Math.max(0, timer.due - monotonicNow()))
  }

  const fail = (): void => {
    if (failed) return
    failed = true
    try { worker?.terminate() } catch { /* already gone */ }
    worker = undefined
    for (const [id, timer] of pending) scheduleOnFallback(id, timer)
  }

  const ensureWorker = (): TimerWorker | undefined => {
    if (worker || failed) return worker
    try {
      const w = createWorker()
      w.onmessage = (event) => fire(event.data as number)
      w.onerror = fail
      worker = w
    } catch {
      fail()
    }
    return worker
  }

  return {
    setTimeout(fn, ms) {
      const id = nextId++
      const delay = Math.max(0, ms)
      const timer: Pending = { fn, due: monotonicNow() + delay }
      pending.set(id, timer)
      const w = ensureWorker()
      if (w) {
        try {
          w.postMessage([id, delay])
        } catch {
          fail() // moves this timer to the fallback as well
        }
      } else {
        scheduleOnFallback(id, timer)
      }
      return id
    },
    clearTimeout(handle) {
      const id = handle as number
      const timer = pending.get(id)
      if (!timer) return
      pending.delete(id)
      if (timer.fallback !== undefined) fallback.clearTimeout(timer.fallback)
      else worker?.postMessage([id])
    },
  }
}

// createWorkerTimers with a scripted worker: timers fire through the worker's messages, clear reaches the
// worker, and a worker that cannot be made or fails hands every pending timer to the fallback on time.
import { describe, expect, it } from 'vitest'
import { createWorkerTimers, type TimerWorker } from '../src/worker-timers.js'

/** A worker whose timers the test fires by hand. */
function scriptedWorker() {
  const posted: unknown[][] = []
  const worker: TimerWorker & { fire(id: number): void; fail(): void } = {
    onmessage: null,
    onerror: null,
    postMessage: (m) => { posted.push(m as unknown[]) },
    terminate: () => { posted.push(['terminated']) },
    fire: (id) => worker.onmessage?.({ data: id }),
    fail: () => worker.onerror?.(new Event('error')),
  }
  return { worker, posted }
}

describe('createWorkerTimers', () => {
  it('starts each timer in the worker and runs its callback when the worker says so', () => {
    const { worker, posted } = scriptedWorker()
    const timers = createWorkerTimers({ createWorker: () => worker })
    const fired: string[] = []
    const a = timers.setTimeout(() => fired.push('a'), 1000)
    timers.setTimeout(() => fired.push('b'), 50)
    expect(posted).toEqual([[a, 1000], [(a as number) + 1, 50]])
    worker.fire((a as number) + 1)
    worker.fire(a as number)
    worker.fire(a as number) // a late duplicate is ignored
    expect(fired).toEqual(['b', 'a'])
  })

  it('clears a timer in the worker, and a cleared timer never runs', () => {
    const { worker, posted } = scriptedWorker()
    const timers = createWorkerTimers({ createWorker: () => worker })
    let ran = false
    const id = timers.setTimeout(() => { ran = true }, 10)
    timers.clearTimeout(id)
    worker.fire(id as number)
    expect(posted.at(-1)).toEqual([id])
    expect(ran).toBe(false)
  })

  it('uses the fallback when no worker can be made (e.g. a CSP without blob: workers)', async () => {
    const timers = createWorkerTimers({ createWorker: () => { throw new Error('SecurityError') } })
    const ran = await new Promise<string>((resolve) => timers.setTimeout(() => resolve('fallback'), 5))
    expect(ran).toBe('fallback')
  })

  it('moves pending timers to the fallback, keeping their due times, when the worker fails', async () => {
    const { worker, posted } = scriptedWorker()
    const timers = createWorkerTimers({ createWorker: () => worker })
    const order: string[] = []
    const done = new Promise<void>((resolve) => {
      timers.setTimeout(() => order.push('first'), 5)
      timers.setTimeout(() => { order.push('second'); resolve() }, 30)
    })
    const cleared = timers.setTimeout(() => order.push('cleared'), 10)
    worker.fail()
    timers.clearTimeout(cleared)
    await done
    expect(order).toEqual(['first', 'second'])
    expect(posted.at(-1)).toEqual(['terminated'])
  })
})

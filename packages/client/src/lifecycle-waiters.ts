// The callers waiting on the lifecycle: connect() calls share one waiter until the session has resumed
// (or the attempt failed); disconnect() calls wait until the client closed and its store is closed.
import type { ResumedReceipt } from './publish-result.js'

/** What connect() resolves with. */
export interface ConnectOutcome {
  sessionPresent: boolean
  resumed: ResumedReceipt[]
}

/** One connect() in progress. */
export interface ConnectWaiter {
  promise: Promise<ConnectOutcome>
  resolve: (v: ConnectOutcome) => void
  reject: (e: Error) => void
}

/** Pending connect() and disconnect() calls. */
export class LifecycleWaiters {
  /** The connect() in progress, if any. */
  connect: ConnectWaiter | undefined
  private disconnects: Array<() => void> = []

  /** A new connect waiter (the caller checked there was none). */
  startConnect(): Promise<ConnectOutcome> {
    let resolve!: (v: ConnectOutcome) => void
    let reject!: (e: Error) => void
    const promise = new Promise<ConnectOutcome>((res, rej) => { resolve = res; reject = rej })
    this.connect = { promise, resolve, reject }
    return promise
  }

  /** Resolve `waiter` (taken when CONNACK arrived); a newer connect() keeps waiting. */
  resolveConnect(waiter: ConnectWaiter | undefined, outcome: ConnectOutcome): void {
    waiter?.resolve(outcome)
    if (this.connect === waiter) this.connect = undefined
  }

  /** The attempt failed for good. */
  rejectConnect(error: Error): void {
    this.connect?.reject(error)
    this.connect = undefined
  }

  /** Resolves when releaseDisconnects() is called. */
  waitDisconnect(): Promise<void> {
    return new Promise<void>((resolve) => this.disconnects.push(resolve))
  }

  /** The client closed: every disconnect() resolves once `after` has settled (it must not reject). */
  releaseDisconnects(after: Promise<void>): void {
    const waiters = this.disconnects
    this.disconnects = []
    void after.then(() => { for (const w of waiters) w() })
  }
}

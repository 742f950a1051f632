// The store is opened before each connection attempt and closed when the client closes (a closed client
// holds no resources); opens and closes happen one after another, a close only after pending store work.
import type { Store } from '@isomqtt/store'
import type { Session } from './session.js'
import type { Tracer } from './trace.js'

/** Open/close of the client's store, in order. */
export class StoreLifecycle {
  private last: Promise<void> | undefined

  constructor(private readonly store: Store, private readonly session: Session, private readonly trace: Tracer) {}

  /** Open the store once the last open or close has finished. */
  open(): Promise<void> {
    this.last = (this.last ?? Promise.resolve()).then(() => this.store.open())
    return this.last
  }

  /** Close the store after the session's pending store work; failures are traced, never thrown. */
  close(): void {
    this.last = this.closeAfterPending()
  }

  /** Settles (never rejects) when the last open or close has finished. */
  settled(): Promise<void> {
    return this.last?.then(() => {}, () => {}) ?? Promise.resolve()
  }

  private async closeAfterPending(): Promise<void> {
    try {
      // Let the transition's actions queue their store work (deletes of a clean session) first.
      await Promise.resolve()
      await this.session.settled()
      await this.store.close()
    } catch (err) {
      this.trace.warn('store', 'closing the store failed', err)
    }
  }
}

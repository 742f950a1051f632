// Group commit: operations that arrive while a commit is running (or in the same tick) share the next one,
// so N concurrent puts cost one write and one sync instead of N.

/** Runs `commit` over batches of queued items, one batch at a time, in arrival order. */
export class GroupCommit<T> {
  private queue: T[] = []
  private running?: Promise<void>

  /** `commit` settles each item itself and must not throw. */
  constructor(private readonly commit: (batch: T[]) => Promise<void>) {}

  /** Queues `item` for the next batch. */
  add(item: T): void {
    this.queue.push(item)
    // a microtask lets every operation issued in the same tick join the first batch
    this.running ??= Promise.resolve().then(() => this.drain())
  }

  /** Resolves once every queued item has been committed. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve()
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue
        this.queue = []
        await this.commit(batch)
      }
    } finally {
      this.running = undefined
    }
  }
}

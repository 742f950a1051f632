// The in-flight window for QoS 1/2 publishes: callers beyond maxInflight wait in FIFO order.

interface SlotWaiter {
  resolve: () => void
  reject: (e: Error) => void
}

/** FIFO waiters for a free in-flight slot; O(1) per wait and wake (a head index, not shift()). */
export class InflightSlots {
  private waiters: SlotWaiter[] = []
  private head = 0

  /** True when someone is already waiting (newcomers queue behind them to keep order). */
  get waiting(): boolean {
    return this.head < this.waiters.length
  }

  /** Wait for a slot. */
  wait(): Promise<void> {
    return new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }))
  }

  /** Give a freed slot to the oldest waiter. */
  wake(): void {
    if (this.head === this.waiters.length) return
    const w = this.waiters[this.head]!
    this.waiters[this.head++] = undefined as never
    if (this.head === this.waiters.length) { this.waiters = []; this.head = 0 }
    w.resolve()
  }

  /** Fail every waiter (the connection ended before they got a slot). */
  rejectAll(error: Error): void {
    const waiting = this.waiters.slice(this.head)
    this.waiters = []
    this.head = 0
    for (const w of waiting) w.reject(error)
  }
}

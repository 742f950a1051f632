// The in-flight window for QoS 1/2 publishes: callers beyond maxInflight wait in FIFO order.
import type { PublishPacket } from '@isomqtt/codec'

interface SlotWaiter {
  /** true: moved to the offline queue (the link dropped) instead of getting a slot. */
  resolve: (moved: boolean) => void
  reject: (e: Error) => void
  packet: PublishPacket | undefined
}

/** FIFO waiters for a free in-flight slot; O(1) per wait and wake (a head index, not shift()). */
export class InflightSlots {
  private waiters: SlotWaiter[] = []
  private head = 0

  /** True when someone is already waiting (newcomers queue behind them to keep order). */
  get waiting(): boolean {
    return this.head < this.waiters.length
  }

  /** Wait for a slot; resolves false with one, true when moved to the offline queue by takeAll(). */
  wait(packet?: PublishPacket): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => this.waiters.push({ resolve, reject, packet }))
  }

  /** Give a freed slot to the oldest waiter. */
  wake(): void {
    if (this.head === this.waiters.length) return
    const w = this.waiters[this.head]!
    this.waiters[this.head++] = undefined as never
    if (this.head === this.waiters.length) { this.waiters = []; this.head = 0 }
    w.resolve(false)
  }

  /** The link dropped: every waiter leaves the line, oldest first, to join the offline queue. */
  takeAll(): PublishPacket[] {
    const waiting = this.waiters.slice(this.head)
    this.waiters = []
    this.head = 0
    const packets: PublishPacket[] = []
    for (const w of waiting) {
      if (w.packet) packets.push(w.packet)
      w.resolve(true)
    }
    return packets
  }

  /** Fail every waiter (the connection ended before they got a slot). */
  rejectAll(error: Error): void {
    const waiting = this.waiters.slice(this.head)
    this.waiters = []
    this.head = 0
    for (const w of waiting) w.reject(error)
  }
}

// Packet identifiers 1..65535: never reuse one still in use, wrap around, and queue callers FIFO when
// every id (or every in-flight slot) is taken.

const MAX_ID = 65535

/** Allocates packet ids; `acquire` waits when none is free. */
export class PacketIds {
  private readonly used = new Set<number>()
  private next = 1
  private readonly waiters: Array<(id: number) => void> = []
  private waiterHead = 0

  /** How many ids are in use. */
  get size(): number {
    return this.used.size
  }

  /** True when the id is in use. */
  has(id: number): boolean {
    return this.used.has(id)
  }

  /** A free id now, or undefined when all 65535 are in use. */
  tryAcquire(): number | undefined {
    if (this.used.size >= MAX_ID) return undefined
    let id = this.next
    while (this.used.has(id)) id = id === MAX_ID ? 1 : id + 1
    this.used.add(id)
    this.next = id === MAX_ID ? 1 : id + 1
    return id
  }

  /** A free id, waiting in FIFO order when none is free. */
  acquire(): Promise<number> | number {
    if (this.waiterHead === this.waiters.length) {
      const id = this.tryAcquire()
      if (id !== undefined) return id
    }
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  /** Mark an id as used (a resumed session's ids). */
  claim(id: number): void {
    this.used.add(id)
  }

  /** Free an id; the oldest waiter gets it. */
  release(id: number): void {
    if (!this.used.delete(id)) return
    if (this.waiterHead < this.waiters.length) {
      const waiter = this.waiters[this.waiterHead]!
      this.waiters[this.waiterHead++] = undefined as never
      if (this.waiterHead === this.waiters.length) { this.waiters.length = 0; this.waiterHead = 0 }
      this.used.add(id)
      waiter(id)
    }
  }

  /** Forget every id (a clean session). Waiters keep waiting. */
  clear(): void {
    this.used.clear()
    this.next = 1
  }
}

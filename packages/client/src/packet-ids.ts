// Packet identifiers 1..65535: never reuse one still in use, wrap around, and queue callers FIFO when
// every id (or every in-flight slot) is taken.

const MAX_ID = 65535

/** Allocates packet ids; `acquire` waits when none is free. */
export class PacketIds {
  /**
   * One bit per id: with up to 65535 in flight, 8 KiB instead of a Set entry per message, and no hashing.
   * Allocated on first use: a zeroed 8 KiB buffer is a visible part of a cold client's construction, and a
   * client that only publishes at QoS 0 never needs it.
   */
  private used: Uint32Array | undefined
  private count = 0
  private next = 1
  private readonly waiters: Array<(id: number) => void> = []
  private waiterHead = 0

  /** How many ids are in use. */
  get size(): number {
    return this.count
  }

  /** True when the id is in use. */
  has(id: number): boolean {
    return this.used !== undefined && ((this.used[id >>> 5]! >>> (id & 31)) & 1) === 1
  }

  private set(id: number): void {
    const used = this.used ??= new Uint32Array((MAX_ID + 32) >>> 5)
    used[id >>> 5]! |= 1 << (id & 31)
    this.count++
  }

  /** A free id now, or undefined when all 65535 are in use. */
  tryAcquire(): number | undefined {
    if (this.count >= MAX_ID) return undefined
    let id = this.next
    while (this.has(id)) id = id === MAX_ID ? 1 : id + 1
    this.set(id)
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
    if (!this.has(id)) this.set(id)
  }

  /** Free an id; the oldest waiter gets it. */
  release(id: number): void {
    if (!this.has(id)) return
    this.used![id >>> 5]! &= ~(1 << (id & 31))
    this.count--
    if (this.waiterHead < this.waiters.length) {
      const waiter = this.waiters[this.waiterHead]!
      this.waiters[this.waiterHead++] = undefined as never
      if (this.waiterHead === this.waiters.length) { this.waiters.length = 0; this.waiterHead = 0 }
      this.set(id)
      waiter(id)
    }
  }

  /** Forget every id (a clean session). Waiters keep waiting. */
  clear(): void {
    this.used?.fill(0)
    this.count = 0
    this.next = 1
  }
}

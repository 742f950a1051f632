// Publishes accepted while no connection is up (before the first connect, or while reconnecting), kept in
// order and bounded by count and bytes, so they leave in order, before newer publishes, once connected.
// Paho C bounds its buffer by count only and MQTT.js not at all; a dropped entry's promise always rejects.
import { MqttError } from './errors.js'

/** The `offlineQueue` option. Defaults in brackets. */
export interface OfflineQueueOptions {
  /** Most publishes held while disconnected [10 000]. */
  maxMessages?: number
  /** Most payload + topic bytes held while disconnected [16 MiB]. */
  maxBytes?: number
  /** When full: reject the new publish with QUEUE_FULL, or drop the oldest queued one ['reject']. */
  overflow?: 'reject' | 'dropOldest'
  /** QoS 0 publishes while disconnected: queued in memory, or rejected with NOT_CONNECTED ['queue']. */
  qos0?: 'queue' | 'drop'
}

/** Offline queue options with defaults applied. */
export interface ResolvedOfflineQueueOptions {
  maxMessages: number
  maxBytes: number
  overflow: 'reject' | 'dropOldest'
  qos0: 'queue' | 'drop'
}

/** Defaults, and checks for what can never work. */
export function resolveOfflineQueueOptions(o: OfflineQueueOptions = {}): ResolvedOfflineQueueOptions {
  const maxMessages = o.maxMessages ?? 10_000
  const maxBytes = o.maxBytes ?? 16 * 1024 * 1024
  if (!Number.isInteger(maxMessages) || maxMessages < 0) throw new MqttError('INVALID_ARGUMENT', 'offlineQueue.maxMessages must be an integer >= 0')
  if (!Number.isInteger(maxBytes) || maxBytes < 0) throw new MqttError('INVALID_ARGUMENT', 'offlineQueue.maxBytes must be an integer >= 0')
  const overflow = o.overflow ?? 'reject'
  if (overflow !== 'reject' && overflow !== 'dropOldest') throw new MqttError('INVALID_ARGUMENT', "offlineQueue.overflow must be 'reject' or 'dropOldest'")
  const qos0 = o.qos0 ?? 'queue'
  if (qos0 !== 'queue' && qos0 !== 'drop') throw new MqttError('INVALID_ARGUMENT', "offlineQueue.qos0 must be 'queue' or 'drop'")
  return { maxMessages, maxBytes, overflow, qos0 }
}

/** One queued publish as the queue sees it. */
export interface QueuedEntry {
  /** Bytes it counts against maxBytes. */
  readonly size: number
  /** Called when the entry is dropped to make room (drop-oldest) or the queue is cleared; rejects its promise. */
  drop(error: MqttError): void
}

/** An ordered, bounded FIFO of entries; O(1) per add and per take. */
export class OfflineQueue<T extends QueuedEntry> {
  private items: Array<T | undefined> = []
  private head = 0
  private count = 0
  private total = 0

  constructor(readonly options: ResolvedOfflineQueueOptions) {}

  /** Entries waiting. */
  get length(): number {
    return this.count
  }

  /** Bytes waiting. */
  get bytes(): number {
    return this.total
  }

  /**
   * Check that an entry of `size` bytes fits, dropping the oldest entries when the policy says so.
   * Throws QUEUE_FULL when it cannot fit; call before doing anything durable with the entry.
   */
  makeRoom(size: number): void {
    const { maxMessages, maxBytes, overflow } = this.options
    if (size > maxBytes || maxMessages === 0) throw full(`a ${size}-byte publish does not fit the offline queue (${maxMessages} messages, ${maxBytes} bytes)`)
    const fits = (): boolean => this.count < maxMessages && this.total + size <= maxBytes
    if (fits()) return
    if (overflow === 'reject') throw full(`the offline queue is full (${this.count} messages, ${this.total} bytes)`)
    while (!fits()) {
      const oldest = this.shift()!
      oldest.drop(new MqttError('DROPPED', 'dropped from the full offline queue to make room for a newer publish'))
    }
  }

  /** Append an entry (after makeRoom). */
  push(entry: T): void {
    this.items.push(entry)
    this.count++
    this.total += entry.size
  }

  /** Put entries ahead of everything queued, in their order (they were accepted first); O(n), once per drop. */
  unshiftAll(entries: readonly T[]): void {
    if (entries.length === 0) return
    this.items = [...entries, ...this.items.slice(this.head)]
    this.head = 0
    for (const e of entries) {
      this.count++
      this.total += e.size
    }
  }

  /** Remove and return the oldest entry. */
  shift(): T | undefined {
    while (this.head < this.items.length) {
      const e = this.items[this.head]
      this.items[this.head++] = undefined
      if (this.head === this.items.length || (this.head > 1024 && this.head * 2 > this.items.length)) {
        this.items = this.items.slice(this.head)
        this.head = 0
      }
      if (e) {
        this.count--
        this.total -= e.size
        return e
      }
    }
    return undefined
  }

  /** Remove a specific entry (its publish was settled elsewhere); O(n), rare. */
  remove(entry: T): boolean {
    const i = this.items.indexOf(entry, this.head)
    if (i < 0) return false
    this.items[i] = undefined
    this.count--
    this.total -= entry.size
    return true
  }

  /** Drop every entry with `error` (disconnect, destroy, give-up). */
  clear(error: MqttError): void {
    for (let e = this.shift(); e; e = this.shift()) e.drop(error)
  }
}

function full(message: string): MqttError {
  return new MqttError('QUEUE_FULL', message)
}

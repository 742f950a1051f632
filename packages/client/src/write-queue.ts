// One outbound queue per connection. Packets queued in the same tick leave in one write; when the transport
// is full the queue waits for one 'drain' (one waiter queue for everything, O(1) per packet); publishes not
// handed over within writeTimeoutMs are dropped with TIMEOUT.
import { MqttError } from './errors.js'
import { QOS0_RESULT, type PublishResult } from './publish-result.js'
import type { TimerHandle, TimerSource } from './timers.js'

/** Entry kinds: a protocol packet, a QoS 0 publish, or a QoS 1/2 publish (with its packet id). */
const CONTROL = -1
const QOS0 = 0

interface Group {
  promise: Promise<PublishResult>
  resolve: (r: PublishResult) => void
  reject: (err: Error) => void
  remaining: number
}

interface Entry {
  bytes: Uint8Array
  time: number
  /** CONTROL, QOS0, or the packet id of a QoS 1/2 publish. */
  id: number
  group: Group | undefined
}

/** Largest single write the queue builds from many packets. */
const MAX_BATCH_BYTES = 256 * 1024

/**
 * Queued bytes that are written at once instead of at the end of the tick: a long synchronous publishing
 * loop then streams to the server while it runs (the server works meanwhile), and fewer packets pile up.
 */
const EARLY_WRITE_BYTES = 64 * 1024

/** What the queue writes to and reports to. */
export interface WriteQueueHost {
  /** Write one buffer; false means "full, wait for drain". */
  write(bytes: Uint8Array): boolean
  /** QoS 1/2 publishes dropped by writeTimeoutMs (never written). */
  expired(ids: number[], error: Error): void
}

/** Batches writes per tick and holds them while the transport is full. */
export class WriteQueue {
  private entries: Entry[] = []
  private head = 0
  private group: Group | undefined
  private scheduled = false
  private writable = true
  private closed = false
  private publishes = 0
  /** Bytes queued since the last flush. */
  private pending = 0
  /** Inside host.write(): a transport that calls back synchronously must not start a nested flush. */
  private writing = false
  private timer: TimerHandle | undefined
  private readonly flushNow = (): void => this.flush()
  private readonly onTimer = (): void => this.expire()

  constructor(
    private readonly host: WriteQueueHost,
    private readonly timers: TimerSource,
    private readonly writeTimeoutMs: number | undefined,
  ) {}

  /** Publishes queued but not yet handed to the transport. */
  get queuedPublishes(): number {
    return this.publishes
  }

  /** Queue a protocol packet (ack, ping, subscribe...). */
  control(bytes: Uint8Array): void {
    this.add({ bytes, time: 0, id: CONTROL, group: undefined })
  }

  /** Queue a QoS 1/2 publish; it completes through the session, not here. */
  publish(bytes: Uint8Array, packetId: number): void {
    this.publishes++
    this.add({ bytes, time: this.writeTimeoutMs ? Date.now() : 0, id: packetId, group: undefined })
  }

  /** Queue a QoS 0 publish; the promise (shared by the tick's QoS 0 publishes) settles when written. */
  publishQos0(bytes: Uint8Array): Promise<PublishResult> {
    let g = this.group
    if (!g) {
      let resolve!: (r: PublishResult) => void
      let reject!: (err: Error) => void
      const promise = new Promise<PublishResult>((res, rej) => { resolve = res; reject = rej })
      g = this.group = { promise, resolve, reject, remaining: 0 }
    }
    g.remaining++
    this.publishes++
    this.add({ bytes, time: this.writeTimeoutMs ? Date.now() : 0, id: QOS0, group: g })
    return g.promise
  }

  /** Write everything queued now, even into a full transport (before a graceful end). */
  flushAll(): void {
    while (!this.closed && this.head < this.entries.length) {
      this.writable = true
      this.flush()
    }
  }

  /** The transport drained: write what waited. */
  drained(): void {
    this.writable = true
    this.flush()
  }

  /** Fail everything still queued; returns the ids of QoS 1/2 publishes that were never written. */
  close(error: Error): number[] {
    this.closed = true
    this.clearTimer()
    const ids: number[] = []
    for (let i = this.head; i < this.entries.length; i++) {
      const e = this.entries[i]!
      if (e.id > 0) ids.push(e.id)
      else if (e.group) e.group.reject(error)
    }
    this.group?.reject(error)
    this.entries = []
    this.head = 0
    this.publishes = 0
    return ids
  }

  private add(entry: Entry): void {
    if (this.closed) {
      entry.group?.reject(new MqttError('NOT_CONNECTED', 'the connection is closed'))
      return
    }
    this.entries.push(entry)
    this.pending += entry.bytes.length
    if (!this.writable) {
      if (this.writeTimeoutMs && entry.id !== CONTROL && this.timer === undefined) {
        this.timer = this.timers.setTimeout(this.onTimer, this.writeTimeoutMs)
      }
    } else if (this.pending >= EARLY_WRITE_BYTES && !this.writing) {
      this.flush()
    } else if (!this.scheduled) {
      this.scheduled = true
      queueMicrotask(this.flushNow)
    }
  }

  private flush(): void {
    this.scheduled = false
    this.pending = 0
    this.group = undefined
    const entries = this.entries
    while (this.writable && !this.closed && this.head < entries.length) {
      let end = this.head
      let size = 0
      while (end < entries.length && (end === this.head || size + entries[end]!.bytes.length <= MAX_BATCH_BYTES)) {
        size += entries[end]!.bytes.length
        end++
      }
      let buffer: Uint8Array
      if (end - this.head === 1) {
        buffer = entries[this.head]!.bytes
      } else {
        buffer = new Uint8Array(size)
        let offset = 0
        for (let i = this.head; i < end; i++) {
          const b = entries[i]!.bytes
          buffer.set(b, offset)
          offset += b.length
        }
      }
      const start = this.head
      this.head = end
      this.writing = true
      let ok: boolean
      try {
        ok = this.host.write(buffer)
      } finally {
        this.writing = false
      }
      for (let i = start; i < end; i++) {
        const e = entries[i]!
        entries[i] = undefined as never
        if (e.id !== CONTROL) this.publishes--
        if (e.group && --e.group.remaining === 0) e.group.resolve(QOS0_RESULT)
      }
      if (!ok) this.writable = false
    }
    if (this.head === entries.length) {
      this.entries = []
      this.head = 0
      this.clearTimer()
    } else {
      if (this.head > 4096 && this.head * 2 > entries.length) {
        this.entries = entries.slice(this.head)
        this.head = 0
      }
      if (this.writeTimeoutMs && this.timer === undefined) this.timer = this.timers.setTimeout(this.onTimer, this.writeTimeoutMs)
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer)
    this.timer = undefined
  }

  private expire(): void {
    this.timer = undefined
    if (this.closed || !this.writeTimeoutMs) return
    const limit = Date.now() - this.writeTimeoutMs
    const error = new MqttError('TIMEOUT', `publish not written within ${this.writeTimeoutMs} ms`)
    const kept: Entry[] = []
    const ids: number[] = []
    let next = Infinity
    for (let i = this.head; i < this.entries.length; i++) {
      const e = this.entries[i]!
      if (e.id === CONTROL || e.time > limit) {
        kept.push(e)
        if (e.id !== CONTROL) next = Math.min(next, e.time)
        continue
      }
      this.publishes--
      if (e.id > 0) ids.push(e.id)
      else e.group!.reject(error)
    }
    this.entries = kept
    this.head = 0
    this.group = undefined
    if (ids.length > 0) this.host.expired(ids, error)
    if (next !== Infinity) this.timer = this.timers.setTimeout(this.onTimer, next + this.writeTimeoutMs - Date.now())
  }
}

// One outbound queue per connection. Packets queued in the same tick leave in one write; when the transport
// is full the queue waits for one 'drain' (one waiter queue for everything, O(1) per packet); publishes not
// handed over within writeTimeoutMs are dropped with TIMEOUT.
import { encode, encodeInto, type Packet, type ProtocolVersion, type PublishPacket } from '@isomqtt/codec'
import { MqttError } from './errors.js'
import { atMostOnce, QOS0_RESULT, type PublishResult } from './publish-result.js'
import { monotonicNow, type TimerHandle, type TimerSource } from './timers.js'

/** Whole milliseconds on the monotonic clock: publishes of the same millisecond may share an entry. */
const nowMs = (): number => Math.floor(monotonicNow())

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
  /** The packet; for merged publishes, a segment filled up to `end`. */
  bytes: Uint8Array
  end: number
  time: number
  /** CONTROL, QOS0, or the packet id of a QoS 1/2 publish (the first one of a merged entry). */
  id: number
  /** Publishes in it: 0 for a control packet, one or more for QoS 0 or QoS 1/2 ones. */
  count: number
  group: Group | undefined
  /** The packet ids of merged QoS 1/2 publishes, once there is more than one. */
  ids: number[] | undefined
}

/** Largest single write the queue builds from many packets. */
const MAX_BATCH_BYTES = 256 * 1024

/**
 * Publishes that follow each other (QoS 0 ones of one tick; QoS 1/2 ones queued in the same millisecond when
 * writeTimeoutMs is set) share segments of this size: a loop of publishes held back by a full transport
 * then costs its bytes, not an object and a view per message for the garbage collector to carry, and the
 * write needs no second copy. A lone publish is not copied. Segments start small and double within a tick:
 * a few publishes per tick (a window of QoS 2 in flight) must not pay for a zeroed 16 KiB buffer each time.
 */
const SEGMENT_BYTES = 16 * 1024
const FIRST_SEGMENT_BYTES = 1024
/**
 * Control packets that follow each other (mostly 4-byte acknowledgements: a PUBACK per QoS 1 message
 * received, a PUBREL per QoS 2 one sent) share a smaller segment: a few per tick are the common case.
 */
const CONTROL_SEGMENT_BYTES = 256

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
  /** Size of the next segment: doubles within a tick, up to SEGMENT_BYTES. */
  private segmentBytes = FIRST_SEGMENT_BYTES
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

  /** Queue a protocol packet (ack, ping, subscribe...): copied into the control segment before it when one is there. */
  control(bytes: Uint8Array): void {
    const tail = this.controlSegment()
    if (tail !== undefined && tail.end + bytes.length <= tail.bytes.length) {
      tail.bytes.set(bytes, tail.end)
      tail.end += bytes.length
      this.afterAdd(tail, bytes.length)
      return
    }
    this.add({ bytes, end: bytes.length, time: 0, id: CONTROL, count: 0, group: undefined, ids: undefined })
  }

  /** control() for a packet: encoded straight into the control segment before it when one is there. */
  controlPacket(packet: Packet, version: ProtocolVersion): void {
    const tail = this.controlSegment()
    if (tail !== undefined) {
      const end = encodeInto(packet, version, tail.bytes, tail.end)
      if (end >= 0) {
        const n = end - tail.end
        tail.end = end
        this.afterAdd(tail, n)
        return
      }
    }
    this.control(encode(packet, version))
  }

  /** Queue a QoS 1/2 publish; it completes through the session, not here. */
  publish(bytes: Uint8Array, packetId: number): void {
    this.publishes++
    const time = this.writeTimeoutMs ? nowMs() : 0
    const tail = this.last()
    // Joins the last entry when that is QoS 1/2 too and of the same millisecond (so expiry stays exact).
    if (tail !== undefined && tail.id > 0 && tail.time === time && this.segmentFor(tail) && tail.end + bytes.length <= tail.bytes.length) {
      tail.bytes.set(bytes, tail.end)
      ;(tail.ids ??= [tail.id]).push(packetId)
      this.grow(tail, bytes.length)
      return
    }
    this.add({ bytes, end: bytes.length, time, id: packetId, count: 1, group: undefined, ids: undefined })
  }

  /** Queue an encoded QoS 0 publish; the promise (shared by the tick's QoS 0 publishes) settles when written. */
  publishQos0(bytes: Uint8Array): Promise<PublishResult> {
    const g = this.currentGroup()
    g.remaining++
    this.publishes++
    this.add({ bytes, end: bytes.length, time: this.writeTimeoutMs ? nowMs() : 0, id: QOS0, count: 1, group: g, ids: undefined })
    return g.promise
  }

  /** publishQos0() for a packet: encoded straight into the tick's segment when it follows another QoS 0 one. */
  publishQos0Packet(packet: PublishPacket, version: ProtocolVersion): Promise<PublishResult> {
    const g = this.currentGroup()
    const tail = this.last()
    if (tail !== undefined && tail.group === g && this.segmentFor(tail)) {
      const end = encodeInto(packet, version, tail.bytes, tail.end)
      if (end >= 0) {
        g.remaining++
        this.publishes++
        this.grow(tail, end - tail.end)
        return g.promise
      }
    }
    return this.publishQos0(encode(packet, version))
  }

  /** The last entry when it holds control packets and is (or could become) a segment they may join. */
  private controlSegment(): Entry | undefined {
    const tail = this.last()
    return tail !== undefined && tail.id === CONTROL && this.segmentFor(tail, CONTROL_SEGMENT_BYTES) ? tail : undefined
  }

  /** The last entry not yet handed to the transport (later publishes may join it), if the queue is open. */
  private last(): Entry | undefined {
    return this.closed || this.head === this.entries.length ? undefined : this.entries[this.entries.length - 1]
  }

  /** `n` more bytes holding one more publish were written into the segment of `tail`. */
  private grow(tail: Entry, n: number): void {
    tail.end += n
    tail.count++
    this.afterAdd(tail, n)
  }

  /**
   * Moves a tail still holding one packet in that packet's own (exactly sized) buffer into a segment of at
   * least `first` bytes; false if the packet is too big for one.
   */
  private segmentFor(tail: Entry, first = this.segmentBytes): boolean {
    if (tail.count > 1 || tail.end < tail.bytes.length) return true
    if (tail.end > SEGMENT_BYTES >> 2) return false
    const size = Math.min(SEGMENT_BYTES, Math.max(first, tail.end * 4))
    this.segmentBytes = Math.min(SEGMENT_BYTES, Math.max(this.segmentBytes, size * 2))
    const segment = new Uint8Array(size)
    segment.set(tail.bytes.subarray(0, tail.end))
    tail.bytes = segment
    return true
  }

  private currentGroup(): Group {
    let g = this.group
    if (!g) {
      let resolve!: (r: PublishResult) => void
      let reject!: (err: Error) => void
      // One promise for the tick's QoS 0 publishes, handled once here (see atMostOnce).
      const promise = atMostOnce(new Promise<PublishResult>((res, rej) => { resolve = res; reject = rej }))
      g = this.group = { promise, resolve, reject, remaining: 0 }
    }
    return g
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

  /**
   * Fail everything still queued; returns the ids of QoS 1/2 publishes that were never written. `error` may be
   * a function: it is made only if a QoS 0 publish is still waiting (an Error's stack capture costs µs, and most
   * closes leave nothing to fail).
   */
  close(error: Error | (() => Error)): number[] {
    this.closed = true
    this.clearTimer()
    let made: Error | undefined
    const reason = (): Error => (made ??= typeof error === 'function' ? error() : error)
    const ids: number[] = []
    for (let i = this.head; i < this.entries.length; i++) {
      const e = this.entries[i]!
      if (e.ids) ids.push(...e.ids)
      else if (e.id > 0) ids.push(e.id)
      else if (e.group) e.group.reject(reason())
    }
    this.group?.reject(reason())
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
    this.afterAdd(entry, entry.end)
  }

  /** `n` bytes were queued in `entry`: start the write timer, write early, or schedule the tick's flush. */
  private afterAdd(entry: Entry, n: number): void {
    this.pending += n
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
    this.segmentBytes = FIRST_SEGMENT_BYTES
    const entries = this.entries
    while (this.writable && !this.closed && this.head < entries.length) {
      let end = this.head
      let size = 0
      while (end < entries.length && (end === this.head || size + entries[end]!.end <= MAX_BATCH_BYTES)) {
        size += entries[end]!.end
        end++
      }
      let buffer: Uint8Array
      if (end - this.head === 1) {
        const e = entries[this.head]!
        buffer = e.end === e.bytes.length ? e.bytes : e.bytes.subarray(0, e.end)
      } else {
        buffer = new Uint8Array(size)
        let offset = 0
        for (let i = this.head; i < end; i++) {
          const e = entries[i]!
          buffer.set(e.end === e.bytes.length ? e.bytes : e.bytes.subarray(0, e.end), offset)
          offset += e.end
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
        this.publishes -= e.count
        if (e.group && (e.group.remaining -= e.count) === 0) e.group.resolve(QOS0_RESULT)
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
    const limit = monotonicNow() - this.writeTimeoutMs
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
      this.publishes -= e.count
      if (e.ids) ids.push(...e.ids)
      else if (e.id > 0) ids.push(e.id)
      else e.group!.reject(error)
    }
    this.entries = kept
    this.head = 0
    this.group = undefined
    if (ids.length > 0) this.host.expired(ids, error)
    if (next !== Infinity) this.timer = this.timers.setTimeout(this.onTimer, next + this.writeTimeoutMs - monotonicNow())
  }
}

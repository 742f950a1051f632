// The MemoryStore's key table, with a Map's semantics (first-put order kept by keys(); a put to a present key
// keeps its place). The client's keys, `o.<id>` and `i.<id>` with a packet id 1..65535, live in arrays indexed
// by id: a put and a delete per QoS 1/2 message are then two array writes. A Map of tens of thousands of
// in-flight messages grows, rehashes and is rescanned by every young-generation GC: measured, a quarter of a
// 50k-in-flight QoS 1 run. Any other key goes to a Map. Every new key takes a sequence number so keys()
// can merge both in first-put order.

const MAX_ID = 65535

/** The id of a client key (`o.<id>` or `i.<id>`, no leading zero), or -1 for any other key. */
function idOf(key: string): number {
  const n = key.length
  if (n < 3 || n > 7 || key.charCodeAt(1) !== 46 /* . */ || key.charCodeAt(2) === 48 /* leading 0 */) return -1
  let id = 0
  for (let i = 2; i < n; i++) {
    const digit = key.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return -1
    id = id * 10 + digit
  }
  return id <= MAX_ID ? id : -1
}

/** One kind of client key: values and sequence numbers indexed by id. */
interface Slots<T> {
  values: Array<T | undefined>
  seqs: number[]
}

/** A Map<string, T> for store entries, fast for the client's keys. */
export class KeyTable<T> {
  private readonly out: Slots<T> = { values: [], seqs: [] }
  private readonly inbound: Slots<T> = { values: [], seqs: [] }
  private readonly other = new Map<string, { seq: number; value: T }>()
  /** Keys held in the id slots. */
  private slotted = 0
  private seq = 0

  private slots(key: string): Slots<T> | undefined {
    const c = key.charCodeAt(0)
    return c === 111 /* o */ ? this.out : c === 105 /* i */ ? this.inbound : undefined
  }

  /** Keys held. */
  get size(): number {
    return this.slotted + this.other.size
  }

  /** The value under `key`. */
  get(key: string): T | undefined {
    const id = idOf(key)
    const s = id > 0 ? this.slots(key) : undefined
    return s ? s.values[id] : this.other.get(key)?.value
  }

  /** Sets `key`; a new key goes last in first-put order. */
  set(key: string, value: T): void {
    const id = idOf(key)
    const s = id > 0 ? this.slots(key) : undefined
    if (s) {
      if (s.values[id] === undefined) {
        s.seqs[id] = this.seq++
        this.slotted++
      }
      s.values[id] = value
      return
    }
    const held = this.other.get(key)
    if (held) held.value = value
    else this.other.set(key, { seq: this.seq++, value })
  }

  /** Removes `key`. */
  delete(key: string): void {
    const id = idOf(key)
    const s = id > 0 ? this.slots(key) : undefined
    if (!s) {
      this.other.delete(key)
    } else if (s.values[id] !== undefined) {
      s.values[id] = undefined
      this.slotted--
    }
  }

  /** Every key in first-put order. */
  keys(): string[] {
    if (this.slotted === 0) return [...this.other.keys()]
    const all: Array<[number, string]> = []
    for (const [key, { seq }] of this.other) all.push([seq, key])
    this.collect(this.out, 'o.', all)
    this.collect(this.inbound, 'i.', all)
    return all.sort((a, b) => a[0] - b[0]).map((e) => e[1])
  }

  /** Every value (in no particular order). */
  values(): T[] {
    const all: T[] = []
    for (const { value } of this.other.values()) all.push(value)
    for (const s of [this.out, this.inbound]) for (const v of s.values) if (v !== undefined) all.push(v)
    return all
  }

  /** Removes every key. */
  clear(): void {
    for (const s of [this.out, this.inbound]) {
      s.values.length = 0
      s.seqs.length = 0
    }
    this.other.clear()
    this.slotted = 0
  }

  private collect(s: Slots<T>, prefix: string, into: Array<[number, string]>): void {
    const { values, seqs } = s
    for (let id = 1; id < values.length; id++) if (values[id] !== undefined) into.push([seqs[id]!, prefix + id])
  }
}

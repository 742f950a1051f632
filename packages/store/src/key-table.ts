// The MemoryStore's key table, with a Map's semantics (first-put order kept by keys(); a put to a present key
// keeps its place). The client's keys, `o.<id>` and `i.<id>` with a packet id 1..65535, live in an IdMap
// indexed by clientSlot(): a put
// and a delete per QoS 1/2 message are then array writes, where a Map of tens of thousands of in-flight
// messages grows, rehashes and is rescanned by every young-generation GC (measured: a quarter of a
// 50k-in-flight QoS 1 run). Any other key goes to a Map. Both share one sequence, so keys() merges them.
import { IdMap, type SequenceClock } from './id-map.js'

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

/**
 * A number per client key, for tables indexed by it: the id for `o.<id>`, 65536 + id for `i.<id>`, -1 for
 * any other key.
 */
export function clientSlot(key: string): number {
  const id = idOf(key)
  if (id <= 0) return -1
  const c = key.charCodeAt(0)
  return c === 111 /* o */ ? id : c === 105 /* i */ ? MAX_ID + 1 + id : -1
}

/** Slots clientSlot() gives out: 0..CLIENT_SLOTS-1. */
export const CLIENT_SLOTS = 2 * (MAX_ID + 1)

/** The key of a client slot (the inverse of clientSlot). */
const keyOf = (slot: number): string => (slot > MAX_ID ? `i.${slot - MAX_ID - 1}` : `o.${slot}`)

/**
 * A Map<string, T> for store entries, fast for the client's keys. The `...At` forms take the key's clientSlot()
 * already worked out, so a caller that needs it too parses each key once.
 */
export class KeyTable<T> {
  private readonly clock: SequenceClock = { seq: 0 }
  private readonly clients = new IdMap<T>(this.clock)
  private readonly other = new Map<string, { seq: number; value: T }>()

  /** Keys held. */
  get size(): number {
    return this.clients.size + this.other.size
  }

  /** The value under `key`. */
  get(key: string): T | undefined {
    return this.getAt(key, clientSlot(key))
  }

  /** get() for a key whose clientSlot() is `slot`. */
  getAt(key: string, slot: number): T | undefined {
    return slot >= 0 ? this.clients.get(slot) : this.other.get(key)?.value
  }

  /** Sets `key`; a new key goes last in first-put order. */
  set(key: string, value: T): void {
    this.setAt(key, clientSlot(key), value)
  }

  /** set() for a key whose clientSlot() is `slot`. */
  setAt(key: string, slot: number, value: T): void {
    if (slot >= 0) {
      this.clients.set(slot, value)
      return
    }
    const held = this.other.get(key)
    if (held) held.value = value
    else this.other.set(key, { seq: this.clock.seq++, value })
  }

  /** Removes `key`. */
  delete(key: string): void {
    this.deleteAt(key, clientSlot(key))
  }

  /** delete() for a key whose clientSlot() is `slot`. */
  deleteAt(key: string, slot: number): void {
    if (slot >= 0) this.clients.delete(slot)
    else this.other.delete(key)
  }

  /** Every key in first-put order. */
  keys(): string[] {
    if (this.clients.size === 0) return [...this.other.keys()]
    const all: Array<[number, string]> = []
    for (const [key, { seq }] of this.other) all.push([seq, key])
    for (const [seq, slot] of this.clients.ordered()) all.push([seq, keyOf(slot)])
    return all.sort((a, b) => a[0] - b[0]).map((e) => e[1])
  }

  /** Every value (in no particular order). */
  values(): T[] {
    const all: T[] = []
    for (const { value } of this.other.values()) all.push(value)
    for (const [, value] of this.clients) all.push(value)
    return all
  }

  /** Removes every key. */
  clear(): void {
    this.clients.clear()
    this.other.clear()
  }
}

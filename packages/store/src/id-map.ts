// A Map keyed by MQTT packet id (1..65535) or client slot, backed by arrays indexed by id (in pages: see
// slot-pages.ts). The client keeps one entry per in-flight message: tens of thousands of Map entries grow,
// rehash and are rescanned by every young-generation GC, where an array write is all a put or a delete costs
// here. Iteration keeps insertion order (sequence numbers, optionally shared with other maps so that several
// can be merged in one order).
import { PAGE_SIZE, slotIndex, SlotPages, type Page } from './slot-pages.js'

/** A sequence counter several IdMaps may share. */
export interface SequenceClock {
  seq: number
}

/** One page of an IdMap: the values and their sequence numbers. */
interface IdPage<T> extends Page {
  values: Array<T | undefined>
  seqs: number[]
}

const newIdPage = <T>(): IdPage<T> => ({ live: 0, values: new Array<T | undefined>(PAGE_SIZE), seqs: new Array<number>(PAGE_SIZE) })

/**
 * Map<number, T> for small non-negative integer keys such as packet ids (values are never undefined); iterates
 * in insertion order. Holds memory for the pages of ids in use only.
 */
export class IdMap<T> implements Iterable<[number, T]> {
  private readonly pages = new SlotPages<IdPage<T>>(newIdPage)
  private count = 0

  constructor(private readonly clock: SequenceClock = { seq: 0 }) {}

  /** Entries held. */
  get size(): number {
    return this.count
  }

  /** True when `id` is set. */
  has(id: number): boolean {
    return this.get(id) !== undefined
  }

  /** The value under `id`. */
  get(id: number): T | undefined {
    return this.pages.pageOf(id)?.values[slotIndex(id)]
  }

  /** Sets `id`; a new id goes last in insertion order, a present one keeps its place. */
  set(id: number, value: T): this {
    const page = this.pages.pageFor(id)
    const i = slotIndex(id)
    if (page.values[i] === undefined) {
      page.seqs[i] = this.clock.seq++
      page.live++
      this.count++
    }
    page.values[i] = value
    return this
  }

  /** Removes `id`; true when it was set. */
  delete(id: number): boolean {
    const page = this.pages.pageOf(id)
    const i = slotIndex(id)
    if (page === undefined || page.values[i] === undefined) return false
    page.values[i] = undefined
    this.count--
    this.pages.freed(id, page)
    return true
  }

  /** Removes everything. */
  clear(): void {
    this.pages.clear()
    this.count = 0
  }

  /** [sequence number, id, value] of every entry, in insertion order (a snapshot: the map may change meanwhile). */
  ordered(): Array<[number, number, T]> {
    const all: Array<[number, number, T]> = []
    if (this.count === 0) return all
    this.pages.forEach(({ values, seqs }, base) => {
      for (let i = 0; i < PAGE_SIZE; i++) {
        const v = values[i]
        if (v !== undefined) all.push([seqs[i]!, base + i, v])
      }
    })
    return all.sort((a, b) => a[0] - b[0])
  }

  /** [id, value] pairs in insertion order, from a snapshot (entries may be deleted while iterating). */
  [Symbol.iterator](): Iterator<[number, T]> {
    return this.ordered().map(([, id, v]): [number, T] => [id, v])[Symbol.iterator]()
  }
}

// A Map keyed by MQTT packet id (1..65535), backed by arrays indexed by id. The client keeps one entry per
// in-flight message: tens of thousands of Map entries grow, rehash and are rescanned by every young-generation
// GC, where an array write is all a put or a delete costs here. Iteration keeps insertion order (sequence
// numbers, optionally shared with other maps so that several can be merged in one order).

/** A sequence counter several IdMaps may share. */
export interface SequenceClock {
  seq: number
}

/**
 * Map<number, T> for small non-negative integer keys such as packet ids (values are never undefined); iterates
 * in insertion order.
 */
export class IdMap<T> implements Iterable<[number, T]> {
  private values: Array<T | undefined> = []
  private seqs: number[] = []
  private count = 0

  constructor(private readonly clock: SequenceClock = { seq: 0 }) {}

  /** Entries held. */
  get size(): number {
    return this.count
  }

  /** True when `id` is set. */
  has(id: number): boolean {
    return this.values[id] !== undefined
  }

  /** The value under `id`. */
  get(id: number): T | undefined {
    return this.values[id]
  }

  /** Sets `id`; a new id goes last in insertion order, a present one keeps its place. */
  set(id: number, value: T): this {
    if (this.values[id] === undefined) {
      this.seqs[id] = this.clock.seq++
      this.count++
    }
    this.values[id] = value
    return this
  }

  /** Removes `id`; true when it was set. */
  delete(id: number): boolean {
    if (this.values[id] === undefined) return false
    this.values[id] = undefined
    this.count--
    return true
  }

  /** Removes everything. */
  clear(): void {
    this.values = []
    this.seqs = []
    this.count = 0
  }

  /** [sequence number, id, value] of every entry, in insertion order (a snapshot: the map may change meanwhile). */
  ordered(): Array<[number, number, T]> {
    const all: Array<[number, number, T]> = []
    if (this.count === 0) return all
    const { values, seqs } = this
    for (let id = 1; id < values.length; id++) {
      const v = values[id]
      if (v !== undefined) all.push([seqs[id]!, id, v])
    }
    return all.sort((a, b) => a[0] - b[0])
  }

  /** [id, value] pairs in insertion order, from a snapshot (entries may be deleted while iterating). */
  [Symbol.iterator](): Iterator<[number, T]> {
    return this.ordered().map(([, id, v]): [number, T] => [id, v])[Symbol.iterator]()
  }
}

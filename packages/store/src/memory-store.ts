// The default store: packets in a KeyTable (a Map, with arrays for the client's keys), whose first-put order
// is the replay order. Without a transform, the client's packets (`o.<id>`, `i.<id>`) are copied into a
// PacketArena instead of each being kept as its own Uint8Array.
// put() and del() sit on the client's QoS 1/2 hot path (one of each per message), so without a transform
// they do their work synchronously and return one shared settled promise: no async frame, no allocation.

import { clientSlot, CLIENT_SLOTS, KeyTable } from './key-table.js'
import { PacketArena } from './packet-arena.js'
import { checkKey, checkPacket, decodeStored, encodeStored, Lifecycle, Quota } from './store-core.js'
import type { Store, StoreOptions, StoreTransform } from './types.js'

/** Options of a MemoryStore. */
export interface MemoryStoreOptions extends StoreOptions {
  /**
   * The caller hands each put() buffer over and never changes it afterwards, so it is kept as given instead
   * of copied. Default false. The client's keys (`o.<id>`, `i.<id>`) are copied into a shared arena either
   * way, which costs less memory than keeping each buffer.
   */
  adopt?: boolean
}

/** An entry kept through a transform: the packet's size (what the quota counts) and the stored bytes. */
interface TransformedEntry {
  size: number
  /** Stored bytes; a promise while an async encode hook runs. */
  data: Uint8Array | Promise<Uint8Array>
}

/** Marks a client key whose bytes are in the arena (one shared value: nothing allocated per packet). */
const PACKED: unique symbol = Symbol('packed')

/** Without a transform an entry is the packet's bytes themselves, or PACKED for a client key. */
type MemoryEntry = Uint8Array | TransformedEntry | typeof PACKED

const DONE: Promise<void> = Promise.resolve()

/** A packet id 1..65535: the ids whose `o.<id>` keys live in the arena (any other goes the way of its key). */
const isPacketId = (id: number): boolean => Number.isInteger(id) && id >= 1 && id <= 65535

/** Keeps packets in memory, in first-put order; the contents survive close() and open() of the same instance. */
export class MemoryStore implements Store {
  private readonly entries = new KeyTable<MemoryEntry>()
  private readonly arena = new PacketArena(CLIENT_SLOTS)
  private readonly life = new Lifecycle()
  private readonly quota: Quota
  private readonly transform: StoreTransform | undefined
  private readonly adopt: boolean
  /** No maxEntries/maxBytes: nothing to count, so a put or delete is one Map operation, not two. */
  private readonly unlimited: boolean

  constructor(options: MemoryStoreOptions = {}) {
    this.quota = new Quota(options)
    this.transform = options.transform
    this.adopt = options.adopt === true
    this.unlimited = (options.maxEntries ?? Infinity) === Infinity && (options.maxBytes ?? Infinity) === Infinity
  }

  /** Opens the store (nothing to load). */
  open(): Promise<void> {
    return this.life.open(async () => {})
  }

  /** Keeps a copy of `packet` (or, with `adopt`, `packet` itself) under `key`. */
  put(key: string, packet: Uint8Array): Promise<void> {
    try {
      if (this.putNow(key, packet)) return DONE
      this.life.check()
      checkKey(key)
      checkPacket(packet)
      const previous = this.sizeOf(key, clientSlot(key))
      this.quota.reserve(previous, packet.length)
      return this.putTransformed(key, packet, previous)
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /**
   * put() done at once, for a caller on a hot path that keeps its own call order (the client): true when
   * kept; false, with nothing done, when a transform makes it asynchronous (use put()). Throws StoreError.
   */
  putNow(key: string, packet: Uint8Array): boolean {
    if (this.transform !== undefined) return false
    this.life.check()
    checkKey(key)
    checkPacket(packet)
    const slot = clientSlot(key)
    if (!this.unlimited) this.quota.reserve(this.sizeOf(key, slot), packet.length)
    if (slot >= 0) {
      this.arena.put(slot, packet)
      this.entries.setAt(key, slot, PACKED)
    } else {
      // the copy keeps the store's bytes apart from a buffer the caller may reuse
      this.entries.set(key, this.adopt ? packet : packet.slice())
    }
    return true
  }

  /**
   * putNow() of the client's outbound key `o.<id>`, by its id: no key string is made and parsed back per message
   * (one put and one delete per QoS 1/2 message). Same results and errors as putNow().
   */
  putOutNow(id: number, packet: Uint8Array): boolean {
    if (this.transform !== undefined || !this.unlimited || !isPacketId(id)) return this.putNow(`o.${id}`, packet)
    this.life.check()
    checkPacket(packet)
    // For `o.<id>`, clientSlot() is the id itself.
    this.arena.put(id, packet)
    this.entries.setAt('', id, PACKED)
    return true
  }

  /** delNow() of the client's outbound key `o.<id>`, by its id (see putOutNow). */
  delOutNow(id: number): boolean {
    if (!this.unlimited || !isPacketId(id)) return this.delNow(`o.${id}`)
    this.life.check()
    this.entries.deleteAt('', id)
    this.arena.delete(id)
    return true
  }

  /** The size of what `key` (whose clientSlot() is `slot`) holds, as the quota counts it. */
  private sizeOf(key: string, slot: number): number | undefined {
    const entry = this.entries.getAt(key, slot)
    if (entry === undefined) return undefined
    if (entry === PACKED) return this.arena.view(slot)!.length
    return entry instanceof Uint8Array ? entry.length : entry.size
  }

  private async putTransformed(key: string, packet: Uint8Array, previousSize: number | undefined): Promise<void> {
    const previous = this.entries.get(key)
    let data: Uint8Array | Promise<Uint8Array>
    try {
      data = encodeStored(this.transform, packet)
    } catch (err) {
      this.quota.release(previousSize, packet.length)
      throw err
    }
    const entry: TransformedEntry = { size: packet.length, data }
    this.entries.set(key, entry)
    if (data instanceof Uint8Array) return
    try {
      entry.data = await data
    } catch (err) {
      if (this.entries.get(key) === entry) {
        this.quota.release(previousSize, packet.length)
        if (previous === undefined) this.entries.delete(key)
        else this.entries.set(key, previous)
      }
      throw err
    }
  }

  /** A copy of the packet kept under `key`. */
  async get(key: string): Promise<Uint8Array | undefined> {
    this.life.check()
    checkKey(key)
    const slot = clientSlot(key)
    const entry = this.entries.getAt(key, slot)
    if (entry === undefined) return undefined
    if (entry === PACKED) return this.arena.view(slot)!.slice()
    if (entry instanceof Uint8Array) return entry.slice()
    return decodeStored(this.transform, await entry.data)
  }

  /** Keys in first-put order. */
  async keys(): Promise<string[]> {
    return this.keysNow()
  }

  /** How many keys are held, at once (the client's check for an empty store on every clean connect). Throws StoreError. */
  sizeNow(): number {
    this.life.check()
    return this.entries.size
  }

  /** keys() done at once, for a caller that keeps its own call order (the client). Throws StoreError. */
  keysNow(): string[] {
    this.life.check()
    return this.entries.keys()
  }

  /** Forgets `key`. */
  del(key: string): Promise<void> {
    try {
      this.delNow(key)
      return DONE
    } catch (err) {
      return Promise.reject(err)
    }
  }

  /** del() done at once (always possible: deleting never waits for a transform); true. Throws StoreError. */
  delNow(key: string): boolean {
    this.life.check()
    checkKey(key)
    const slot = clientSlot(key)
    const size = this.unlimited ? 0 : this.sizeOf(key, slot)
    this.entries.deleteAt(key, slot)
    if (slot >= 0) this.arena.delete(slot)
    if (!this.unlimited && size !== undefined) this.quota.release(undefined, size)
    return true
  }

  /** Forgets everything. */
  async reset(): Promise<void> {
    this.life.check()
    this.entries.clear()
    this.arena.clear()
    this.quota.clear()
  }

  /** Waits for async encodes in progress; the contents stay for a later open(). */
  close(): Promise<void> {
    return this.life.close(async () => {
      const pending: Array<Promise<Uint8Array>> = []
      for (const entry of this.entries.values()) {
        if (entry !== PACKED && !(entry instanceof Uint8Array) && entry.data instanceof Promise) pending.push(entry.data)
      }
      await Promise.allSettled(pending)
    })
  }
}

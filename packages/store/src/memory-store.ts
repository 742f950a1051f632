// The default store: packets in a Map, whose insertion order is the replay order.

import { checkKey, checkPacket, decodeStored, encodeStored, Lifecycle, Quota } from './store-core.js'
import type { Store, StoreOptions, StoreTransform } from './types.js'

interface MemoryEntry {
  size: number
  /** Stored bytes; a promise while an async encode hook runs. */
  data: Uint8Array | Promise<Uint8Array>
}

/** Keeps packets in memory, in first-put order; the contents survive close() and open() of the same instance. */
export class MemoryStore implements Store {
  private readonly entries = new Map<string, MemoryEntry>()
  private readonly life = new Lifecycle()
  private readonly quota: Quota
  private readonly transform: StoreTransform | undefined

  constructor(options: StoreOptions = {}) {
    this.quota = new Quota(options)
    this.transform = options.transform
  }

  /** Opens the store (nothing to load). */
  open(): Promise<void> {
    return this.life.open(async () => {})
  }

  /** Keeps a copy of `packet` under `key`. */
  async put(key: string, packet: Uint8Array): Promise<void> {
    this.life.check()
    checkKey(key)
    checkPacket(packet)
    const previous = this.entries.get(key)
    this.quota.reserve(previous?.size, packet.length)
    let data: Uint8Array | Promise<Uint8Array>
    try {
      // the copy keeps the store's bytes apart from a buffer the caller may reuse
      data = this.transform === undefined ? packet.slice() : encodeStored(this.transform, packet)
    } catch (err) {
      this.quota.release(previous?.size, packet.length)
      throw err
    }
    const entry: MemoryEntry = { size: packet.length, data }
    this.entries.set(key, entry)
    if (data instanceof Uint8Array) return
    try {
      entry.data = await data
    } catch (err) {
      if (this.entries.get(key) === entry) {
        this.quota.release(previous?.size, packet.length)
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
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    const stored = await entry.data
    return this.transform === undefined ? stored.slice() : decodeStored(this.transform, stored)
  }

  /** Keys in first-put order. */
  async keys(): Promise<string[]> {
    this.life.check()
    return [...this.entries.keys()]
  }

  /** Forgets `key`. */
  async del(key: string): Promise<void> {
    this.life.check()
    checkKey(key)
    const entry = this.entries.get(key)
    if (entry === undefined) return
    this.entries.delete(key)
    this.quota.release(undefined, entry.size)
  }

  /** Forgets everything. */
  async reset(): Promise<void> {
    this.life.check()
    this.entries.clear()
    this.quota.clear()
  }

  /** Waits for async encodes in progress; the contents stay for a later open(). */
  close(): Promise<void> {
    return this.life.close(async () => {
      const pending = [...this.entries.values()].map((entry) => entry.data).filter((d) => d instanceof Promise)
      await Promise.allSettled(pending)
    })
  }
}

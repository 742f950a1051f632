// What every store shares: the open/closed lifecycle, argument checks, limits, transforms and tracing.

import { StoreError } from './errors.js'
import type { StoreOptions, StoreTransform, TraceEntry, TraceSink } from './types.js'

/** Longest key accepted, in UTF-16 units; keys are short ('o.65535') and FileStore frames them in 16 bits. */
export const MAX_KEY_LENGTH = 1024

type State = 'new' | 'opening' | 'open' | 'closing' | 'closed'

/** Open/close bookkeeping: concurrent open() calls share one load, close() waits for an open in progress. */
export class Lifecycle {
  private state: State = 'new'
  private pending?: Promise<void>

  /** Throws NOT_OPEN or CLOSED unless the store is open. */
  check(): void {
    if (this.state === 'open') return
    if (this.state === 'new' || this.state === 'opening') {
      throw new StoreError('NOT_OPEN', 'the store is not open: call open() first')
    }
    throw new StoreError('CLOSED', 'the store is closed')
  }

  /** Runs `load` once per transition to open. */
  async open(load: () => Promise<void>): Promise<void> {
    while (this.state === 'opening' || this.state === 'closing') await this.pending?.catch(() => {})
    if (this.state === 'open') return
    const before = this.state
    this.state = 'opening'
    this.pending = load()
    try {
      await this.pending
      this.state = 'open'
    } catch (err) {
      this.state = before
      throw err
    } finally {
      this.pending = undefined
    }
  }

  /** Marks the store closed at once (new calls reject), then runs `finish`. */
  async close(finish: () => Promise<void>): Promise<void> {
    while (this.state === 'opening' || this.state === 'closing') await this.pending?.catch(() => {})
    if (this.state !== 'open') {
      this.state = 'closed'
      return
    }
    this.state = 'closing'
    this.pending = finish()
    try {
      await this.pending
    } finally {
      this.state = 'closed'
      this.pending = undefined
    }
  }
}

/** Counts entries and packet bytes against the limits; an overwrite counts only its size change. */
export class Quota {
  entries = 0
  bytes = 0
  private readonly maxEntries: number
  private readonly maxBytes: number

  constructor(options: StoreOptions) {
    this.maxEntries = limit('maxEntries', options.maxEntries)
    this.maxBytes = limit('maxBytes', options.maxBytes)
  }

  /** Takes room for a put of `size` bytes replacing `previous` bytes (undefined: a new key), or throws STORE_FULL. */
  reserve(previous: number | undefined, size: number): void {
    const entries = this.entries + (previous === undefined ? 1 : 0)
    const bytes = this.bytes + size - (previous ?? 0)
    if (entries > this.maxEntries) {
      throw new StoreError('STORE_FULL', `the store is full: maxEntries is ${this.maxEntries}`)
    }
    if (bytes > this.maxBytes && size > (previous ?? 0)) {
      throw new StoreError('STORE_FULL', `the store is full: ${bytes} bytes would exceed maxBytes ${this.maxBytes}`)
    }
    this.entries = entries
    this.bytes = bytes
  }

  /** Gives back the room of a forgotten entry (or of a failed put). */
  release(previous: number | undefined, size: number): void {
    if (previous === undefined) this.entries -= 1
    this.bytes -= size - (previous ?? 0)
  }

  /** Counts an entry loaded at open, whatever the limits (they may have been lowered since). */
  load(size: number): void {
    this.entries += 1
    this.bytes += size
  }

  /** Forgets all counted entries (reset). */
  clear(): void {
    this.entries = 0
    this.bytes = 0
  }
}

function limit(name: string, value: number | undefined): number {
  if (value === undefined) return Infinity
  if (typeof value !== 'number' || !(value >= 0)) {
    throw new StoreError('INVALID_ARGUMENT', `${name} must be a number >= 0`)
  }
  return value
}

/** Throws INVALID_ARGUMENT unless `key` is a non-empty string of at most MAX_KEY_LENGTH units. */
export function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new StoreError('INVALID_ARGUMENT', `a key must be a string of 1 to ${MAX_KEY_LENGTH} characters`)
  }
}

/** Throws INVALID_ARGUMENT unless `packet` is a Uint8Array. */
export function checkPacket(packet: unknown): asserts packet is Uint8Array {
  if (!(packet instanceof Uint8Array)) {
    throw new StoreError('INVALID_ARGUMENT', 'a packet must be a Uint8Array')
  }
}

/** Applies the encode hook; sync hooks stay sync so call order is kept without a queue. */
export function encodeStored(
  transform: StoreTransform | undefined,
  packet: Uint8Array,
): Uint8Array | Promise<Uint8Array> {
  if (transform === undefined) return packet
  let out: Uint8Array | Promise<Uint8Array>
  try {
    out = transform.encode(packet)
  } catch (err) {
    throw transformFailed('encode', err)
  }
  if (out instanceof Uint8Array) return out
  return Promise.resolve(out).then(
    (bytes) => (bytes instanceof Uint8Array ? bytes : Promise.reject(transformFailed('encode'))),
    (err: unknown) => Promise.reject(transformFailed('encode', err)),
  )
}

/**
 * Admits a put: checks the key and packet, takes quota for it (replacing `previousSize` bytes, undefined for a
 * new key) and starts the encode hook; the quota is given back if the hook throws at once.
 */
export function admitPut(
  quota: Quota,
  transform: StoreTransform | undefined,
  key: unknown,
  packet: unknown,
  previousSize: number | undefined,
): Uint8Array | Promise<Uint8Array> {
  checkKey(key)
  checkPacket(packet)
  quota.reserve(previousSize, packet.length)
  try {
    return encodeStored(transform, packet)
  } catch (err) {
    quota.release(previousSize, packet.length)
    throw err
  }
}

/** An index entry of a store that commits puts asynchronously (FileStore, IndexedDbStore). */
export interface PendingEntry {
  size: number
  /** Set when the put that made this entry failed; `previous` is then what really stands. */
  failed?: boolean
  previous?: PendingEntry
}

/**
 * Undoes a failed put in the index: the entry is marked failed and, if it still stands under `key`, the
 * nearest earlier entry that did not fail takes its place again (or the key goes), with its quota.
 */
export function rollbackPut<E extends PendingEntry>(index: Map<string, E>, quota: Quota, key: string, entry: E, previous: E | undefined): void {
  entry.failed = true
  let standing = previous
  while (standing?.failed === true) standing = standing.previous as E | undefined
  entry.previous = standing
  if (index.get(key) !== entry) return
  quota.release(standing?.size, entry.size)
  if (standing === undefined) index.delete(key)
  else index.set(key, standing)
}

/** Applies the decode hook to stored bytes. */
export async function decodeStored(transform: StoreTransform | undefined, stored: Uint8Array): Promise<Uint8Array> {
  if (transform === undefined) return stored
  let out: Uint8Array
  try {
    out = await transform.decode(stored)
  } catch (err) {
    throw transformFailed('decode', err)
  }
  if (!(out instanceof Uint8Array)) throw transformFailed('decode')
  return out
}

function transformFailed(hook: 'encode' | 'decode', cause?: unknown): StoreError {
  const why = cause === undefined ? 'did not return a Uint8Array' : 'failed'
  return new StoreError('TRANSFORM_FAILED', `the store's transform.${hook} ${why}`, { cause })
}

/** A trace function for component 'store' that swallows a throwing sink. */
export function createTracer(sink: TraceSink | undefined): (level: TraceEntry['level'], message: string) => void {
  return (level, message) => {
    if (sink === undefined) return
    try {
      sink({ level, component: 'store', message, time: Date.now() })
    } catch {
      // a broken sink must not break persistence
    }
  }
}

// The Store contract shared by every implementation and by the client that replays from it.

/** Where a store's trace entries go; the shape matches the client's TraceSink structurally. */
export interface TraceEntry {
  level: 'critical' | 'warn' | 'verbose'
  component: string
  message: string
  time: number
}

/** Receives trace entries; a sink that throws is ignored so tracing can never break the store. */
export type TraceSink = (entry: TraceEntry) => void

/** Rewrites the stored bytes (e.g. encryption at rest); `decode(encode(b))` must equal `b`. */
export interface StoreTransform {
  encode(bytes: Uint8Array): Uint8Array | Promise<Uint8Array>
  decode(bytes: Uint8Array): Uint8Array | Promise<Uint8Array>
}

/** Options every store accepts. */
export interface StoreOptions {
  /** Most keys kept at once; a put of a new key beyond it rejects with STORE_FULL. */
  maxEntries?: number
  /** Most packet bytes (before transform) kept at once; beyond it a put rejects with STORE_FULL. */
  maxBytes?: number
  /** Applied to each packet before it is kept and after it is read back. */
  transform?: StoreTransform
  /** Trace sink (component 'store'); never receives stored bytes. */
  trace?: TraceSink
}

/**
 * Keeps encoded packets by key (`o.<packetId>` outbound, `i.<packetId>` inbound) so a session survives
 * a reconnect or, for persistent stores, a restart. Every method rejects with a StoreError.
 * A put's `packet` is read until its promise settles: do not modify it before then.
 */
export interface Store {
  /** Loads what was kept; opening an open store does nothing, a closed one may be opened again. */
  open(): Promise<void>
  /** Keeps `packet` under `key`; resolved means kept (durable for persistent stores). */
  put(key: string, packet: Uint8Array): Promise<void>
  /** The packet kept under `key`, a copy the caller may keep, or undefined. */
  get(key: string): Promise<Uint8Array | undefined>
  /** Keys in the order they were first put (replay order); an overwrite keeps the key's place. */
  keys(): Promise<string[]>
  /** Forgets `key`; forgetting a missing key does nothing. */
  del(key: string): Promise<void>
  /** Forgets everything. */
  reset(): Promise<void>
  /** Finishes every accepted operation, then releases resources; later calls reject with CLOSED. */
  close(): Promise<void>
}

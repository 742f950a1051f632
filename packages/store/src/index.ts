// Browser-safe entry: everything except FileStore.

export type { Store, StoreOptions, StoreTransform, TraceEntry, TraceSink } from './types.js'
export { StoreError, type StoreErrorCode } from './errors.js'
export { MemoryStore } from './memory-store.js'
export { IdMap, type SequenceClock } from './id-map.js'
export { IndexedDbStore } from './indexeddb-store.js'

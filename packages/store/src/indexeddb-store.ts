// Browser store on IndexedDB through idb-keyval: one database per client, each record carrying the
// sequence number of its key's first put, so replay order survives a reload.

import { createStore, entries, promisifyRequest, type UseStore } from 'idb-keyval'
import { StoreError } from './errors.js'
import { GroupCommit } from './group-commit.js'
import { admitPut, checkKey, createTracer, decodeStored, Lifecycle, Quota, rollbackPut, type PendingEntry } from './store-core.js'
import type { Store, StoreOptions, StoreTransform } from './types.js'
import { acquireWebLock, type HeldLock } from './web-lock.js'

/** The object store inside each client's database. */
const OBJECT_STORE = 'packets'

/** What is written per key. */
interface IdbRecord {
  seq: number
  size: number
  data: Uint8Array
}

interface IdbEntry extends PendingEntry {
  seq: number
  /** The packet while its put is being committed (served to get() meanwhile). */
  packet?: Uint8Array
  previous?: IdbEntry
}

type Settle = { resolve: () => void; reject: (err: unknown) => void }
type IdbOp = Settle & (
  | { kind: 'put'; key: string; entry: IdbEntry; previous?: IdbEntry; stored: Uint8Array | Promise<Uint8Array> }
  | { kind: 'del'; key: string; entry: IdbEntry }
  | { kind: 'reset'; snapshot: [string, IdbEntry][] }
)

/** Keeps packets in IndexedDB database `isomqtt-store:<name>`; use one name per client id. */
export class IndexedDbStore implements Store {
  /** The IndexedDB database this store uses. */
  readonly databaseName: string
  private index = new Map<string, IdbEntry>()
  private nextSeq = 0
  private db?: UseStore
  /** The Web Lock that keeps other tabs from opening this database while it is open here. */
  private lock?: HeldLock
  private readonly life = new Lifecycle()
  private readonly quota: Quota
  private readonly transform: StoreTransform | undefined
  private readonly trace: ReturnType<typeof createTracer>
  private readonly writes = new GroupCommit<IdbOp>((batch) => this.commit(batch))
  private reads: { key: string; resolve: (value: unknown) => void; reject: (err: unknown) => void }[] = []

  constructor(name: string, options: StoreOptions = {}) {
    if (typeof name !== 'string' || name.length === 0) {
      throw new StoreError('INVALID_ARGUMENT', 'IndexedDbStore needs a non-empty name')
    }
    this.databaseName = `isomqtt-store:${name}`
    this.quota = new Quota(options)
    this.transform = options.transform
    this.trace = createTracer(options.trace)
  }

  /** Opens the database and loads the keys in replay order; LOCKED while another tab or worker has it open. */
  open(): Promise<void> {
    return this.life.open(async () => {
      this.lock = await acquireWebLock(this.databaseName, `IndexedDbStore ${this.databaseName}`)
      try {
        await this.load()
      } catch (err) {
        this.releaseLock()
        throw err
      }
    })
  }

  /** Keeps `packet` under `key`; resolves once the IndexedDB transaction has completed. */
  async put(key: string, packet: Uint8Array): Promise<void> {
    this.life.check()
    const previous = this.index.get(key)
    const stored = admitPut(this.quota, this.transform, key, packet, previous?.size)
    const entry: IdbEntry = { seq: previous?.seq ?? this.nextSeq++, size: packet.length, packet }
    this.index.set(key, entry)
    return new Promise((resolve, reject) => this.writes.add({ kind: 'put', key, entry, previous, stored, resolve, reject }))
  }

  /** The packet kept under `key`. */
  async get(key: string): Promise<Uint8Array | undefined> {
    this.life.check()
    checkKey(key)
    const entry = this.index.get(key)
    if (entry === undefined) return undefined
    if (entry.packet !== undefined) return entry.packet.slice()
    const record = await this.read(key)
    if (record === undefined) return undefined
    if (!isRecord(record)) throw new StoreError('CORRUPT', `the record under key ${key} is not a packet record`)
    return decodeStored(this.transform, record.data)
  }

  /** Keys in first-put order. */
  async keys(): Promise<string[]> {
    this.life.check()
    return [...this.index.keys()]
  }

  /** Forgets `key`. */
  async del(key: string): Promise<void> {
    this.life.check()
    checkKey(key)
    const entry = this.index.get(key)
    if (entry === undefined) return
    this.index.delete(key)
    this.quota.release(undefined, entry.size)
    return new Promise((resolve, reject) => this.writes.add({ kind: 'del', key, entry, resolve, reject }))
  }

  /** Forgets everything (clears the object store). */
  async reset(): Promise<void> {
    this.life.check()
    const snapshot = [...this.index]
    this.index.clear()
    this.quota.clear()
    return new Promise((resolve, reject) => this.writes.add({ kind: 'reset', snapshot, resolve, reject }))
  }

  /** Commits what was accepted, then closes the database connection. */
  close(): Promise<void> {
    return this.life.close(async () => {
      await this.writes.idle()
      const db = this.db
      this.db = undefined
      // idb-keyval has no close(); the connection is reachable from any transaction
      await db?.('readonly', (os) => os.transaction.db.close()).catch(() => {})
      this.releaseLock()
    })
  }

  private releaseLock(): void {
    this.lock?.release()
    this.lock = undefined
  }

  private async load(): Promise<void> {
    this.db = createStore(this.databaseName, OBJECT_STORE)
    this.index = new Map()
    this.quota.clear()
    let rows: [IDBValidKey, unknown][]
    try {
      rows = await entries(this.db)
    } catch (err) {
      this.db = undefined
      throw new StoreError('IO_ERROR', `cannot read IndexedDB database ${this.databaseName}`, { cause: err })
    }
    const records: [string, IdbRecord][] = []
    for (const [key, value] of rows) {
      if (typeof key === 'string' && isRecord(value)) records.push([key, value])
    }
    if (records.length < rows.length) {
      this.trace('warn', `ignored ${rows.length - records.length} malformed records in ${this.databaseName}`)
    }
    records.sort((a, b) => a[1].seq - b[1].seq)
    for (const [key, record] of records) {
      this.index.set(key, { seq: record.seq, size: record.size })
      this.quota.load(record.size)
    }
    this.nextSeq = records.length === 0 ? 0 : records[records.length - 1]![1].seq + 1
    this.trace('verbose', `opened ${this.databaseName} with ${records.length} entries`)
  }

  /** Reads a record; reads issued in the same tick share one readonly transaction. */
  private read(key: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.reads.push({ key, resolve, reject })
      if (this.reads.length === 1) queueMicrotask(() => this.flushReads())
    })
  }

  private flushReads(): void {
    const batch = this.reads
    this.reads = []
    const fail = (err: unknown) => {
      const error = new StoreError('IO_ERROR', `IndexedDB read failed in ${this.databaseName}`, { cause: err })
      for (const read of batch) read.reject(error)
    }
    if (this.db === undefined) return fail(new Error('the database is closed'))
    this.db('readonly', (os) => {
      for (const read of batch) promisifyRequest<unknown>(os.get(read.key)).then(read.resolve, fail)
    }).catch(fail)
  }

  /** Writes one batch in one readwrite transaction: all of it lands, or none of it. */
  private async commit(batch: IdbOp[]): Promise<void> {
    const stored = await Promise.allSettled(batch.map((op) => (op.kind === 'put' ? op.stored : undefined)))
    const ready: { op: IdbOp; data?: Uint8Array }[] = []
    batch.forEach((op, i) => {
      const result = stored[i]!
      if (result.status === 'rejected') {
        this.rollback(op)
        op.reject(result.reason)
      } else {
        ready.push({ op, data: result.value })
      }
    })
    if (ready.length === 0) return
    try {
      await this.db!('readwrite', (os) => {
        for (const { op, data } of ready) {
          if (op.kind === 'put') os.put(toRecord(op.entry, data!), op.key)
          else if (op.kind === 'del') os.delete(op.key)
          else os.clear()
        }
        return promisifyRequest(os.transaction)
      })
    } catch (err) {
      const quota = err instanceof Error && err.name === 'QuotaExceededError'
      const error = quota
        ? new StoreError('STORE_FULL', 'the browser refused more IndexedDB storage', { cause: err })
        : new StoreError('IO_ERROR', `IndexedDB write failed in ${this.databaseName}`, { cause: err })
      this.trace('critical', `${error.message}: ${ready.length} operations rejected`)
      for (let i = ready.length - 1; i >= 0; i--) this.rollback(ready[i]!.op)
      for (const { op } of ready) op.reject(error)
      return
    }
    for (const { op } of ready) {
      if (op.kind === 'put') op.entry.packet = undefined
      op.resolve()
    }
  }

  /** Undoes in the index what a failed operation did, keeping replay order. */
  private rollback(op: IdbOp): void {
    if (op.kind === 'put') {
      rollbackPut(this.index, this.quota, op.key, op.entry, op.previous)
    } else if (op.kind === 'del') {
      this.reinsert([[op.key, op.entry]])
    } else {
      this.reinsert(op.snapshot)
    }
  }

  /** Puts back entries a failed del or reset removed, unless the key was put again since. */
  private reinsert(items: [string, IdbEntry][]): void {
    const back = items.filter(([key]) => !this.index.has(key))
    if (back.length === 0) return
    for (const [, entry] of back) this.quota.load(entry.size)
    const merged = [...this.index, ...back].sort((a, b) => a[1].seq - b[1].seq)
    this.index = new Map(merged)
  }
}

function toRecord(entry: IdbEntry, data: Uint8Array): IdbRecord {
  // structured clone copies a view's whole ArrayBuffer, so store views of larger buffers as exact copies
  const exact = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice()
  return { seq: entry.seq, size: entry.size, data: exact }
}

function isRecord(value: unknown): value is IdbRecord {
  if (typeof value !== 'object' || value === null) return false
  const r = value as Partial<IdbRecord>
  return typeof r.seq === 'number' && typeof r.size === 'number' && r.data instanceof Uint8Array
}

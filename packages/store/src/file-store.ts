// Node store: an append-only log per client directory. Puts and dels that arrive together share one write
// and one fsync (group commit); a put resolves only once its record is on disk.

import type { FileHandle } from 'node:fs/promises'
import { mkdir, unlink } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { StoreError } from './errors.js'
import { compactLog, type CommittedRecord } from './file-compaction.js'
import { acquireLock, type FileLock } from './file-lock.js'
import { encodeRecords, isErrno, COMPACT_FILE, LOG_HEADER, openLog, readFully, recordValue, syncDirectory,
  writeFully, type PendingRecord } from './file-log.js'
import { GroupCommit } from './group-commit.js'
import { admitPut, checkKey, createTracer, decodeStored, Lifecycle, Quota, rollbackPut, type PendingEntry } from './store-core.js'
import type { Store, StoreOptions, StoreTransform } from './types.js'

/** FileStore options: the common ones plus compaction tuning. */
export interface FileStoreOptions extends StoreOptions {
  /** Smallest log (bytes) worth compacting; compaction runs once dead records outweigh live ones [1 MiB]. */
  compactMinBytes?: number
}

interface FileEntry extends PendingEntry {
  /** The packet while its put is being committed (served to get() meanwhile). */
  packet?: Uint8Array
  previous?: FileEntry
}

type Settle = { resolve: () => void; reject: (err: unknown) => void }
type PutOp = Settle & { kind: 'put'; key: string; entry: FileEntry; previous?: FileEntry; stored: Uint8Array | Promise<Uint8Array> }
type DelOp = Settle & { kind: 'del'; key: string }
type FileOp = PutOp | DelOp | (Settle & { kind: 'reset' })
type AppendItem = { op: PutOp | DelOp; record: PendingRecord }

/** Keeps packets in `directory` (one per client), durably and in replay order; Node only. */
export class FileStore implements Store {
  /** The absolute directory this store owns. */
  readonly directory: string
  private index = new Map<string, FileEntry>()
  private live = new Map<string, CommittedRecord>()
  private fh?: FileHandle
  private lock?: FileLock
  private logSize = 0
  private liveBytes = 0
  private failure?: StoreError
  private readonly reads = new Set<Promise<unknown>>()
  private readonly life = new Lifecycle()
  private readonly quota: Quota
  private readonly transform: StoreTransform | undefined
  private readonly compactMinBytes: number
  private readonly trace: ReturnType<typeof createTracer>
  private readonly writes = new GroupCommit<FileOp>((batch) => this.commit(batch))

  constructor(directory: string, options: FileStoreOptions = {}) {
    if (typeof directory !== 'string' || directory.length === 0) {
      throw new StoreError('INVALID_ARGUMENT', 'FileStore needs a directory')
    }
    this.directory = resolve(directory)
    this.quota = new Quota(options)
    this.transform = options.transform
    this.compactMinBytes = options.compactMinBytes ?? 1 << 20
    this.trace = createTracer(options.trace)
  }

  /** Locks the directory, loads the log and cuts off a torn or damaged tail. */
  open(): Promise<void> {
    return this.life.open(() => this.load())
  }

  /** Keeps `packet` under `key`; resolves once the record is fsynced. */
  async put(key: string, packet: Uint8Array): Promise<void> {
    this.check()
    const previous = this.index.get(key)
    const stored = admitPut(this.quota, this.transform, key, packet, previous?.size)
    const entry: FileEntry = { size: packet.length, packet }
    this.index.set(key, entry)
    return new Promise((resolve, reject) => this.writes.add({ kind: 'put', key, entry, previous, stored, resolve, reject }))
  }

  /** The packet kept under `key`, read back and checked against its CRC. */
  async get(key: string): Promise<Uint8Array | undefined> {
    this.check()
    checkKey(key)
    const entry = this.index.get(key)
    if (entry === undefined) return undefined
    if (entry.packet !== undefined) return entry.packet.slice()
    const record = this.live.get(key)
    if (record === undefined) return undefined
    const frame = new Uint8Array(record.length)
    const read = readFully(this.fh!, frame, record.offset)
    this.reads.add(read)
    try {
      await read
    } catch (err) {
      throw new StoreError('IO_ERROR', `cannot read key ${key} from ${this.directory}`, { cause: err })
    } finally {
      this.reads.delete(read)
    }
    const value = recordValue(frame)
    if (value === undefined) throw new StoreError('CORRUPT', `the record of key ${key} in ${this.directory} is damaged`)
    return decodeStored(this.transform, value)
  }

  /** Keys in first-put order. */
  async keys(): Promise<string[]> {
    this.check()
    return [...this.index.keys()]
  }

  /** Forgets `key`; resolves once the deletion is fsynced. */
  async del(key: string): Promise<void> {
    this.check()
    checkKey(key)
    const entry = this.index.get(key)
    if (entry === undefined) return
    this.index.delete(key)
    this.quota.release(undefined, entry.size)
    return new Promise((resolve, reject) => this.writes.add({ kind: 'del', key, resolve, reject }))
  }

  /** Forgets everything: the log is cut back to its header. */
  async reset(): Promise<void> {
    this.check()
    this.index.clear()
    this.quota.clear()
    return new Promise((resolve, reject) => this.writes.add({ kind: 'reset', resolve, reject }))
  }

  /** Commits what was accepted, closes the log and releases the directory lock. */
  close(): Promise<void> {
    return this.life.close(async () => {
      await this.writes.idle()
      await Promise.allSettled(this.reads)
      await this.fh?.close().catch(() => {})
      this.fh = undefined
      await this.lock?.release()
      this.lock = undefined
    })
  }

  private check(): void {
    this.life.check()
    if (this.failure !== undefined) throw this.failure
  }

  private async load(): Promise<void> {
    this.index = new Map()
    this.live = new Map()
    this.quota.clear()
    this.failure = undefined
    this.liveBytes = 0
    try {
      const created = await mkdir(this.directory, { recursive: true })
      // new directories must reach the disk too, or a power cut could take the whole log with them
      for (let dir = this.directory; created !== undefined; dir = dirname(dir)) {
        await syncDirectory(dirname(dir))
        if (dir === created) break
      }
    } catch (err) {
      throw new StoreError('IO_ERROR', `cannot create the store directory ${this.directory}`, { cause: err })
    }
    this.lock = await acquireLock(this.directory, (message) => this.trace('warn', message))
    try {
      // a leftover of a compaction cut short by a crash; the log itself is intact
      await unlink(join(this.directory, COMPACT_FILE)).catch(() => {})
      await this.readLog()
    } catch (err) {
      await this.fh?.close().catch(() => {})
      this.fh = undefined
      await this.lock.release()
      this.lock = undefined
      if (err instanceof StoreError) throw err
      throw new StoreError('IO_ERROR', `cannot open the store in ${this.directory}`, { cause: err })
    }
  }

  private async readLog(): Promise<void> {
    const log = await openLog(this.directory, (message) => this.trace('warn', message))
    this.fh = log.fh
    this.live = log.live
    this.logSize = log.size
    for (const [key, record] of this.live) {
      this.index.set(key, { size: record.size })
      this.quota.load(record.size)
      this.liveBytes += record.length
    }
    this.trace('verbose', `opened ${this.directory} with ${this.index.size} entries`)
    if (this.shouldCompact()) await this.compact()
  }

  /** Writes a batch: each run of puts/dels as one write + fdatasync, a reset as a truncation. */
  private async commit(batch: FileOp[]): Promise<void> {
    const stored = this.transform === undefined ? undefined
      : await Promise.allSettled(batch.map((op) => (op.kind === 'put' ? op.stored : undefined)))
    let start = 0
    try {
      while (start < batch.length && this.failure === undefined) {
        const first = batch[start]!
        if (first.kind === 'reset') {
          await this.truncateLog()
          first.resolve()
          start += 1
          continue
        }
        const run: AppendItem[] = []
        let end = start
        for (; end < batch.length; end++) {
          const op = batch[end]!
          if (op.kind === 'reset') break
          if (op.kind === 'del') {
            run.push({ op, record: { key: op.key, size: 0 } })
            continue
          }
          const result = stored?.[end]
          if (result?.status === 'rejected') {
            this.rollback(op)
            op.reject(result.reason)
            continue
          }
          const value = result === undefined ? (op.stored as Uint8Array) : (result.value as Uint8Array)
          run.push({ op, record: { key: op.key, value, size: op.entry.size } })
        }
        await this.append(run)
        start = end
      }
    } catch (err) {
      await this.fail(err)
    }
    // whatever was not written is refused (rejecting an already rejected op again is a no-op)
    for (let i = start; i < batch.length; i++) {
      const op = batch[i]!
      const result = stored?.[i]
      if (op.kind === 'put' && result?.status === 'rejected') {
        this.rollback(op)
        op.reject(result.reason)
      } else {
        op.reject(this.failure)
      }
    }
    if (this.failure === undefined && this.shouldCompact()) await this.compact()
  }

  /** Appends a run of records with one write and one fdatasync, then acknowledges them. */
  private async append(run: AppendItem[]): Promise<void> {
    if (run.length === 0) return
    const { buf, ends } = encodeRecords(run.map((item) => item.record))
    const at = this.logSize
    await writeFully(this.fh!, buf, at)
    await this.fh!.datasync()
    this.logSize += buf.length
    run.forEach(({ op, record }, i) => {
      const begin = i === 0 ? 0 : ends[i - 1]!
      this.liveBytes -= this.live.get(op.key)?.length ?? 0
      if (op.kind === 'put') {
        this.live.set(op.key, { offset: at + begin, length: ends[i]! - begin, size: record.size })
        this.liveBytes += ends[i]! - begin
        op.entry.packet = undefined
      } else {
        this.live.delete(op.key)
      }
      op.resolve()
    })
  }

  // After a failed write or fsync the file's state is unknown (and Linux may have dropped the dirty pages),
  // so the store refuses further work; reopening reads back what really is on disk.
  private async fail(cause: unknown): Promise<void> {
    this.failure = new StoreError('IO_ERROR', `writing to ${this.directory} failed; close and reopen the store`, { cause })
    this.trace('critical', `${this.failure.message}: ${String((cause as Error)?.message ?? cause)}`)
    // cut back a partial write so that records of rejected puts cannot come back at the next open
    await this.fh?.truncate(this.logSize).catch(() => {})
  }

  private rollback(op: PutOp): void {
    rollbackPut(this.index, this.quota, op.key, op.entry, op.previous)
  }

  private async truncateLog(): Promise<void> {
    await Promise.allSettled(this.reads)
    await this.fh!.truncate(LOG_HEADER.length)
    await this.fh!.datasync()
    this.logSize = LOG_HEADER.length
    this.live.clear()
    this.liveBytes = 0
  }

  private shouldCompact(): boolean {
    return this.logSize >= this.compactMinBytes && this.logSize - LOG_HEADER.length > 2 * this.liveBytes
  }

  private async compact(): Promise<void> {
    const before = this.logSize
    let result: Awaited<ReturnType<typeof compactLog>>
    try {
      result = await compactLog(this.directory, this.fh!, this.logSize, this.live)
    } catch (err) {
      if (isErrno(err, 'ENOSPC')) this.trace('warn', `compaction of ${this.directory} skipped: disk full`)
      else this.trace('warn', `compaction of ${this.directory} failed, the log is kept: ${String(err)}`)
      return
    }
    const old = this.fh!
    this.fh = result.fh
    this.live = result.live
    this.logSize = result.size
    this.liveBytes = result.size - LOG_HEADER.length
    if (!result.dirSynced) this.trace('critical', `could not fsync ${this.directory} after compaction`)
    this.trace('verbose', `compacted ${this.directory}: ${before} -> ${result.size} bytes`)
    await Promise.allSettled(this.reads)
    await old.close().catch(() => {})
  }
}

// Compaction: copy the live records into a new log, make it durable, and rename it over the old one.
// A crash at any point leaves either the old log or the new one, both complete and equivalent.

import type { FileHandle } from 'node:fs/promises'
import { open, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { StoreError } from './errors.js'
import { COMPACT_FILE, LOG_FILE, LOG_HEADER, readFully, recordValue, syncDirectory, writeFully } from './file-log.js'
import type { RecordLocation } from './file-log.js'

/** A live record: where it is and the packet size it stands for. */
export interface CommittedRecord extends RecordLocation {
  size: number
}

const READ_CHUNK = 1 << 20
/** Live data up to this size is compacted in memory with sequential reads; beyond it, record by record. */
const IN_MEMORY_LIMIT = 64 << 20

/** Writes `live` (in replay order) from `source` into a fresh log that replaces the old one in `dir`. */
export async function compactLog(
  dir: string,
  source: FileHandle,
  sourceSize: number,
  live: ReadonlyMap<string, CommittedRecord>,
  inMemoryLimit = IN_MEMORY_LIMIT,
): Promise<{ fh: FileHandle; live: Map<string, CommittedRecord>; size: number; dirSynced: boolean }> {
  const next = new Map<string, CommittedRecord>()
  const moves: { key: string; from: number; to: number; length: number }[] = []
  let size = LOG_HEADER.length
  for (const [key, record] of live) {
    next.set(key, { offset: size, length: record.length, size: record.size })
    moves.push({ key, from: record.offset, to: size, length: record.length })
    size += record.length
  }
  const tmpPath = join(dir, COMPACT_FILE)
  const fh = await open(tmpPath, 'w+')
  try {
    await writeFully(fh, LOG_HEADER, 0)
    if (size <= inMemoryLimit) await copyInMemory(source, sourceSize, moves, fh, size)
    else await copyOneByOne(source, moves, fh)
    await fh.datasync()
    await rename(tmpPath, join(dir, LOG_FILE))
  } catch (err) {
    await fh.close().catch(() => {})
    await unlink(tmpPath).catch(() => {})
    throw err
  }
  // from here on the new log is the log: the caller must switch to it even if the directory sync fails
  const dirSynced = await syncDirectory(dir).then(() => true, () => false)
  return { fh, live: next, size, dirSynced }
}

type Move = { key: string; from: number; to: number; length: number }

// Reads the old log in offset order through a chunk cache (a few large reads instead of one per record)
// and assembles the new log in one buffer, written at once.
async function copyInMemory(source: FileHandle, sourceSize: number, moves: Move[], fh: FileHandle, size: number) {
  const out = new Uint8Array(size)
  let cache = new Uint8Array(0)
  let cacheStart = 0
  for (const move of [...moves].sort((a, b) => a.from - b.from)) {
    if (move.from < cacheStart || move.from + move.length > cacheStart + cache.length) {
      cache = new Uint8Array(Math.min(Math.max(move.length, READ_CHUNK), sourceSize - move.from))
      cacheStart = move.from
      await readFully(source, cache, move.from)
    }
    const frame = cache.subarray(move.from - cacheStart, move.from - cacheStart + move.length)
    check(frame, move)
    out.set(frame, move.to)
  }
  await writeFully(fh, out.subarray(LOG_HEADER.length), LOG_HEADER.length)
}

async function copyOneByOne(source: FileHandle, moves: Move[], fh: FileHandle) {
  for (const move of moves) {
    const frame = new Uint8Array(move.length)
    await readFully(source, frame, move.from)
    check(frame, move)
    await writeFully(fh, frame, move.to)
  }
}

function check(frame: Uint8Array, move: Move): void {
  if (recordValue(frame) === undefined) {
    throw new StoreError('CORRUPT', `the record of key ${move.key} at offset ${move.from} is damaged`)
  }
}

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

const WRITE_CHUNK = 1 << 20

/** Writes `live` (in replay order) from `source` into a fresh log that replaces the old one in `dir`. */
export async function compactLog(
  dir: string,
  source: FileHandle,
  live: ReadonlyMap<string, CommittedRecord>,
): Promise<{ fh: FileHandle; live: Map<string, CommittedRecord>; size: number; dirSynced: boolean }> {
  const tmpPath = join(dir, COMPACT_FILE)
  const fh = await open(tmpPath, 'w+')
  try {
    const next = new Map<string, CommittedRecord>()
    let pieces: Uint8Array[] = [LOG_HEADER]
    let pieceBytes = LOG_HEADER.length
    let written = 0
    let size = LOG_HEADER.length
    for (const [key, record] of live) {
      const frame = new Uint8Array(record.length)
      await readFully(source, frame, record.offset)
      if (recordValue(frame) === undefined) {
        throw new StoreError('CORRUPT', `the record of key ${key} at offset ${record.offset} is damaged`)
      }
      next.set(key, { offset: size, length: record.length, size: record.size })
      size += record.length
      pieces.push(frame)
      pieceBytes += frame.length
      if (pieceBytes >= WRITE_CHUNK) {
        await writeFully(fh, Buffer.concat(pieces), written)
        written += pieceBytes
        pieces = []
        pieceBytes = 0
      }
    }
    if (pieceBytes > 0) await writeFully(fh, Buffer.concat(pieces), written)
    await fh.datasync()
    await rename(tmpPath, join(dir, LOG_FILE))
    // from here on the new log is the log: the caller must switch to it even if the directory sync fails
    const dirSynced = await syncDirectory(dir).then(() => true, () => false)
    return { fh, live: next, size, dirSynced }
  } catch (err) {
    await fh.close().catch(() => {})
    await unlink(tmpPath).catch(() => {})
    throw err
  }
}

// FileStore's on-disk format and low-level I/O. The log is a header followed by records:
//   u32 body length | u32 CRC-32 of body | body = u8 type | u16 key length | key (UTF-8) | PUT only: u32 packet
//   size (before transform, for the limits) | stored bytes
// A DEL record has nothing after its key. Replaying the records in file order
// with Map semantics (set keeps an existing key's place, delete forgets it) rebuilds the store.

import { constants } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { crc32 } from './crc32.js'
import { StoreError } from './errors.js'

/** The log inside a FileStore directory. */
export const LOG_FILE = 'store.log'
/** The log being written by a compaction, renamed over LOG_FILE when complete. */
export const COMPACT_FILE = 'store.log.tmp'
/** The lock file holding the owner's pid. */
export const LOCK_FILE = 'store.lock'

/** 'IMQS', format version 1, three reserved bytes. */
export const LOG_HEADER = Uint8Array.of(0x49, 0x4d, 0x51, 0x53, 1, 0, 0, 0)
/** Record type: the key now holds the record's bytes. */
export const RECORD_PUT = 1
/** Record type: the key is forgotten. */
export const RECORD_DEL = 2
const FRAME_HEAD = 8
const BODY_HEAD = 3
const PUT_HEAD = 4
/** Largest body a record may claim: a 256 MiB MQTT packet plus room for a key and a transform's overhead. */
const MAX_BODY = 268_435_460 + 64 * 1024
const SCAN_CHUNK = 1 << 20
const utf8 = new TextDecoder('utf-8', { fatal: true })

/** Where a record sits in the log. */
export interface RecordLocation {
  offset: number
  length: number
}

/** A record found by scanLog; `size` is a PUT's packet size (0 for a DEL). */
export interface LogRecord extends RecordLocation {
  type: typeof RECORD_PUT | typeof RECORD_DEL
  key: string
  size: number
}

/** A record to append: a PUT when `value` is set (`size`: the packet size before transform), else a DEL. */
export interface PendingRecord {
  key: string
  value?: Uint8Array
  size: number
}

/** Frames `records` into one buffer (one write); `ends[i]` is where record i ends in it. */
export function encodeRecords(records: readonly PendingRecord[]): { buf: Buffer; ends: number[] } {
  const keyBytes = records.map((r) => Buffer.byteLength(r.key))
  let total = 0
  records.forEach((r, i) => (total += FRAME_HEAD + BODY_HEAD + keyBytes[i]! + (r.value === undefined ? 0 : PUT_HEAD + r.value.length)))
  const buf = Buffer.allocUnsafe(total)
  const ends: number[] = []
  let offset = 0
  records.forEach((r, i) => ends.push((offset = writeFrame(buf, offset, r.key, keyBytes[i]!, r.value, r.size))))
  return { buf, ends }
}

/** Writes a PUT (with `value`) or DEL record at `offset` of `buf` and returns the offset after it. */
function writeFrame(buf: Buffer, offset: number, key: string, keyBytes: number, value?: Uint8Array, size = 0): number {
  const body = offset + FRAME_HEAD
  buf[body] = value === undefined ? RECORD_DEL : RECORD_PUT
  buf.writeUInt16BE(keyBytes, body + 1)
  buf.write(key, body + BODY_HEAD, keyBytes, 'utf8')
  let end = body + BODY_HEAD + keyBytes
  if (value !== undefined) {
    buf.writeUInt32BE(size, end)
    buf.set(value, end + PUT_HEAD)
    end += PUT_HEAD + value.length
  }
  buf.writeUInt32BE(end - body, offset)
  buf.writeUInt32BE(crc32(buf, body, end), offset + 4)
  return end
}

/** Checks a whole record read back from the log and returns its value, or undefined if it is damaged. */
export function recordValue(frame: Uint8Array): Uint8Array | undefined {
  if (frame.length < FRAME_HEAD + BODY_HEAD) return undefined
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength)
  if (view.getUint32(0) !== frame.length - FRAME_HEAD) return undefined
  if (view.getUint32(4) !== crc32(frame, FRAME_HEAD)) return undefined
  if (frame[FRAME_HEAD] !== RECORD_PUT) return undefined
  const start = FRAME_HEAD + BODY_HEAD + view.getUint16(FRAME_HEAD + 1) + PUT_HEAD
  return start <= frame.length ? frame.subarray(start) : undefined
}

/** True when `bytes` start with this format's header. */
export function hasLogHeader(bytes: Uint8Array): boolean {
  return LOG_HEADER.every((b, i) => bytes[i] === b)
}

/**
 * Reads the records after the header, calling `onRecord` for each intact one, and stops at the first
 * torn or damaged record: `end` is where the good part ends and `problem` says what was found there.
 */
export async function scanLog(
  fh: FileHandle,
  size: number,
  onRecord: (record: LogRecord) => void,
): Promise<{ end: number; problem?: string }> {
  let buf = new Uint8Array(0)
  let bufStart = 0
  const cover = async (from: number, length: number): Promise<number> => {
    if (from < bufStart || from + length > bufStart + buf.length) {
      buf = new Uint8Array(Math.min(Math.max(length, SCAN_CHUNK), size - from))
      bufStart = from
      await readFully(fh, buf, from)
    }
    return from - bufStart
  }
  let pos = LOG_HEADER.length
  while (pos < size) {
    if (size - pos < FRAME_HEAD) return { end: pos, problem: 'a torn record header' }
    let at = await cover(pos, FRAME_HEAD)
    const view = new DataView(buf.buffer)
    const bodyLength = view.getUint32(at)
    const crc = view.getUint32(at + 4)
    if (bodyLength < BODY_HEAD || bodyLength > MAX_BODY) return { end: pos, problem: 'an impossible record length' }
    if (pos + FRAME_HEAD + bodyLength > size) return { end: pos, problem: 'a torn record' }
    at = await cover(pos, FRAME_HEAD + bodyLength)
    const body = at + FRAME_HEAD
    if (crc32(buf, body, body + bodyLength) !== crc) return { end: pos, problem: 'a record with a bad checksum' }
    const type = buf[body]
    const keyBytes = new DataView(buf.buffer).getUint16(body + 1)
    const rest = bodyLength - BODY_HEAD - keyBytes
    if (keyBytes === 0 || !(type === RECORD_PUT ? rest >= PUT_HEAD : type === RECORD_DEL && rest === 0)) {
      return { end: pos, problem: 'a malformed record' }
    }
    let key: string
    try {
      key = utf8.decode(buf.subarray(body + BODY_HEAD, body + BODY_HEAD + keyBytes))
    } catch {
      return { end: pos, problem: 'a record with a malformed key' }
    }
    const packetSize = type === RECORD_PUT ? new DataView(buf.buffer).getUint32(body + BODY_HEAD + keyBytes) : 0
    onRecord({ type: type as LogRecord['type'], key, size: packetSize, offset: pos, length: FRAME_HEAD + bodyLength })
    pos += FRAME_HEAD + bodyLength
  }
  return { end: pos }
}

/**
 * Opens (or creates) the log in `dir` and returns its live records in replay order. A torn or damaged
 * tail is cut off and reported through `warn`; a file that is not a store log is CORRUPT.
 */
export async function openLog(
  dir: string,
  warn: (message: string) => void,
): Promise<{ fh: FileHandle; live: Map<string, LogRecord>; size: number }> {
  const path = join(dir, LOG_FILE)
  const fh = await open(path, constants.O_RDWR | constants.O_CREAT)
  try {
    const { size } = await fh.stat()
    const live = new Map<string, LogRecord>()
    if (size < LOG_HEADER.length) {
      if (size > 0) warn(`rewrote the torn header of ${path}`)
      await fh.truncate(0)
      await writeFully(fh, LOG_HEADER, 0)
      await fh.datasync()
      await syncDirectory(dir)
      return { fh, live, size: LOG_HEADER.length }
    }
    const head = new Uint8Array(LOG_HEADER.length)
    await readFully(fh, head, 0)
    if (!hasLogHeader(head)) throw new StoreError('CORRUPT', `${path} is not an isomqtt store log`)
    const { end, problem } = await scanLog(fh, size, (record) => {
      if (record.type === RECORD_PUT) live.set(record.key, record)
      else live.delete(record.key)
    })
    if (problem !== undefined) {
      warn(`cut off ${size - end} bytes at offset ${end} of ${path}: found ${problem}`)
      await fh.truncate(end)
      await fh.datasync()
    }
    return { fh, live, size: end }
  } catch (err) {
    await fh.close().catch(() => {})
    throw err
  }
}

/** Fills `buf` from `position`, looping over short reads; throws if the file ends first. */
export async function readFully(fh: FileHandle, buf: Uint8Array, position: number): Promise<void> {
  let done = 0
  while (done < buf.length) {
    const { bytesRead } = await fh.read(buf, done, buf.length - done, position + done)
    if (bytesRead === 0) throw new Error(`unexpected end of file at ${position + done}`)
    done += bytesRead
  }
}

/** Writes all of `buf` at `position`, looping over short writes. */
export async function writeFully(fh: FileHandle, buf: Uint8Array, position: number): Promise<void> {
  let done = 0
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, position + done)
    done += bytesWritten
  }
}

/** Makes a rename or a file creation inside `dir` durable (a no-op where directories cannot be opened). */
export async function syncDirectory(dir: string): Promise<void> {
  let fh: FileHandle
  try {
    fh = await open(dir, 'r')
  } catch {
    return
  }
  try {
    await fh.sync()
  } catch (err) {
    // Windows and some file systems refuse fsync on a directory; the rename itself is still atomic
    if (!isErrno(err, 'EISDIR', 'EPERM', 'EINVAL', 'EBADF')) throw err
  } finally {
    await fh.close()
  }
}

/** True when `err` is a Node system error with one of `codes`. */
export function isErrno(err: unknown, ...codes: string[]): boolean {
  return typeof err === 'object' && err !== null && codes.includes((err as { code?: string }).code ?? '')
}

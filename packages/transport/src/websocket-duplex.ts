// One adapter from a W3C WebSocket (the browser's, or `ws`'s class in Node) to a Duplex of bytes,
// modelled on ws's lib/stream.js. Browser-safe: platform powers arrive as optional hooks.
import { Duplex } from './readable-duplex.js'
import { tickCorker, type TickCorker } from './coalesce-writes.js'
import { TransportError } from './errors.js'
import type { WebSocketLike } from './types.js'

const OPEN = 1
const CLOSED = 3

/** Default cap of a frame merged from several writes: small against any broker's or proxy's frame limit. */
export const DEFAULT_MAX_MERGED_FRAME_BYTES = 64 * 1024

/** Copies chunks[from..to) (`size` bytes in all) into one buffer. */
function merge(chunks: Array<{ chunk: Uint8Array }>, from: number, to: number, size: number): Uint8Array {
  const frame = new Uint8Array(size)
  for (let i = from, offset = 0; i < to; i++) {
    const { chunk } = chunks[i]!
    frame.set(chunk, offset)
    offset += chunk.byteLength
  }
  return frame
}

/** What a platform can do beyond the W3C interface; every hook is optional. */
export interface WebSocketFlowControl {
  /** Sends and calls `done` once the frame reached the OS (Node ws); without it writes wait on `bufferedAmount`. */
  send?(data: Uint8Array, done: (err?: Error | null) => void): void
  /** Stops reading from the network while the readable side is full (Node ws). Browsers cannot. */
  pause?(): void
  /** Undoes `pause`. */
  resume?(): void
  /** Drops the connection at once (Node ws `terminate()`); without it `close(1000)`. */
  terminate?(): void
  /** Names the cause of an 'error' event or a failed send (Node ws carries the error; browsers carry nothing). */
  mapError?(event: unknown): TransportError
}

/** Options of the adapter. */
export interface WebSocketDuplexOptions extends WebSocketFlowControl {
  /** `scheme://host:port`, for messages (never the path or query: tokens live there). */
  what: string
  /** Without a `send` hook, a write completes once `bufferedAmount` is at or below this (default 256 KiB). */
  bufferedAmountHighWaterMark?: number
  /** Writes of one tick merge into frames of at most this many bytes (default 64 KiB); a larger write goes alone. */
  maxMergedFrameBytes?: number
  /** How often to look at `bufferedAmount` while above the mark; browsers have no event for it (default 5 ms). */
  pollIntervalMs?: number
}

interface CloseEventLike { code?: number; reason?: string; wasClean?: boolean }

/** A connected WebSocket as a Duplex: binary frames in and out, backpressure both ways where the platform allows. */
export class WebSocketDuplex extends Duplex {
  /** The WebSocket underneath (for its `protocol`, or `bufferedAmount`). */
  readonly webSocket: WebSocketLike
  readonly #options: WebSocketDuplexOptions
  readonly #corker: TickCorker
  readonly #highWaterMark: number
  readonly #maxMergedFrame: number
  #paused = false
  #closeSeen = false
  #peerFailed = false
  #finalCallback: ((err?: Error | null) => void) | undefined

  constructor(ws: WebSocketLike, options: WebSocketDuplexOptions) {
    // A tick's writes merge into frames of up to maxMergedFrameBytes: the stream holds that much before it
    // asks the writer to wait (and before a long run of writes leaves without waiting for the tick's end).
    super({ allowHalfOpen: false, writableHighWaterMark: options.maxMergedFrameBytes ?? DEFAULT_MAX_MERGED_FRAME_BYTES })
    this.webSocket = ws
    this.#options = options
    this.#highWaterMark = options.bufferedAmountHighWaterMark ?? 256 * 1024
    this.#maxMergedFrame = options.maxMergedFrameBytes ?? DEFAULT_MAX_MERGED_FRAME_BYTES
    this.#corker = tickCorker(this)
    ws.addEventListener('message', this.#onMessage)
    ws.addEventListener('close', this.#onClose)
    ws.addEventListener('error', this.#onError)
  }

  override write(chunk: any, encoding?: any, callback?: any): boolean {
    this.#corker.before((chunk as { length?: number }).length ?? 0)
    return this.#corker.after(super.write(chunk, encoding, callback))
  }

  readonly #onMessage = (event: { data: unknown }): void => {
    if (this.destroyed) return
    const { data } = event
    let chunk: Uint8Array
    if (data instanceof ArrayBuffer) chunk = new Uint8Array(data)
    else if (ArrayBuffer.isView(data)) chunk = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    else {
      // [MQTT-6.0.0-1] MQTT travels in binary frames; any other frame closes the connection.
      this.destroy(new TransportError('WS_PROTOCOL_ERROR', `${this.#options.what}: received a non-binary WebSocket frame`))
      return
    }
    if (!this.push(chunk) && !this.#paused && this.#options.pause) {
      this.#paused = true
      this.#options.pause()
    }
  }

  readonly #onClose = (event: CloseEventLike): void => {
    this.#closeSeen = true
    const final = this.#finalCallback
    this.#finalCallback = undefined
    if (this.destroyed) return
    if (final) {
      // We closed it (end()): everything written has been sent.
      final()
      this.push(null)
      return
    }
    const code = event.code ?? 1006
    if (event.wasClean !== false && (code === 1000 || code === 1001 || code === 1005)) {
      this.push(null)
      return
    }
    const reason = event.reason ? `: ${event.reason}` : ''
    this.destroy(new TransportError('CONNECTION_CLOSED', `${this.#options.what}: WebSocket closed abnormally (code ${code}${reason})`, { closeCode: code }))
  }

  readonly #onError = (event: unknown): void => {
    if (this.destroyed) return
    // The WebSocket closes itself after an error (ws sends the close frame): do not cut that short.
    this.#peerFailed = true
    this.destroy(this.#options.mapError?.(event) ?? new TransportError('CONNECTION_CLOSED', `${this.#options.what}: WebSocket failed`))
  }

  override _read(): void {
    if (!this.#paused) return
    this.#paused = false
    this.#options.resume?.()
  }

  override _write(chunk: Uint8Array, _encoding: string, callback: (err?: Error | null) => void): void {
    this.#send(chunk, callback)
  }

  override _writev(chunks: Array<{ chunk: Uint8Array }>, callback: (err?: Error | null) => void): void {
    // One frame per batch (the copy is the price of not sending one frame per packet), but never more than
    // maxMergedFrameBytes in one merged frame: a writer that ignores backpressure would otherwise make one
    // frame of everything it wrote in a tick. A single write larger than the cap still goes whole, uncopied.
    const cap = this.#maxMergedFrame
    const frames: Uint8Array[] = []
    for (let i = 0; i < chunks.length;) {
      let size = chunks[i]!.chunk.byteLength
      let j = i + 1
      while (j < chunks.length && size + chunks[j]!.chunk.byteLength <= cap) size += chunks[j++]!.chunk.byteLength
      frames.push(j === i + 1 ? chunks[i]!.chunk : merge(chunks, i, j, size))
      i = j
    }
    if (frames.length === 1) return this.#send(frames[0]!, callback)
    let left = frames.length
    let failed = false
    const sent = (err?: Error | null): void => {
      if (failed) return
      if (err) {
        failed = true
        callback(err)
      } else if (--left === 0) {
        callback()
      }
    }
    for (const frame of frames) {
      if (failed) break
      this.#send(frame, sent)
    }
  }

  override _final(callback: (err?: Error | null) => void): void {
    const ws = this.webSocket
    if (this.#closeSeen || ws.readyState === CLOSED) return callback()
    this.#finalCallback = callback
    // Frames already sent leave before the close frame; the callback runs on the 'close' event.
    ws.close(1000)
  }

  override _destroy(err: Error | null, callback: (err: Error | null) => void): void {
    const ws = this.webSocket
    ws.removeEventListener('message', this.#onMessage)
    ws.removeEventListener('close', this.#onClose)
    ws.removeEventListener('error', this.#onError)
    this.#finalCallback = undefined
    if (!this.#closeSeen && ws.readyState !== CLOSED && !this.#peerFailed) {
      if (this.#options.terminate) this.#options.terminate()
      else ws.close(1000)
    }
    callback(err)
  }

  #closedError(): TransportError {
    return new TransportError('CONNECTION_CLOSED', `${this.#options.what}: WebSocket is closed`)
  }

  #sendError(err: unknown): TransportError {
    return this.#options.mapError?.(err)
      ?? new TransportError('CONNECTION_CLOSED', `${this.#options.what}: WebSocket send failed`, { cause: err })
  }

  #send(data: Uint8Array, callback: (err?: Error | null) => void): void {
    const ws = this.webSocket
    if (ws.readyState !== OPEN) return callback(this.#closedError())
    const { send } = this.#options
    if (send) {
      send(data, (err) => callback(err ? this.#sendError(err) : null))
      return
    }
    try {
      ws.send(data)
    } catch (err) {
      return callback(this.#sendError(err))
    }
    if (ws.bufferedAmount <= this.#highWaterMark) return callback()
    this.#waitForBufferedAmount(callback)
  }

  // Browsers have no event for bufferedAmount going down, so the write callback waits by polling.
  #waitForBufferedAmount(callback: (err?: Error | null) => void): void {
    const ws = this.webSocket
    const interval = this.#options.pollIntervalMs ?? 5
    const poll = (): void => {
      if (this.destroyed || ws.readyState !== OPEN) return callback(this.#closedError())
      if (ws.bufferedAmount <= this.#highWaterMark) return callback()
      setTimeout(poll, interval)
    }
    setTimeout(poll, interval)
  }
}

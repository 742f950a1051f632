// Packets written in the same tick leave together: the first write of a tick corks the stream and a
// microtask (Node sockets: process.nextTick) uncorks it, so the stream's _writev sees the whole batch
// (one syscall, one WebSocket frame).
// Browser-safe.

/** A stream that can hold writes back (Node and readable-stream Writables). */
export interface Corkable {
  cork(): void
  uncork(): void
  readonly writableLength: number
  readonly writableHighWaterMark: number
}

/** Runs a callback later in the same turn of the event loop (queueMicrotask, or Node's process.nextTick). */
export type Defer = (fn: () => void) => void

/** What a write goes through: `before` it (with its size) and `after` it (with write()'s result). */
export interface TickCorker {
  before(size: number): void
  /** The result the writer should see: false only when the stream really holds a high-water mark. */
  after(ok: boolean): boolean
}

/**
 * Returns the corker every write goes through: the first write of a tick corks the stream and `defer`
 * (default queueMicrotask) uncorks it after the tick, so the tick's writes leave together. A stream holds at
 * most one high-water mark that way: the held batch leaves whole before a write that would take it past,
 * and a write of a high-water mark or more leaves at once. A long synchronous run of writes (a publishing
 * loop) then reaches the peer while it runs, instead of when it ends.
 */
export function tickCorker(stream: Corkable, defer: Defer = queueMicrotask): TickCorker {
  let corked = false
  let scheduled = false
  const release = (): void => {
    corked = false
    stream.uncork()
  }
  const endOfTick = (): void => {
    scheduled = false
    if (corked) release()
  }
  return {
    before(size) {
      if (corked && stream.writableLength + size > stream.writableHighWaterMark) release()
      if (corked) return
      corked = true
      stream.cork()
      if (!scheduled) {
        scheduled = true
        defer(endOfTick)
      }
    },
    after(ok) {
      const limit = stream.writableHighWaterMark
      if (stream.writableLength < limit) return ok
      release()
      // What the stream could not pass on at once stays buffered: only then must the writer wait for 'drain'.
      return stream.writableLength < limit
    },
  }
}

/**
 * Makes an existing stream (a net.Socket or TLSSocket, used as is) coalesce the writes of a tick,
 * by wrapping its own `write` method; returns the same stream.
 */
export function coalesceWrites<S extends Corkable & { write: (...args: any[]) => boolean }>(stream: S, defer?: Defer): S {
  const corker = tickCorker(stream, defer)
  const write = stream.write
  stream.write = function coalescedWrite(this: S, chunk: { length?: number }, encoding?: unknown, callback?: unknown): boolean {
    corker.before(chunk?.length ?? 0)
    return corker.after(write.call(this, chunk, encoding, callback))
  } as S['write']
  return stream
}

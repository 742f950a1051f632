// Packets written in the same tick leave together: the first write of a tick corks the stream and a
// microtask (Node sockets: process.nextTick) uncorks it, so the stream's _writev sees the whole batch
// (one syscall, one WebSocket frame).
// Browser-safe.

/** A stream that can hold writes back (Node and readable-stream Writables). */
export interface Corkable {
  cork(): void
  uncork(): void
}

/** Runs a callback later in the same turn of the event loop (queueMicrotask, or Node's process.nextTick). */
export type Defer = (fn: () => void) => void

/**
 * Returns a hook to call before every write: it corks on the first write of a tick and uncorks after it,
 * through `defer` (default queueMicrotask).
 */
export function tickCorker(stream: Corkable, defer: Defer = queueMicrotask): () => void {
  let corked = false
  const uncork = (): void => {
    corked = false
    stream.uncork()
  }
  return () => {
    if (corked) return
    corked = true
    stream.cork()
    defer(uncork)
  }
}

/**
 * Makes an existing stream (a net.Socket or TLSSocket, used as is) coalesce the writes of a tick,
 * by wrapping its own `write` method; returns the same stream.
 */
export function coalesceWrites<S extends Corkable & { write: (...args: any[]) => boolean }>(stream: S, defer?: Defer): S {
  const beforeWrite = tickCorker(stream, defer)
  const write = stream.write
  stream.write = function coalescedWrite(this: S, ...args: unknown[]): boolean {
    beforeWrite()
    return write.apply(this, args)
  } as S['write']
  return stream
}

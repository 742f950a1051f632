// Node only: connects a net/tls socket under the attempt's timeout and signal, and returns it as the
// Transport as is, with two small additions: writes of a tick coalesce, and its errors become TransportErrors.
import type { Socket } from 'node:net'
import { coalesceWrites } from './coalesce-writes.js'
import { attemptConnection } from './connect-attempt.js'
import { mapError } from './map-error.js'
import type { Transport, TransportOptions } from './types.js'

/** Starts `create()` and resolves with the socket once `readyEvent` fired. */
export function connectSocket(
  what: string,
  options: TransportOptions,
  readyEvent: 'connect' | 'secureConnect',
  create: () => Socket,
): Promise<Transport> {
  return attemptConnection<Transport>(what, options, (control) => {
    const socket = create()
    // Stays attached: a failure after a timeout or abort must not become an unhandled 'error'.
    const onError = (err: Error): void => control.reject(mapError(err, what, 'connect'))
    socket.on('error', onError)
    socket.once(readyEvent, () => {
      // Written here, first thing, rather than handed to the socket while it connects: the same moment on the
      // wire, without the pending-write bookkeeping on the connect path (before the connect syscall).
      if (options.greeting) socket.write(options.greeting)
      // Only ours: removeAllListeners('error') costs several µs of every connect.
      socket.removeListener('error', onError)
      control.resolve(adaptSocket(socket, what))
    })
    return () => { socket.destroy() }
  })
}

/** Adds write coalescing and typed errors to a connected socket; returns the same object. */
export function adaptSocket(socket: Socket, what: string): Transport {
  // We batch the writes of a tick ourselves, so Nagle would only add latency.
  socket.setNoDelay?.(true)
  // Uncork on process.nextTick, which runs once the microtask queue is empty: a chain of awaited writes
  // (each continuing in a microtask) then still shares one syscall. A corked socket holds at most one
  // high-water mark: past it the batch goes to the kernel at once (see coalesce-writes.ts).
  coalesceWrites(socket, process.nextTick)
  // Node reports failures of an open socket (reset, TLS alerts) as 'error' events, some without going
  // through destroy(): name them where every one passes.
  const emit = socket.emit
  socket.emit = function emitTransportError(this: Socket, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'error') args[0] = mapError(args[0], what, 'stream')
    return (emit as (...a: unknown[]) => boolean).call(this, event, ...args)
  } as Socket['emit']
  return socket as unknown as Transport
}

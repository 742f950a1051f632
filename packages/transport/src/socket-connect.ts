// Node only: connects a net/tls socket under the attempt's timeout and signal, and returns it as the
// Transport as is, with two small additions: writes of a tick coalesce, and errors become TransportErrors.
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
    socket.on('error', (err) => control.reject(mapError(err, what, 'connect')))
    socket.once(readyEvent, () => {
      socket.removeAllListeners('error')
      control.resolve(adaptSocket(socket, what))
    })
    return () => { socket.destroy() }
  })
}

/** Adds write coalescing and typed errors to a connected socket; returns the same object. */
export function adaptSocket(socket: Socket, what: string): Transport {
  // We batch the writes of a tick ourselves, so Nagle would only add latency.
  socket.setNoDelay?.(true)
  coalesceWrites(socket)
  // Node reports read/write failures by calling destroy(err) on the socket: name them there.
  const destroy = socket.destroy
  socket.destroy = function destroyWithTransportError(this: Socket, err?: Error, ...rest: unknown[]) {
    const mapped = err === undefined || err === null ? err : mapError(err, what, 'stream')
    return (destroy as (...a: unknown[]) => Socket).call(this, mapped, ...rest)
  } as Socket['destroy']
  return socket as unknown as Transport
}

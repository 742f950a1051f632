// Node only: `mqtt:` / `tcp:` over net.Socket.
import { connect } from 'node:net'
import { connectSocket } from './socket-connect.js'
import type { Transport, TransportOptions } from './types.js'
import { describe, hostOf, portOf } from './url.js'

/** Opens a TCP connection to the URL's host and port (default 1883). */
export function createTcpTransport(url: URL, options: TransportOptions): Promise<Transport> {
  return connectSocket(describe(url), options, 'connect', () => connect({ host: hostOf(url), port: portOf(url), noDelay: true }))
}

// Node only: `mqtt+unix:` / `unix:` over a unix domain socket; the URL's path is the socket file.
import { connect } from 'node:net'
import { TransportError } from './errors.js'
import { connectSocket } from './socket-connect.js'
import type { Transport, TransportOptions } from './types.js'

/** Opens a unix socket connection to the file the URL names, e.g. `unix:///run/mosquitto.sock`. */
export function createUnixTransport(url: URL, options: TransportOptions): Promise<Transport> {
  const path = decodeURIComponent(url.pathname)
  if (path === '' || path === '/') {
    return Promise.reject(new TransportError('INVALID_URL', `${url.protocol} URL names no socket file`))
  }
  return connectSocket(`${url.protocol}${path}`, options, 'connect', () => connect({ path }))
}

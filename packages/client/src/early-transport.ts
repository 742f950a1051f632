// connect() opens the first server's transport, with the CONNECT as its greeting, before it builds the client,
// and builds it while the server reads that CONNECT: the client's construction and setup overlap the server's
// work instead of preceding the handshake (in the benchmark, connect p50 went from ~1.35x to ~1.2x a raw
// socket's). Only where nothing may have to happen before the server hears from us: the default store (a
// user's store may hold a lock or a session to load first), the built-in transports, and no authenticator
// (its first step is async).
import { encode, type ConnectPacket, type ProtocolVersion } from '@isomqtt/codec'
import { openTransport } from '@isomqtt/transport'
import { TransportAbort } from './attempt-cancel.js'
import { buildConnectPacket, type ResolvedOptions } from './options.js'
import type { Transport } from './transport-types.js'

/** The built-in transports, the factory used when the options name none. */
export const defaultFactory = (url: URL, options: Parameters<typeof openTransport>[1]): Promise<Transport> =>
  openTransport(url, options) as unknown as Promise<Transport>

/** A transport already opening to the first server, with its CONNECT as the greeting. */
export class EarlyTransport {
  /** Aborts the handshake (the transport reads only what TransportAbort offers). */
  readonly abort = new TransportAbort()
  readonly transport: Promise<Transport>
  private taken = false

  constructor(readonly server: URL, readonly version: ProtocolVersion, readonly packet: ConnectPacket, readonly greeting: Uint8Array, options: ResolvedOptions) {
    const { tls, wsOptions } = options
    // The attempt's timer covers the handshake, as for a transport the attempt opens itself.
    this.transport = defaultFactory(server, { connectTimeoutMs: 0, signal: this.abort.signal, tls, wsOptions, protocolVersion: version, greeting })
  }

  /**
   * Resolves once the transport is up (its CONNECT written) or the event loop has turned once, whichever comes
   * first: on loopback the handshake completes within that turn, and a slower one is not waited for.
   * connect() awaits it first thing, which also handles a failure that comes before the attempt takes the
   * transport (no unhandled rejection).
   */
  upOrNextTurn(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => resolve()
      this.transport.then(done, done)
      nextTurn(done)
    })
  }

  /** Hand it to the attempt for `server` with `version`; undefined when it is for another one or taken. */
  take(server: URL, version: ProtocolVersion): this | undefined {
    if (this.taken || server !== this.server || version !== this.version) return undefined
    this.taken = true
    return this
  }

  /** Close it unless an attempt took it (the attempt was aborted first, or went elsewhere). */
  release(): void {
    if (this.taken) return
    this.taken = true
    this.abort.abort()
    this.transport.then((t) => { try { t.destroy() } catch { /* gone */ } }, () => {})
  }
}

/** Node's setImmediate runs after the loop's I/O phase; browsers (no setImmediate) get a task. */
const nextTurn: (fn: () => void) => unknown =
  (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate ?? ((fn) => setTimeout(fn, 0))

/** Start the first server's transport now, when the options allow it (see the top of this file). */
export function openEarly(options: ResolvedOptions): EarlyTransport | undefined {
  const server = options.servers[0]
  if (!server || options.store || options.transport || options.authenticator) return undefined
  const version = options.protocolVersion
  const packet = buildConnectPacket(options, version, server)
  let greeting: Uint8Array
  try {
    greeting = encode(packet, version)
  } catch {
    return undefined // the attempt builds it again and reports why
  }
  return new EarlyTransport(server, version, packet, greeting, options)
}

// Connection attempts in one place: try each server in order, open its transport, send CONNECT, await
// CONNACK, all within connectTimeoutMs. connect() and the reconnect loop both call it.
import { encode, type ConnackPacket, type ConnectPacket, type Packet, type ProtocolVersion } from '@isomqtt/codec'
import { TransportAbort, type AttemptCancel } from './attempt-cancel.js'
import { Connection, type ConnectionHandler } from './connection.js'
import type { EarlyTransport } from './early-transport.js'
import { connackError, errorText, MqttError } from './errors.js'
import type { Mqtt5Session } from './mqtt5-session.js'
import type { TimerSource } from './timers.js'
import type { Tracer } from './trace.js'
import type { TransportFactory } from './transport-types.js'
import type { ResolvedOptions } from './options.js'

/** An established MQTT connection, before the client takes it over. */
export interface Established {
  conn: Connection
  connack: ConnackPacket
  server: URL
  version: ProtocolVersion
  /** Packets that arrived right after CONNACK (hand them to the client's handler in order). */
  early: Packet[]
  /** Route the connection's events to the client from now on. */
  adopt(handler: ConnectionHandler): void
}

/** What one attempt needs. */
export interface AttemptContext {
  options: ResolvedOptions
  factory: TransportFactory
  timers: TimerSource
  trace: Tracer
  cancel: AttemptCancel
  /** The CONNECT packet for `server` (async when an authenticator computes its first step). */
  buildConnect(version: ProtocolVersion, server: URL): ConnectPacket | Promise<ConnectPacket>
  /** The servers of this attempt, in order [options.servers]; the reconnect loop starts from the sticky one. */
  servers?: readonly URL[]
  /** MQTT 5 hooks: the AUTH exchange, CONNACK reasons and Server Reference redirects. */
  mqtt5?: Mqtt5Session<unknown>
  /**
   * The factory is @isomqtt/transport's: it writes `TransportOptions.greeting` first thing, reads only what
   * TransportAbort offers of the signal, and needs no timer of its own. A custom factory may do none of that.
   */
  builtInTransport?: boolean
  /** A transport already opening to the first server with its CONNECT (early-transport.ts). */
  early?: EarlyTransport
}

/** Most Server Reference redirects followed in one connect. */
const MAX_REDIRECTS = 5

/** Try each server in order; resolves with the first accepted connection, else rejects with the last error. */
export async function attemptConnect(ctx: AttemptContext): Promise<Established> {
  const { options, trace } = ctx
  const servers = ctx.servers ?? options.servers
  if (servers.length === 0) throw new MqttError('INVALID_ARGUMENT', 'no server to connect to')
  // Created only when needed: an Error captures a stack, tens of µs of every connect otherwise.
  let lastError: Error | undefined
  // A Server Reference from the last connection (DISCONNECT 0x9c / 0x9d) is tried first.
  const redirect = ctx.mqtt5?.takeRedirect()
  let redirects = 0
  for (const listed of redirect ? [redirect, ...servers] : servers) {
    let version = options.protocolVersion
    let server = listed
    for (;;) {
      if (ctx.cancel.aborted) throw new MqttError('ABORTED', 'connect aborted')
      try {
        if (trace.verbose) trace.debug('net', `connecting to ${server.protocol}//${server.host} with MQTT ${version === 3 ? '3.1' : version === 4 ? '3.1.1' : '5.0'}`)
        return await attemptOne(ctx, server, version)
      } catch (err) {
        lastError = err instanceof Error ? err : new MqttError('UNKNOWN', String(err))
        if (trace.warns) trace.warn('net', `connect to ${server.host} failed`, lastError)
        // As in the Paho seed: with no explicit version, a broker refusing 3.1.1 is retried with 3.1.
        const code = (lastError as MqttError).code
        if (code === 'UNACCEPTABLE_PROTOCOL_VERSION' && version === 4 && !options.protocolVersionExplicit && options.clientId.length <= 23) {
          version = 3
          continue
        }
        if (code === 'ABORTED') throw lastError
        const next = ctx.mqtt5?.takeRedirect()
        if (next && redirects++ < MAX_REDIRECTS) {
          if (trace.warns) trace.warn('net', `following the server reference to ${next.host}`)
          server = next
          continue
        }
        break
      }
    }
  }
  throw lastError ?? new MqttError('CONNECTION_LOST', 'no server reachable')
}

function attemptOne(ctx: AttemptContext, server: URL, version: ProtocolVersion): Promise<Established> {
  const { options, timers, trace } = ctx
  return new Promise<Established>((resolve, reject) => {
    const started = ctx.early?.take(server, version)
    const abort = started?.abort ?? (ctx.builtInTransport ? new TransportAbort() : new AbortController())
    let conn: Connection | undefined
    let settled = false
    const early: Packet[] = []
    let connack: ConnackPacket | undefined
    const fail = (error: Error): void => {
      if (settled) return
      settled = true
      if (timer !== undefined) timers.clearTimeout(timer)
      ctx.cancel.onCancel(undefined)
      abort.abort()
      conn?.close(false, error)
      reject(error)
    }
    const onAbort = (): void => fail(new MqttError('ABORTED', 'connect aborted'))
    const limit = options.connectTimeoutMs
    const timer = limit === 0 ? undefined : timers.setTimeout(
      () => fail(new MqttError('TIMEOUT', `no CONNACK from ${server.host} within ${limit} ms`)),
      limit,
    )
    ctx.cancel.onCancel(onAbort)

    const handler: ConnectionHandler = {
      packet(p) {
        if (connack) { early.push(p); return }
        if (p.type === 'auth' && version === 5 && ctx.mqtt5) {
          ctx.mqtt5.authPacket(p, false).then((reply) => { if (!settled && reply) conn?.send(reply) }, fail)
          return
        }
        if (p.type !== 'connack') {
          fail(new MqttError('PROTOCOL_ERROR', `expected CONNACK, received ${p.type.toUpperCase()}`, { reasonCode: 0x82 }))
          return
        }
        if (p.reasonCode !== 0) {
          fail(version === 5 && ctx.mqtt5 ? ctx.mqtt5.connackError(p, server) : connackError(p.reasonCode))
          return
        }
        connack = p
        const accept = (): void => {
          if (settled) return
          settled = true
          if (timer !== undefined) timers.clearTimeout(timer)
          ctx.cancel.onCancel(undefined)
          resolve({ conn: conn!, connack: p, server, version, early, adopt: (h) => { current = h } })
        }
        // With enhanced authentication the server's final data is checked before the connection is used.
        const auth = version === 5 ? ctx.mqtt5?.auth : undefined
        if (auth) auth.connackReceived(p.properties).then(accept, fail)
        else accept()
      },
      closed(error) {
        // After CONNACK and before adoption the client sees `conn.open === false` when it adopts.
        fail(error ?? new MqttError('CONNECTION_LOST', `${server.host} closed the connection before CONNACK`))
      },
      writeExpired() {},
    }
    let current: ConnectionHandler = handler
    // After adoption every event goes to the client's handler; before it, packets wait in `early`.
    const relay: ConnectionHandler = {
      packet: (p) => current.packet(p),
      closed: (e) => current.closed(e),
      writeExpired: (ids, e) => current.writeExpired(ids, e),
    }

    // A CONNECT known before the transport opens is its greeting: the transport writes it the moment the
    // connection is up, and this side's setup overlaps the server's work instead of delaying the CONNECT.
    const packet = started ? started.packet : ctx.buildConnect(version, server)
    let greeting = started?.greeting
    if (!started && ctx.builtInTransport && !(packet instanceof Promise)) {
      try {
        greeting = encode(packet, version)
      } catch (err) {
        fail(err instanceof Error ? err : new MqttError('INVALID_ARGUMENT', String(err)))
        return
      }
    }
    const opening = started?.transport ?? ctx.factory(server, {
      // This attempt's timer covers the transport's handshakes too (and aborts them): the built-in
      // transports need no second one. A custom factory gets the limit, as its own guard.
      connectTimeoutMs: ctx.builtInTransport ? 0 : options.connectTimeoutMs,
      signal: abort.signal,
      tls: options.tls,
      wsOptions: options.wsOptions,
      protocolVersion: version,
      greeting,
    })
    opening.then(
      (transport) => {
        if (settled) { try { transport.destroy() } catch { /* gone */ } return }
        conn = new Connection(transport, relay, {
          version, timers, trace, writeTimeoutMs: options.writeTimeoutMs,
          maxPacketSize: version === 5 ? options.properties?.maximumPacketSize : options.maxIncomingPacketSize,
        })
        if (greeting) conn.sentGreeting(packet as ConnectPacket)
        else if (!(packet instanceof Promise)) conn.send(packet)
        else packet.then((p) => { if (!settled) conn?.send(p) }, fail)
      },
      (err: unknown) => fail(err instanceof MqttError ? err : new MqttError('TRANSPORT_ERROR', unreachable(server, errorText(err)), { cause: err })),
    )
  })
}

/** "cannot reach ...": the transport's own message names the server already (`mqtt://host:port: ...`), once. */
function unreachable(server: URL, text: string): string {
  return text.startsWith(`${server.protocol}//${server.host}`) ? `cannot reach ${text}` : `cannot reach ${server.host}: ${text}`
}

// Setting up one connection: the store opens, the connector tries the servers with a CONNECT built from
// the options (and refreshed credentials, and MQTT 5 authentication data), and the keepalive starts
// with the interval the server agreed to.
import type { ConnackPacket, ConnectPacket, ProtocolVersion } from '@isomqtt/codec'
import type { AttemptCancel } from './attempt-cancel.js'
import type { Connection } from './connection.js'
import { attemptConnect, type Established } from './connector.js'
import { defaultFactory, type EarlyTransport } from './early-transport.js'
import { MqttError } from './errors.js'
import { keepaliveFor, type Keepalive } from './keepalive.js'
import type { Mqtt5Session } from './mqtt5-session.js'
import type { ResolvedOptions } from './options.js'
import type { ReconnectLoop } from './reconnect.js'
import { connectPacketFor } from './reconnect-wiring.js'
import type { StoreLifecycle } from './store-lifecycle.js'
import type { Subscription } from './subscription.js'
import type { TimerSource } from './timers.js'
import type { Tracer } from './trace.js'

/** What a connection attempt needs from the runtime. */
export interface SetupParts {
  options: ResolvedOptions
  timers: TimerSource
  trace: Tracer
  /** The MQTT 5 state, once an MQTT 5 connect loaded it (before the attempt). */
  readonly v5: () => Mqtt5Session<Subscription> | undefined
  /** The reconnect loop if one was made (its server order and refreshed credentials). */
  reconnect: () => ReconnectLoop | undefined
  storeLife: StoreLifecycle
}

/** Connection attempts and keepalive of one client. */
export class ConnectionSetup {
  /** The transport connect() opened before the client was built (early-transport.ts); the first attempt takes it. */
  early: EarlyTransport | undefined

  constructor(private readonly parts: SetupParts) {}

  /** Open the store, then connect to the first of `servers` (default: the list in order) that accepts. */
  async attempt(cancel: AttemptCancel, servers: URL[] | undefined): Promise<Established> {
    const { options, timers, trace, v5, reconnect, storeLife } = this.parts
    await storeLife.open()
    // Awaited, not returned: returning a promise from an async function costs two more microtask turns.
    return await attemptConnect({
      options,
      factory: options.transport ?? defaultFactory,
      timers,
      trace,
      cancel,
      servers: servers ?? reconnect()?.servers.order(),
      buildConnect: (v, server) => this.buildConnect(v, server),
      mqtt5: v5(),
      builtInTransport: options.transport === undefined,
      early: this.early,
    })
  }

  /** After the first attempt, however it ended: close the early transport unless that attempt took it. */
  dropEarly(): void {
    this.early?.release()
    this.early = undefined
  }

  /** The CONNECT packet; the password lives only here and in the options, never in traces. */
  buildConnect(version: ProtocolVersion, server: URL): ConnectPacket | Promise<ConnectPacket> {
    const { options, reconnect } = this.parts
    const packet = connectPacketFor(options, reconnect(), version, server)
    const v5 = version === 5 ? this.parts.v5() : undefined
    if (!v5?.auth) return packet
    return v5.connectProperties(packet.properties).then((properties) => ({ ...packet, properties }))
  }

  /** MQTT 5 CONNACK: the limits of this connection and the assigned client id (kept for the session); returns the in-flight cap. */
  established5(connack: ConnackPacket): number {
    const { options } = this.parts
    const v5 = this.parts.v5()!
    const cap = v5.established(connack, options.properties, options.maxInflight, options.outboundTopicAliases ?? true)
    const assigned = v5.limits.assignedClientIdentifier
    if (assigned !== undefined) options.clientId = assigned
    return cap
  }

  /** The keepalive in use: the server's (MQTT 5 Server Keep Alive) or ours, seconds. */
  get keepaliveSeconds(): number {
    return this.parts.v5()?.limits.serverKeepAlive ?? this.parts.options.keepalive
  }

  /** Start pinging on `conn`; `lost` runs when no PINGRESP comes back. Undefined when keepalive is 0. */
  startKeepalive(conn: Connection | undefined, lost: (error: MqttError) => void): Keepalive | undefined {
    const seconds = this.keepaliveSeconds
    if (!conn || seconds === 0) return undefined
    const { options, timers, trace } = this.parts
    return keepaliveFor(conn, seconds * 1000, options.pingTimeoutMs, timers, trace, () =>
      lost(new MqttError('TIMEOUT', 'no PINGRESP from the server: connection lost')))
  }
}

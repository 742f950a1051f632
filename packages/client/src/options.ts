// Client options, their defaults, and the checks made when they are given.
import type { ConnectPacket, ConnectProperties, ProtocolVersion, QoS, WillProperties } from '@isomqtt/codec'
import type { Store } from '@isomqtt/store'
import { validateTopicName } from '@isomqtt/codec'
import { transportKind } from '@isomqtt/transport'
import { durationMs } from './durations.js'
import { MqttError } from './errors.js'
import type { Message } from './message.js'
import type { Authenticator } from './auth.js'
import type { DispatchBacklogOptions, ResolvedDispatchBacklog } from './dispatcher.js'
import { resolveOfflineQueueOptions, type OfflineQueueOptions, type ResolvedOfflineQueueOptions } from './offline-queue.js'
import { resolveReconnectOptions, type ReconnectOptions, type ResolvedReconnectOptions } from './reconnect.js'
import type { TimerSource } from './timers.js'
import type { TraceOptions } from './trace.js'
import type { TransportFactory, TlsOptions, WebSocketOptions } from './transport-types.js'

/** The Will Message: published by the server when the connection ends without DISCONNECT. */
export interface WillOptions {
  topic: string
  /** Text (sent as UTF-8) or bytes. */
  payload: string | Uint8Array
  qos?: QoS
  retain?: boolean
  /** MQTT 5 will properties. */
  properties?: WillProperties
}

/** Options of `createClient` / `connect`. Defaults in brackets. */
export interface ClientOptions {
  /** Brokers tried in order (primary first, then standbys), e.g. `mqtt://host:1883`. */
  servers?: Array<string | URL>
  /** 3 = MQTT 3.1, 4 = MQTT 3.1.1, 5 = MQTT 5.0 [4]. */
  protocolVersion?: ProtocolVersion
  /** [generated] MQTT 3.1 allows 1..23 characters. */
  clientId?: string
  /** Clean session [true]: false resumes the session kept by the broker and by the store. */
  clean?: boolean
  /** [the server URL's user name, as in `mqtt://user:pass@host`] */
  username?: string
  /** A secret: never traced, never put in an error message [the server URL's password]. */
  password?: string | Uint8Array
  will?: WillOptions
  /** Seconds between control packets; 0 turns keepalive off [60]. */
  keepalive?: number
  /** Time for one connection attempt: transport plus CONNACK, in ms; 0 waits without limit [30 000]. */
  connectTimeoutMs?: number
  /** TLS options for `mqtts:` servers (and `wss:` in Node). */
  tls?: TlsOptions
  /** WebSocket options for `ws:` / `wss:` servers: handshake headers, a URL signer, an http(s).Agent (Node). */
  wsOptions?: WebSocketOptions
  /** A custom transport factory (a socket, a WebSocket, an in-memory pair). */
  transport?: TransportFactory
  /** Where in-flight QoS 1/2 packets are kept [MemoryStore]. */
  store?: Store
  /** Handlers run one at a time in arrival order, async ones awaited [true]. */
  orderMatters?: boolean
  /** Ordered dispatch: how many messages may wait for busy handlers before new QoS 0 ones are dropped. */
  dispatchBacklog?: DispatchBacklogOptions
  /** A publish not handed to the transport within this time rejects with TIMEOUT [none]. */
  writeTimeoutMs?: number
  /** Most QoS 1/2 publishes awaiting their acknowledgement; more wait for a slot [1000]. */
  maxInflight?: number
  /**
   * How long after a connection resumed a session (`clean: false`) messages that no subscription, `onMessage`
   * or 'message' listener claims wait for a `subscribe()` that matches them, unacknowledged, ms [10 000]: the
   * server sends the session's queued messages before the application has subscribed again. Then they are
   * acknowledged and dropped (counted in `droppedMessages`, with a warn trace). 0: at once.
   */
  unclaimedHoldMs?: number
  /** Most publishes accepted but not yet written; beyond it publish rejects with QUEUE_FULL [100 000]. */
  maxQueued?: number
  /**
   * Largest packet accepted from the server, bytes [the protocol's 256 MB]; nothing larger is buffered. MQTT 3.1.x:
   * a larger message is read past, acknowledged and dropped (counted in `droppedMessages`), any other larger
   * packet ends the connection (PACKET_TOO_LARGE). MQTT 5: sent as the Maximum Packet Size property (unless
   * `properties.maximumPacketSize` names one), so the server holds back what exceeds it.
   */
  maxIncomingPacketSize?: number
  /** Longest wait for PINGRESP (or any packet) after PINGREQ before the connection is lost, ms [min(0.4 x keepalive, 10 s)]. */
  pingTimeoutMs?: number
  /** Tracing: level and sink. */
  trace?: TraceOptions
  /** The default handler: messages that no subscription claims. */
  onMessage?: (message: Message) => unknown
  /** Reconnect after a lost connection, with backoff [on]; `false` turns it off. See README "Reconnect". */
  reconnect?: ReconnectOptions | boolean
  /** Publishes made while no connection is up: limits and policies. See README "Offline queue". */
  offlineQueue?: OfflineQueueOptions
  /** Called when an established connection is lost (not after disconnect() or destroy()). */
  onConnectionLost?: (error: Error) => void
  /**
   * MQTT 5 CONNECT properties: sessionExpiryInterval, receiveMaximum and maximumPacketSize (enforced
   * inbound), topicAliasMaximum (inbound aliases), requestResponseInformation, userProperties.
   */
  properties?: ConnectProperties
  /** MQTT 5 enhanced authentication: the method and its async step function (see examples/auth-scram). */
  authenticator?: Authenticator
  /** MQTT 5: follow a Server Reference given with Use Another Server / Server Moved (0x9c / 0x9d) [false]. */
  followServerReference?: boolean
  /** MQTT 5: assign topic aliases to outbound publishes within the server's Topic Alias Maximum [true]. */
  outboundTopicAliases?: boolean
  /** The timer source (keepalive, timeouts, reconnect delay) [platform timers; in Node unref'ed, but the reconnect delay's]. */
  timers?: TimerSource
}

/** Options with defaults applied. */
export interface ResolvedOptions extends ClientOptions {
  servers: URL[]
  protocolVersion: ProtocolVersion
  protocolVersionExplicit: boolean
  clientId: string
  clean: boolean
  keepalive: number
  connectTimeoutMs: number
  orderMatters: boolean
  dispatchBacklog: ResolvedDispatchBacklog
  unclaimedHoldMs: number
  maxInflight: number
  maxQueued: number
  /** Undefined when reconnecting is off (optional, not `| undefined`, so it extends ClientOptions under exactOptionalPropertyTypes). */
  reconnect?: ResolvedReconnectOptions
  offlineQueue: ResolvedOfflineQueueOptions
}

const encoder = new TextEncoder()

/** UTF-8 bytes of a string, or the bytes themselves; INVALID_ARGUMENT naming `what` for anything else. */
export function toBytes(value: string | Uint8Array, what: string): Uint8Array {
  if (typeof value === 'string') return encoder.encode(value)
  if (value instanceof Uint8Array) return value
  // The kind only, never the value: `what` may be the password.
  throw invalid(`${what} must be a string or a Uint8Array, not ${kindOf(value)}`)
}

/** What a value is, for an error message, without the value itself: `number`, `null`, `ArrayBuffer`... */
export function kindOf(value: unknown): string {
  if (value === null || typeof value !== 'object') return value === null ? 'null' : typeof value
  const name = Array.isArray(value) ? 'an array' : (value as object).constructor?.name
  return name === undefined || name === 'Object' ? 'an object' : name
}

/** A random client id that MQTT 3.1 can carry (at most 23 characters) [MQTT-3.1.3-5]. */
export function generateClientId(): string {
  const bytes = new Uint8Array(8)
  globalThis.crypto.getRandomValues(bytes)
  let hex = ''
  for (const b of bytes) hex += b.toString(16).padStart(2, '0')
  return `isomqtt-${hex}`.slice(0, 23)
}

function invalid(message: string): MqttError {
  return new MqttError('INVALID_ARGUMENT', message)
}

/**
 * Checks the options and fills in defaults; throws INVALID_ARGUMENT for what can never work. `servers`
 * replaces `options.servers` (connect() prepends its URL without copying the options for it).
 */
export function resolveOptions(options: ClientOptions, servers = options.servers): ResolvedOptions {
  const protocolVersion = options.protocolVersion ?? 4
  if (protocolVersion !== 3 && protocolVersion !== 4 && protocolVersion !== 5) {
    throw invalid(`protocolVersion must be 3, 4 or 5, not ${String(protocolVersion)}`)
  }
  const clean = options.clean ?? true
  let clientId = options.clientId ?? ''
  if (clientId === '') {
    // MQTT 3.1 needs 1..23 characters; 3.1.1 only lets the server assign one with a clean session.
    if (protocolVersion === 3 && options.clientId !== undefined) throw invalid('MQTT 3.1 cannot carry an empty client id')
    if (!clean && options.clientId !== undefined && protocolVersion === 4) {
      throw invalid('an empty client id needs clean: true [MQTT-3.1.3-7]')
    }
    // MQTT 5 lets the server assign one (Assigned Client Identifier) when '' is asked for explicitly.
    if (!(protocolVersion === 5 && options.clientId === '')) clientId = generateClientId()
  }
  if (protocolVersion === 3 && clientId.length > 23) {
    throw invalid(`MQTT 3.1 cannot carry a client id longer than 23 characters (got ${clientId.length})`)
  }
  const keepalive = options.keepalive ?? 60
  if (!Number.isInteger(keepalive) || keepalive < 0 || keepalive > 65535) throw invalid('keepalive must be 0..65535 seconds')
  if (options.password !== undefined && options.username === undefined && protocolVersion !== 5) {
    throw invalid('a password needs a username in MQTT 3.1 / 3.1.1 [MQTT-3.1.2-22]')
  }
  if (options.password !== undefined) toBytes(options.password, 'password')
  if (options.will) {
    toBytes(options.will.payload, 'will payload')
    validateTopicName(options.will.topic) // [MQTT-3.1.3-10] the will topic is a topic name
    const q = options.will.qos ?? 0
    if (q !== 0 && q !== 1 && q !== 2) throw new MqttError('INVALID_QOS', `will qos must be 0, 1 or 2, not ${String(q)}`)
  }
  const given = servers ?? []
  const urls = new Array<URL>(given.length)
  for (let i = 0; i < given.length; i++) urls[i] = serverUrl(given[i]!, options.transport === undefined)
  // One object literal naming every option: the resolved options get one fixed shape, built in one step (part
  // of every connect's latency, where copying the caller's object and adding the resolved properties to it
  // cost several µs). `satisfies` keeps the list complete when an option is added.
  const o = {
    servers: urls,
    protocolVersion,
    protocolVersionExplicit: options.protocolVersion !== undefined,
    clientId,
    clean,
    username: options.username,
    password: options.password,
    will: options.will,
    keepalive,
    connectTimeoutMs: durationMs(options.connectTimeoutMs, 30_000, 'connectTimeoutMs'),
    tls: options.tls,
    wsOptions: options.wsOptions,
    transport: options.transport,
    store: options.store,
    orderMatters: options.orderMatters ?? true,
    dispatchBacklog: {
      maxMessages: positive(options.dispatchBacklog?.maxMessages, 100_000, 'dispatchBacklog.maxMessages'),
      maxBytes: positive(options.dispatchBacklog?.maxBytes, 64 * 1024 * 1024, 'dispatchBacklog.maxBytes'),
    },
    unclaimedHoldMs: durationMs(options.unclaimedHoldMs, 10_000, 'unclaimedHoldMs'),
    writeTimeoutMs: durationMs(options.writeTimeoutMs, 0, 'writeTimeoutMs') || undefined,
    maxInflight: Math.min(positive(options.maxInflight, 1000, 'maxInflight'), 65535),
    maxQueued: positive(options.maxQueued, 100_000, 'maxQueued'),
    maxIncomingPacketSize: options.maxIncomingPacketSize === undefined ? undefined : positive(options.maxIncomingPacketSize, 0, 'maxIncomingPacketSize'),
    // A ping timeout of 0 would lose every connection at its first PINGREQ.
    pingTimeoutMs: options.pingTimeoutMs === undefined ? undefined : durationMs(options.pingTimeoutMs, 0, 'pingTimeoutMs', 1),
    trace: options.trace,
    onMessage: options.onMessage,
    // The defaults are shared: nothing changes a client's resolved options after this.
    reconnect: options.reconnect === undefined ? DEFAULT_RECONNECT : resolveReconnectOptions(options.reconnect),
    offlineQueue: options.offlineQueue === undefined ? DEFAULT_OFFLINE_QUEUE : resolveOfflineQueueOptions(options.offlineQueue),
    onConnectionLost: options.onConnectionLost,
    properties: options.maxIncomingPacketSize === undefined || options.properties?.maximumPacketSize !== undefined
      ? options.properties
      : { ...options.properties, maximumPacketSize: options.maxIncomingPacketSize },
    authenticator: options.authenticator,
    followServerReference: options.followServerReference,
    outboundTopicAliases: options.outboundTopicAliases,
    timers: options.timers,
  } satisfies { [K in keyof Required<ResolvedOptions>]: ResolvedOptions[K] }
  // Readable as ever, but left out when the options are logged or serialized (console.log, JSON.stringify).
  if (o.password !== undefined) Object.defineProperty(o, 'password', { enumerable: false })
  return o
}

const DEFAULT_RECONNECT = /* @__PURE__ */ resolveReconnectOptions(undefined)
const DEFAULT_OFFLINE_QUEUE = /* @__PURE__ */ resolveOfflineQueueOptions(undefined)

/**
 * Credentials taken out of server URLs (`mqtt://user:pass@host`), by the URL the client keeps instead: the
 * URLs in the options, in `client.server` and in events carry none, so logging them shows no password.
 */
const urlCredentials = new WeakMap<URL, { username: string; password: string }>()

function serverUrl(s: string | URL, ownTransports: boolean): URL {
  let url: URL
  try {
    url = typeof s === 'string' ? new URL(s) : s
  } catch (cause) {
    // Not echoed when it may hold user info (a password).
    const shown = String(s).includes('@') ? '(not shown: it has user info)' : String(s)
    throw new MqttError('INVALID_ARGUMENT', `not a server URL: ${shown}${schemeHint(String(s))}`, { cause })
  }
  // A custom transport factory may take any scheme; ours take only theirs. `localhost:1883` parses as scheme
  // `localhost:`, so the mistake is named here instead of as an unreachable server at connect.
  if (ownTransports && transportKind(url) === undefined) {
    throw invalid(`unsupported URL scheme '${url.protocol.slice(0, -1)}': use mqtt, mqtts, ws or wss (or tcp, ssl, tls, unix)${url.protocol.startsWith('http') ? ' (a WebSocket listener: ws:// or wss://)' : schemeHint(String(s))}`)
  }
  if (url.username === '' && url.password === '') return url
  const credentials = { username: url.username, password: url.password }
  // A URL object of the caller's is copied, not changed.
  if (typeof s !== 'string') url = new URL(url.href)
  url.username = ''
  url.password = ''
  urlCredentials.set(url, credentials)
  return url
}

/** " (did you mean mqtt://host:1883?)" for a host or host:port given without a scheme; '' otherwise. */
function schemeHint(s: string): string {
  const m = /^\s*([\w.-]+|\[[\w:.]+\])(:\d+)?\s*$/.exec(s)
  return m ? ` (did you mean mqtt://${m[1]}${m[2] ?? ''}?)` : ''
}

function positive(v: number | undefined, def: number, name: string): number {
  if (v === undefined) return def
  if (!Number.isInteger(v) || v < 1) throw invalid(`${name} must be a positive integer`)
  return v
}

/**
 * The CONNECT packet for these options sent to `server` (the password goes only here, never into traces or
 * errors). Credentials the options do not give come from the server's URL (`mqtt://user:pass@host`), as
 * MQTT.js and mosquitto_pub -L take them.
 */
export function buildConnectPacket(o: ResolvedOptions, version: ProtocolVersion, server: URL | undefined): ConnectPacket {
  const will = o.will
  let username = o.username
  let password = o.password
  // A URL from beforeAttempt may still carry its credentials.
  const inUrl = server === undefined ? undefined : urlCredentials.get(server) ?? (server.username !== '' || server.password !== '' ? server : undefined)
  if (inUrl !== undefined) {
    password ??= inUrl.password === '' ? undefined : fromUrl(inUrl.password)
    // A password needs a user name in MQTT 3.1 / 3.1.1 [MQTT-3.1.2-22]: `mqtt://:pass@host` sends an empty one.
    username ??= inUrl.username === '' && password === undefined ? undefined : fromUrl(inUrl.username)
  }
  return {
    type: 'connect',
    clientId: o.clientId,
    clean: o.clean,
    keepalive: o.keepalive,
    username,
    password: password === undefined ? undefined : toBytes(password, 'password'),
    will: will && { topic: will.topic, payload: toBytes(will.payload, 'will payload'), qos: will.qos ?? 0, retain: will.retain ?? false, properties: will.properties },
    properties: version === 5 ? o.properties : undefined,
  }
}

/** A URL's user name or password as written before percent-encoding (as is when it is not valid encoding). */
function fromUrl(part: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    return part
  }
}

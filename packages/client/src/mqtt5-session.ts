// The MQTT 5 side of the runtime, kept out of runtime.ts: what lasts across connections (authentication,
// subscription identifiers, a redirect to follow, the assigned client id) and the per-connection link.
// The runtime calls these hooks only when the connection speaks MQTT 5.
import type {
  AuthPacket, ConnackPacket, ConnectProperties, DisconnectPacket, DisconnectProperties, PublishPacket, QoS,
} from '@isomqtt/codec'
import { AuthDriver, type Authenticator } from './auth.js'
import { MqttError, notConnected } from './errors.js'
import { sendLimit } from './flow-control.js'
import { isUtf8, Mqtt5Link } from './mqtt5-link.js'
import { connackReasonError, reasonError } from './reason.js'
import { UNLIMITED, type ServerLimits } from './server-limits.js'
import { SubscriptionIds } from './subscription-ids.js'
import type { Tracer } from './trace.js'

/** What a server DISCONNECT becomes: the error plus what it said. */
export interface ServerDisconnectError extends MqttError {
  reasonString?: string
  serverReference?: string
  properties?: DisconnectProperties
}

/** Where a Server Reference points: a URL as given, or `host[:port]` on the current scheme. */
export function referenceUrl(reference: string, current: URL): URL | undefined {
  // Several references may be listed separated by spaces; the first is tried.
  const first = reference.trim().split(/\s+/)[0]
  if (!first) return undefined
  try {
    return first.includes('://') ? new URL(first) : new URL(`${current.protocol}//${first}`)
  } catch {
    return undefined
  }
}

/** MQTT 5 state of one client. */
export class Mqtt5Session<S> {
  readonly auth: AuthDriver | undefined
  readonly subIds = new SubscriptionIds<S>()
  link: Mqtt5Link | undefined
  /** A server the next connection attempt should go to (Server Reference, when following is on). */
  redirect: URL | undefined

  constructor(authenticator: Authenticator | undefined, private readonly follow: boolean) {
    this.auth = authenticator && new AuthDriver(authenticator)
  }

  /** The current connection's limits (the defaults when none is up). */
  get limits(): ServerLimits {
    return this.link?.limits ?? UNLIMITED
  }

  /** The CONNECT properties: the user's, plus the authentication method and its first data. */
  async connectProperties(user: ConnectProperties | undefined): Promise<ConnectProperties | undefined> {
    if (!this.auth) return user
    const auth = await this.auth.connectProperties()
    // The authenticator's user properties follow the user's own; both keep their order.
    const userProperties = auth.userProperties && user?.userProperties ? [...user.userProperties, ...auth.userProperties] : auth.userProperties ?? user?.userProperties
    return { ...user, ...auth, userProperties }
  }

  /** A CONNACK 0x00 arrived: the connection's link; returns the in-flight cap to use. */
  established(connack: ConnackPacket, ours: ConnectProperties | undefined, userMaxInflight: number, aliases = true): number {
    this.link = new Mqtt5Link(connack.properties, ours, aliases)
    this.redirect = undefined
    return sendLimit(userMaxInflight, this.link.limits.receiveMaximum)
  }

  /** The connection ended: its aliases and quota go with it; a pending re-authentication fails. */
  ended(error: Error): void {
    this.link = undefined
    this.auth?.aborted(error, (error as MqttError).reasonCode)
  }

  /** The redirect to try next, once. */
  takeRedirect(): URL | undefined {
    const r = this.redirect
    this.redirect = undefined
    return r
  }

  /** The error for a refused MQTT 5 CONNACK, with its Server Reference (noted when following is on). */
  connackError(p: ConnackPacket, server: URL): MqttError & { serverReference?: string } {
    const props = p.properties
    const err = connackReasonError(p.reasonCode, props?.reasonString) as MqttError & { serverReference?: string }
    if (props?.serverReference !== undefined) err.serverReference = props.serverReference
    this.noteReference(p.reasonCode, props?.serverReference, server)
    return err
  }

  /** Records where to go next when the server refers us elsewhere and the user follows references. */
  noteReference(reasonCode: number, reference: string | undefined, current: URL | undefined): void {
    if (!this.follow || !reference || !current || (reasonCode !== 0x9c && reasonCode !== 0x9d)) return
    this.redirect = referenceUrl(reference, current)
  }

  /** The error a server DISCONNECT becomes (code SERVER_DISCONNECT, its reason code, string and properties). */
  serverDisconnect(p: DisconnectPacket, current: URL | undefined): ServerDisconnectError {
    const code = p.reasonCode ?? 0
    const props = p.properties
    const err = reasonError('the server sent DISCONNECT', code, { code: 'SERVER_DISCONNECT', reasonString: props?.reasonString }) as ServerDisconnectError
    if (props?.reasonString !== undefined) err.reasonString = props.reasonString
    if (props?.serverReference !== undefined) err.serverReference = props.serverReference
    if (props) err.properties = props
    this.noteReference(code, props?.serverReference, current)
    return err
  }

  /**
   * Checks a received PUBLISH: resolves its topic alias and counts it against our Receive Maximum (both
   * throw protocol errors that close the connection). A payload flagged as UTF-8 that is not is refused
   * with PUBACK / PUBREC 0x99 and not delivered (MQTT 5 §3.3.2.3.2): returns false then.
   */
  accept(p: PublishPacket, ack: (qos: QoS, id: number, reasonCode: number) => void, trace: Tracer): boolean {
    const link = this.link
    if (!link) return true
    link.inbound(p)
    if (p.qos > 0) link.quota.received(p.packetId!)
    if (!p.properties?.payloadFormatIndicator || isUtf8(p.payload)) return true
    if (trace.warns) trace.warn('message', `refused a publish on ${p.topic}: payload is not UTF-8 as flagged`)
    if (p.qos > 0) {
      ack(p.qos, p.packetId!, 0x99)
      this.released(p.packetId!)
    }
    return false
  }

  /** Start a re-authentication on the live connection (`send` undefined: none); settles when the server answers. */
  reauthenticate(send: ((p: AuthPacket) => void) | undefined, fail: (e: MqttError) => void): Promise<void> {
    const auth = this.auth
    if (!auth) return Promise.reject(new MqttError('INVALID_ARGUMENT', 'reauthenticate() needs MQTT 5 and an authenticator'))
    if (!send) return Promise.reject(notConnected())
    if (auth.reauthenticating) return Promise.reject(new MqttError('INVALID_ARGUMENT', 'a re-authentication is already in progress'))
    const done = auth.waitReauth()
    auth.startReauth().then(send, (err: MqttError) => { auth.aborted(err); fail(err) })
    return done
  }

  /** The acknowledgement ending an inbound exchange was sent (PUBACK, PUBCOMP, or a refusing PUBREC). */
  released(packetId: number): void {
    this.link?.quota.released(packetId)
  }

  /** An AUTH from the server; resolves with the AUTH to answer with, if any. */
  authPacket(p: AuthPacket, connected: boolean): Promise<AuthPacket | undefined> {
    if (!this.auth) return Promise.reject(reasonError('AUTH without an authentication method', 0x82, { code: 'PROTOCOL_ERROR' }))
    return this.auth.received(p, connected)
  }
}

// MQTT 5 enhanced authentication (§4.12): the user's Authenticator computes each step; this driver turns
// the steps into CONNECT properties and AUTH packets, at connect time and for re-authentication (started
// by us with reauthenticate(), or answered when the server sends AUTH 0x19). Authentication data is a
// secret: it never reaches traces or error messages.
import type { AuthPacket, AuthProperties, UserProperty } from '@isomqtt/codec'
import { MqttError } from './errors.js'
import { reasonError } from './reason.js'

/** One step of an authentication exchange, handed to `Authenticator.step`. */
export interface AuthStep {
  /**
   * 'start': the first step (its result goes into CONNECT, or into AUTH 0x19 when re-authenticating);
   * 'continue': the server sent AUTH 0x18 with `data`, return the answer;
   * 'done': the server accepted (CONNACK 0x00, or AUTH 0x00 after re-authentication) with its final `data`:
   * verify it and throw to refuse the server.
   */
  phase: 'start' | 'continue' | 'done'
  /** Authentication Data from the server (continue, done). */
  data: Uint8Array | undefined
  /** True during a re-authentication on an established connection. */
  reauthenticate: boolean
  /** The server's AUTH / CONNACK properties of this step (reason string, user properties), if any. */
  properties?: AuthProperties
}

/** What a step sends: the Authentication Data alone, or with user properties for the packet carrying it. */
export type AuthStepResult = Uint8Array | undefined | { data?: Uint8Array; userProperties?: UserProperty[] }

/** An enhanced authentication method: its name and an async step function. */
export interface Authenticator {
  /** The Authentication Method, e.g. 'SCRAM-SHA-256'. */
  method: string
  /**
   * Computes what to send for one step (undefined: no data). `{ data, userProperties }` also puts user
   * properties on the AUTH packet (or, for the first step at connect, on CONNECT). Throwing ends the exchange.
   */
  step(step: AuthStep): Promise<AuthStepResult> | AuthStepResult
}

/** A step's result as packet properties. */
type StepOutput = Pick<AuthProperties, 'authenticationData' | 'userProperties'>

function stepOutput(r: AuthStepResult): StepOutput {
  if (r === undefined || r instanceof Uint8Array) return { authenticationData: r }
  const out: StepOutput = { authenticationData: r.data }
  if (r.userProperties && r.userProperties.length > 0) out.userProperties = r.userProperties
  return out
}

function authFailed(message: string, cause?: unknown): MqttError {
  // The cause is the authenticator's own error: kept for the program, its data never formatted here.
  return new MqttError('AUTH_FAILED', message, { cause, reasonCode: 0x87 })
}

/** Drives one client's authentication exchanges. */
export class AuthDriver {
  private reauth: { resolve: () => void; reject: (e: Error) => void } | undefined

  constructor(readonly authenticator: Authenticator) {}

  /** True while a re-authentication waits for the server. */
  get reauthenticating(): boolean {
    return this.reauth !== undefined
  }

  private async run(step: AuthStep): Promise<StepOutput> {
    try {
      return stepOutput(await this.authenticator.step(step))
    } catch (cause) {
      throw authFailed(`authenticator ${this.authenticator.method} failed in step '${step.phase}'`, cause)
    }
  }

  /** The CONNECT properties that start the exchange. */
  async connectProperties(): Promise<Pick<AuthProperties, 'authenticationMethod' | 'authenticationData' | 'userProperties'>> {
    const out = await this.run({ phase: 'start', data: undefined, reauthenticate: false })
    return { authenticationMethod: this.authenticator.method, ...out }
  }

  /** Throws PROTOCOL_ERROR unless the server kept our method [MQTT-4.12.0-5]. */
  private checkMethod(method: string | undefined): void {
    if (method !== this.authenticator.method) {
      throw new MqttError('PROTOCOL_ERROR', `the server switched the authentication method to ${String(method)}`, { reasonCode: 0x82 })
    }
  }

  /** A CONNACK 0x00 ended the connect exchange: let the authenticator check the server's final data. */
  async connackReceived(properties: AuthProperties | undefined): Promise<void> {
    if (properties?.authenticationMethod !== undefined) this.checkMethod(properties.authenticationMethod)
    await this.run({ phase: 'done', data: properties?.authenticationData, reauthenticate: false, properties })
  }

  /**
   * An AUTH from the server; resolves with the AUTH to answer with, if any. Before CONNACK only 0x18 is
   * valid; afterwards 0x18 continues our re-authentication, 0x00 ends it, 0x19 asks us to start one.
   */
  async received(packet: AuthPacket, connected: boolean): Promise<AuthPacket | undefined> {
    const code = packet.reasonCode ?? 0
    const props = packet.properties
    try {
      if (code === 0x18) {
        this.checkMethod(props?.authenticationMethod)
        if (connected && !this.reauth) throw new MqttError('PROTOCOL_ERROR', 'AUTH 0x18 without a re-authentication in progress', { reasonCode: 0x82 })
        const out = await this.run({ phase: 'continue', data: props?.authenticationData, reauthenticate: connected, properties: props })
        return { type: 'auth', reasonCode: 0x18, properties: { authenticationMethod: this.authenticator.method, ...out } }
      }
      if (code === 0x00 && connected && this.reauth) {
        this.checkMethod(props?.authenticationMethod)
        await this.run({ phase: 'done', data: props?.authenticationData, reauthenticate: true, properties: props })
        this.settle()
        return undefined
      }
      if (code === 0x19 && connected) {
        // Not in the spec's direction (only clients send 0x19), but a server asking is answered.
        if (this.reauth) return undefined
        // Nobody awaits a re-authentication the server asked for: a failure closes the connection anyway.
        this.waitReauth().catch(() => {})
        return await this.startReauth()
      }
      throw new MqttError('PROTOCOL_ERROR', `unexpected AUTH 0x${code.toString(16)}${connected ? '' : ' before CONNACK'}`, { reasonCode: 0x82 })
    } catch (err) {
      this.settle(err as Error)
      throw err
    }
  }

  /** Start a re-authentication: resolves with the AUTH 0x19 to send; `done` settles when the server accepts. */
  async startReauth(): Promise<AuthPacket> {
    const out = await this.run({ phase: 'start', data: undefined, reauthenticate: true })
    return { type: 'auth', reasonCode: 0x19, properties: { authenticationMethod: this.authenticator.method, ...out } }
  }

  /** A promise for the re-authentication about to be started by the caller. */
  waitReauth(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.reauth = { resolve, reject }
    })
  }

  /** The connection ended (or the server refused with DISCONNECT): a pending re-authentication fails. */
  aborted(error: Error, reasonCode?: number): void {
    if (!this.reauth) return
    this.settle(reasonCode !== undefined && reasonCode >= 0x80 ? reasonError('re-authentication failed', reasonCode, { code: 'AUTH_FAILED' }) : error)
  }

  private settle(error?: Error): void {
    const r = this.reauth
    this.reauth = undefined
    if (!r) return
    if (error) r.reject(error)
    else r.resolve()
  }
}

// MQTT 5 control traffic on the live connection, kept out of runtime.ts: closing with a reason code,
// re-authentication, the server's AUTH, and what a server DISCONNECT becomes (its Server Reference noted
// for the next attempt). Mqtt5Session holds the state; this module ties it to the connection and lifecycle.
import type { AuthPacket, DisconnectPacket, ProtocolVersion } from '@isomqtt/codec'
import type { Connection } from './connection.js'
import { MqttError } from './errors.js'
import type { Mqtt5Session } from './mqtt5-session.js'
import type { ConnectionState, LifecycleEvent } from './state-machine.js'
import type { Subscription } from './subscription.js'

/** What the MQTT 5 control needs from the runtime. */
export interface Mqtt5ControlHost {
  readonly state: ConnectionState
  readonly version: ProtocolVersion
  readonly connection: Connection | undefined
  /** The server of the current (or last) connection. */
  readonly server: URL | undefined
  /** Send DISCONNECT on the live connection and let the close flush it. */
  sendDisconnect(packet: DisconnectPacket): void
  /** Feed the lifecycle state machine. */
  run(event: LifecycleEvent): void
}

/** MQTT 5 AUTH, re-authentication and reason-coded closes of one client. */
export class Mqtt5Control {
  constructor(private readonly rt: Mqtt5ControlHost, private readonly v5: Mqtt5Session<Subscription>) {}

  /** Close with DISCONNECT carrying the error's reason code [MQTT-4.13.1-1]. */
  fail(error: MqttError): void {
    if (this.rt.connection && this.rt.version === 5) this.rt.sendDisconnect({ type: 'disconnect', reasonCode: error.reasonCode ?? 0x82 })
    this.rt.run({ type: 'protocolError', error })
  }

  /** Start a re-authentication (enhanced authentication); settles when the server accepts or refuses. */
  reauthenticate(): Promise<void> {
    const rt = this.rt
    const conn = rt.state === 'connected' && rt.version === 5 ? rt.connection : undefined
    return this.v5.reauthenticate(conn && ((p) => { if (rt.connection === conn) conn.send(p) }), (err) => this.fail(err))
  }

  /** An AUTH from the server on the live connection: answered on that connection only. */
  auth(p: AuthPacket): void {
    const conn = this.rt.connection
    this.v5.authPacket(p, true).then((reply) => { if (reply && this.rt.connection === conn) conn?.send(reply) }, (err: MqttError) => this.fail(err))
  }

  /** The error a server DISCONNECT ends the connection with, with its reason and properties. */
  disconnectError(p: DisconnectPacket): MqttError {
    return this.v5.serverDisconnect(p, this.rt.server)
  }
}

// What arrives on the live connection, by packet type: publishes to the inbound flow, acknowledgements to
// the session, AUTH and DISCONNECT to the MQTT 5 control, the connection's end to the lifecycle. Packets
// that arrive while a session resumes wait in the resume gate so they cannot overtake the replay.
import type { Packet } from '@isomqtt/codec'
import type { ConnectionHandler } from './connection.js'
import { MqttError } from './errors.js'
import type { InboundFlow } from './inbound-flow.js'
import type { Mqtt5Control } from './mqtt5-control.js'
import type { ResumeGate } from './resume-gate.js'
import type { Session } from './session.js'
import type { LifecycleEvent } from './state-machine.js'
import type { Tracer } from './trace.js'

/** What the packet routing needs from the runtime. */
export interface ConnectionPacketsHost {
  readonly gate: ResumeGate
  readonly session: Session
  readonly trace: Tracer
  /** MQTT 5 only (undefined until the first MQTT 5 connect). */
  readonly control5: Mqtt5Control | undefined
  /** Feed the lifecycle state machine. */
  run(event: LifecycleEvent): void
}

/** The handler of the client's live connection. */
export class ConnectionPackets implements ConnectionHandler {
  constructor(private readonly rt: ConnectionPacketsHost, private readonly inbound: InboundFlow) {}

  /** A packet from the live connection. */
  packet(p: Packet): void {
    const rt = this.rt
    if (rt.gate.hold(p)) return
    switch (p.type) {
      case 'publish': this.inbound.receive(p); return
      case 'pingresp':
        // Taken in arrival order with the acknowledgements (not while a resume holds them back): a refusal
        // probe must not see an answer to its PINGREQ without the acknowledgement that came after it.
        rt.session.pingAnswered()
        rt.trace.debug('pinger', 'PINGRESP')
        return
      case 'disconnect': {
        const error = rt.control5?.disconnectError(p) ?? new MqttError('SERVER_DISCONNECT', 'the server sent DISCONNECT', { reasonCode: p.reasonCode })
        rt.run({ type: 'transportClosed', error })
        return
      }
      case 'connack': case 'connect': case 'subscribe': case 'unsubscribe': case 'pingreq': case 'auth':
        // AUTH is MQTT 5's (control5 is there): unexpected only on an MQTT 3.1.x connection.
        if (p.type === 'auth' && rt.control5) { rt.control5.auth(p); return }
        rt.run({ type: 'protocolError', error: new MqttError('PROTOCOL_ERROR', `unexpected ${p.type.toUpperCase()} from the server`, { reasonCode: 0x82 }) })
        return
      default:
        if (p.type === 'pubrel') this.inbound.released(p.packetId)
        if (!rt.session.handle(p) && rt.trace.warns) rt.trace.warn('client', `ignored ${p.type.toUpperCase()}`)
    }
  }

  /** The connection ended; a peer that broke the protocol is a protocol error, not a lost link. */
  closed(error: Error | undefined): void {
    const code = (error as MqttError | undefined)?.code
    if (code === 'MALFORMED_PACKET' || code === 'PROTOCOL_ERROR' || code === 'PACKET_TOO_LARGE') this.rt.run({ type: 'protocolError', error: error! })
    else this.rt.run({ type: 'transportClosed', error })
  }

  /** QoS 1/2 publishes dropped by writeTimeoutMs. */
  writeExpired(ids: number[], error: Error): void {
    this.rt.session.expire(ids, error)
  }
}

// A tiny in-memory stand-in for a broker with a SCRAM-SHA-256 auth plugin (Mosquitto needs a plugin for
// it): it answers CONNECT and re-authentication with SCRAM over AUTH packets and accepts nothing else.
// It speaks through @isomqtt/transport's createDuplexPair, so the example runs with no network.
import { encode, Parser, type AuthPacket, type Packet } from '@isomqtt/codec'
import type { TransportFactory } from '@isomqtt/client'
import { createDuplexPair } from '@isomqtt/transport'
import { ScramServerExchange, type ScramCredential } from './scram-server.js'

/** What the broker saw, for the example's output and its test. */
export interface BrokerLog {
  accepted: number
  refused: number
  reauthenticated: number
}

type Socket = { write(b: Uint8Array): boolean; on(e: string, f: (...a: any[]) => void): unknown; end(): unknown }

/** A transport factory whose every connection talks to the SCRAM broker. */
export function scramBroker(users: Map<string, ScramCredential>): { transport: TransportFactory; log: BrokerLog } {
  const log: BrokerLog = { accepted: 0, refused: 0, reauthenticated: 0 }
  const transport: TransportFactory = async () => {
    const [client, server] = createDuplexPair() as unknown as [Socket, Socket]
    serve(server, users, log)
    return client as never
  }
  return { transport, log }
}

function serve(socket: Socket, users: Map<string, ScramCredential>, log: BrokerLog): void {
  const parser = new Parser({ version: 5 })
  const send = (p: Packet): void => { socket.write(encode(p, 5)) }
  let exchange: ScramServerExchange | undefined
  let connected = false
  let work = Promise.resolve()
  const auth = (reasonCode: number, data: Uint8Array): AuthPacket =>
    ({ type: 'auth', reasonCode, properties: { authenticationMethod: 'SCRAM-SHA-256', authenticationData: data } })

  async function handle(p: Packet): Promise<void> {
    if (p.type === 'connect' || (p.type === 'auth' && p.reasonCode === 0x19)) {
      const props = p.properties
      if (props?.authenticationMethod !== 'SCRAM-SHA-256' || !props.authenticationData) {
        send(p.type === 'connect' ? { type: 'connack', sessionPresent: false, reasonCode: 0x8c } : { type: 'disconnect', reasonCode: 0x8c })
        socket.end()
        return
      }
      exchange = new ScramServerExchange((name) => users.get(name))
      send(auth(0x18, exchange.first(props.authenticationData)))
      return
    }
    if (p.type === 'auth' && p.reasonCode === 0x18 && exchange) {
      const final = await exchange.final(p.properties?.authenticationData ?? new Uint8Array())
      exchange = undefined
      if (!final) {
        log.refused++
        send(connected ? { type: 'disconnect', reasonCode: 0x87 } : { type: 'connack', sessionPresent: false, reasonCode: 0x86 })
        socket.end()
        return
      }
      if (connected) {
        log.reauthenticated++
        send(auth(0x00, final))
      } else {
        connected = true
        log.accepted++
        send({ type: 'connack', sessionPresent: false, reasonCode: 0, properties: { authenticationMethod: 'SCRAM-SHA-256', authenticationData: final } })
      }
      return
    }
    if (p.type === 'pingreq') send({ type: 'pingresp' })
    if (p.type === 'disconnect') socket.end()
  }

  socket.on('data', (chunk: Uint8Array) => {
    for (const p of parser.push(chunk)) work = work.then(() => handle(p))
  })
  socket.on('error', () => {})
}

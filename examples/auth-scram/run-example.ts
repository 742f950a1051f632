// The example, browser-safe: connects with MQTT 5 enhanced authentication (SCRAM-SHA-256) to an in-memory
// broker, re-authenticates, and shows that a wrong password is refused. main.ts runs it in Node; the
// browser test runs the same function in Chromium.
import { createClient, type MqttError } from '@isomqtt/client'
import { scramBroker } from './memory-broker.js'
import { scramSha256 } from './scram-authenticator.js'
import { scramCredential } from './scram-server.js'

/** What the example saw; its test checks it. */
export interface ExampleResult {
  connected: boolean
  reauthenticated: boolean
  wrongPassword: string
}

/** Runs the example against a fresh in-memory broker with one user, alice. */
export async function runExample(): Promise<ExampleResult> {
  const broker = scramBroker(new Map([['alice', await scramCredential('correct horse battery staple')]]))
  const client = createClient({
    servers: ['mqtt://scram.example'],
    protocolVersion: 5,
    transport: broker.transport,
    authenticator: scramSha256({ username: 'alice', password: 'correct horse battery staple' }),
  })
  await client.connect()
  const connected = client.connected
  await client.reauthenticate()
  await client.disconnect()

  const impostor = createClient({
    servers: ['mqtt://scram.example'],
    protocolVersion: 5,
    transport: broker.transport,
    authenticator: scramSha256({ username: 'alice', password: 'guess' }),
  })
  const error = (await impostor.connect().then(() => undefined, (e: unknown) => e)) as MqttError | undefined
  return { connected, reauthenticated: broker.log.reauthenticated === 1, wrongPassword: error?.code ?? 'accepted' }
}


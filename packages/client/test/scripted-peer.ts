// A scripted broker on an in-memory duplex pair, for byte-exact cases a real broker will not produce.
import { encode, Parser, type Packet, type ProtocolVersion } from '@isomqtt/codec'
import { createDuplexPair } from '@isomqtt/transport'
import { createClient, type ClientOptions, type MqttClient, type Transport, type TransportFactory } from '../src/index.js'

type Duplex = Transport & { on(e: string, fn: (...a: any[]) => void): unknown; destroyed?: boolean; pause?(): void; resume?(): void }

/** The server side of one in-memory connection, driven by the test. */
export class ScriptedPeer {
  readonly received: Packet[] = []
  private readonly parser: Parser
  private waiters: Array<{ type: string; resolve: (p: Packet) => void }> = []
  private next = 0
  closed = false
  private closedWaiters: Array<() => void> = []

  constructor(readonly socket: Duplex, readonly version: ProtocolVersion) {
    this.parser = new Parser({ version })
    socket.on('data', (chunk: Uint8Array) => {
      for (const p of this.parser.push(chunk)) {
        this.received.push(p)
        this.deliver()
      }
    })
    const onClose = (): void => {
      if (this.closed) return
      this.closed = true
      for (const w of this.closedWaiters) w()
    }
    socket.on('end', onClose)
    socket.on('close', onClose)
    socket.on('error', () => {})
  }

  private deliver(): void {
    while (this.waiters.length > 0 && this.next < this.received.length) {
      const w = this.waiters[0]!
      const p = this.received[this.next++]!
      if (w.type !== '*' && p.type !== w.type) continue
      this.waiters.shift()
      w.resolve(p)
    }
  }

  /** The next packet the client sends of `type` (others before it are skipped). */
  expect<T extends Packet['type']>(type: T | '*', timeoutMs = 10_000): Promise<Extract<Packet, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`scripted peer: no ${type} within ${timeoutMs} ms`)), timeoutMs)
      this.waiters.push({ type, resolve: (p) => { clearTimeout(timer); resolve(p as Extract<Packet, { type: T }>) } })
      this.deliver()
    })
  }

  /** Send packets (one write). */
  send(...packets: Packet[]): void {
    for (const p of packets) this.socket.write(encode(p, this.version))
  }

  /** Send raw bytes. */
  sendRaw(bytes: Uint8Array | number[]): void {
    this.socket.write(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes))
  }

  /** Resolves when the client closed its end. */
  whenClosed(timeoutMs = 10_000): Promise<void> {
    if (this.closed) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('scripted peer: client did not close')), timeoutMs)
      this.closedWaiters.push(() => { clearTimeout(timer); resolve() })
    })
  }

  /** Drop the connection as a broker crash would. */
  drop(): void {
    this.socket.destroy()
  }
}

/** A transport factory whose every connection is handed to `onPeer` as a ScriptedPeer. */
export function scriptedTransport(version: ProtocolVersion, onPeer: (peer: ScriptedPeer) => void): TransportFactory {
  return async () => {
    const [client, server] = createDuplexPair()
    onPeer(new ScriptedPeer(server as Duplex, version))
    return client as unknown as Transport
  }
}

/** A factory plus a queue of its peers, for tests that connect once or more. */
export function scripted(version: ProtocolVersion = 4): { transport: TransportFactory; nextPeer(): Promise<ScriptedPeer> } {
  const peers: ScriptedPeer[] = []
  const waiters: Array<(p: ScriptedPeer) => void> = []
  return {
    transport: scriptedTransport(version, (p) => { const w = waiters.shift(); if (w) w(p); else peers.push(p) }),
    nextPeer: () => {
      const p = peers.shift()
      return p ? Promise.resolve(p) : new Promise((resolve) => waiters.push(resolve))
    },
  }
}

/** A peer that has accepted the client's CONNECT. */
export async function accept(peerPromise: Promise<ScriptedPeer>, sessionPresent = false): Promise<ScriptedPeer> {
  const peer = await peerPromise
  await peer.expect('connect')
  peer.send({ type: 'connack', sessionPresent, reasonCode: 0 })
  return peer
}

/** The common start of a scripted test: a client (options merged over a scripted server) connected to a peer that accepted it. */
export async function connectScripted(options: ClientOptions = {}): Promise<{ client: MqttClient; peer: ScriptedPeer; nextPeer(): Promise<ScriptedPeer> }> {
  const s = scripted(options.protocolVersion ?? 4)
  const client = createClient({ servers: ['mqtt://scripted.invalid'], transport: s.transport, ...options })
  const connecting = client.connect()
  const peer = await accept(s.nextPeer())
  await connecting
  return { client, peer, nextPeer: s.nextPeer }
}

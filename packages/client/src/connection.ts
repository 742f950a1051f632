// One transport: bytes in through the Parser, packets out through the WriteQueue, and teardown.
// A Connection never outlives its transport; the session (in-flight state) lives outside it.
import { encode, Parser } from '@isomqtt/codec'
import type { MalformedPacketError, Packet, ProtocolVersion } from '@isomqtt/codec'
import { MqttError } from './errors.js'
import { monotonicNow, type TimerSource } from './timers.js'
import type { Tracer } from './trace.js'
import type { Transport } from './transport-types.js'
import { WriteQueue } from './write-queue.js'

/**
 * How long disconnect() waits for the server to close the connection after DISCONNECT. Mosquitto on loopback
 * takes well under a millisecond; a server that keeps it open only delays disconnect() by this much.
 */
const LINGER_MS = 1000

// Made only when a queued publish is failed with them (see WriteQueue.close).
const closedByUs = (): MqttError => new MqttError('CLOSED', 'the connection was closed')
const connectionLost = (): MqttError => new MqttError('CONNECTION_LOST', 'connection lost')

/** What a Connection reports to its owner. */
export interface ConnectionHandler {
  packet(packet: Packet): void
  /** The transport ended or failed, or the peer sent bytes that are not MQTT; called once. */
  closed(error: Error | undefined): void
  /** QoS 1/2 publishes dropped by writeTimeoutMs. */
  writeExpired(ids: number[], error: Error): void
}

/** Options of one connection. */
export interface ConnectionOptions {
  version: ProtocolVersion
  timers: TimerSource
  trace: Tracer
  writeTimeoutMs?: number
  maxPacketSize?: number
}

/** A live transport speaking MQTT. */
export class Connection {
  /** ms timestamps read by the keepalive. */
  lastSent = monotonicNow()
  lastReceived = monotonicNow()
  readonly queue: WriteQueue
  private readonly parser: Parser
  private handler: ConnectionHandler
  private ended = false

  private readonly onData = (chunk: Uint8Array): void => this.receive(chunk)
  private readonly onDrain = (): void => this.queue.drained()
  private readonly onError = (err: Error): void => this.end(new MqttError('TRANSPORT_ERROR', `transport error: ${err.message}`, { cause: err }))
  private readonly onClose = (): void => this.end(undefined)

  constructor(
    readonly transport: Transport,
    handler: ConnectionHandler,
    private readonly options: ConnectionOptions,
  ) {
    this.handler = handler
    // MQTT 3.1.x: a message above maxIncomingPacketSize is read past and dropped (see InboundFlow.receive).
    this.parser = new Parser({ version: options.version, maxPacketSize: options.maxPacketSize, skipOversizedPublish: true })
    this.queue = new WriteQueue(
      {
        write: (bytes) => {
          this.lastSent = monotonicNow()
          return this.transport.write(bytes)
        },
        expired: (ids, error) => this.handler.writeExpired(ids, error),
      },
      options.timers,
      options.writeTimeoutMs,
    )
    transport.on('data', this.onData)
    transport.on('drain', this.onDrain)
    transport.on('error', this.onError)
    transport.on('close', this.onClose)
    transport.on('end', this.onClose)
  }

  /** The protocol version packets are encoded and parsed with. */
  get version(): ProtocolVersion {
    return this.options.version
  }

  /** True until the transport closed or close() was called. */
  get open(): boolean {
    return !this.ended
  }

  /** Encode and queue a protocol packet. */
  send(packet: Packet): void {
    if (this.ended) return
    if (this.options.trace.verbose) this.options.trace.debug('net', `send ${describe(packet)}`)
    this.queue.controlPacket(packet, this.options.version)
  }

  /** The transport already wrote `packet` as its greeting (TransportOptions.greeting): trace it as sent. */
  sentGreeting(packet: Packet): void {
    this.lastSent = monotonicNow()
    if (this.options.trace.verbose) this.options.trace.debug('net', `send ${describe(packet)}`)
  }

  /**
   * Close the transport: `graceful` ends it after queued bytes (after DISCONNECT), else destroys it. A graceful
   * close returns when the transport has closed, which a server does once it has read DISCONNECT (or after
   * LINGER_MS, for a server or custom transport that never says so); undefined when nothing was open.
   */
  close(graceful: boolean, error?: Error): Promise<void> | undefined {
    if (this.ended) return undefined
    this.ended = true
    if (graceful) this.queue.flushAll()
    this.queue.close(error ?? closedByUs)
    this.detach()
    const gone = graceful ? this.closedOrAfter(LINGER_MS) : undefined
    try {
      if (graceful) this.transport.end()
      else this.transport.destroy()
    } catch {
      // Closing a broken transport may throw; it is going away either way.
    }
    return gone
  }

  /** Resolves on the transport's 'close', or after `ms` (the transport then goes on closing by itself). */
  private closedOrAfter(ms: number): Promise<void> {
    const { transport, options } = this
    return new Promise<void>((resolve) => {
      const done = (): void => {
        options.timers.clearTimeout(timer)
        transport.removeListener('close', done)
        resolve()
      }
      const timer = options.timers.setTimeout(done, ms)
      transport.on('close', done)
    })
  }

  private receive(chunk: Uint8Array): void {
    if (this.ended) return
    this.lastReceived = monotonicNow()
    let packets: Packet[]
    try {
      packets = this.parser.push(chunk)
    } catch (err) {
      // The packets before the bad one arrived whole (a message among them is the server's to us): they are
      // handled, then the connection ends.
      const before = (err as MalformedPacketError).packets
      if (before !== undefined) this.handle(before)
      if (this.ended) return
      const error = isHttp(chunk)
        ? new MqttError('MALFORMED_PACKET', 'the server answered in HTTP, not MQTT (a web or WebSocket port? ws:// and wss:// speak MQTT over WebSocket)', { cause: err })
        : err instanceof MqttError ? err : new MqttError('MALFORMED_PACKET', 'malformed packet', { cause: err })
      this.options.trace.critical('decode', 'closing', error)
      this.end(error, true)
      return
    }
    this.handle(packets)
  }

  private handle(packets: Packet[]): void {
    for (let i = 0; i < packets.length && !this.ended; i++) {
      const p = packets[i]!
      if (this.options.trace.verbose) this.options.trace.debug('net', `received ${describe(p)}`)
      this.handler.packet(p)
    }
  }

  private end(error: Error | undefined, destroy = false): void {
    if (this.ended) return
    this.ended = true
    this.queue.close(error ?? connectionLost)
    this.detach()
    if (destroy) {
      try {
        // MQTT 5: tell the server why before closing [MQTT-4.13.1-1] (e.g. 0x95 for a packet above our maximum).
        const reasonCode = (error as MqttError | undefined)?.reasonCode
        if (this.options.version === 5 && reasonCode !== undefined && reasonCode >= 0x80) {
          this.transport.write(encode({ type: 'disconnect', reasonCode }, 5))
          this.transport.end()
        } else {
          this.transport.destroy()
        }
      } catch { /* already gone */ }
    }
    this.options.trace.warn('net', 'connection ended', error)
    this.handler.closed(error)
  }

  private detach(): void {
    const t = this.transport
    t.removeListener('data', this.onData)
    t.removeListener('drain', this.onDrain)
    t.removeListener('close', this.onClose)
    t.removeListener('end', this.onClose)
    // Keep an error listener: a late 'error' from a destroyed socket must not become an uncaught exception.
    t.removeListener('error', this.onError)
    t.on('error', ignore)
  }
}

function ignore(): void {}

/** A short description of a packet for traces: never payloads, passwords or auth data. */
export function describe(p: Packet): string {
  switch (p.type) {
    case 'connect':
      return `CONNECT clientId=${p.clientId} clean=${p.clean} keepalive=${p.keepalive}${p.username !== undefined ? ' username=<set>' : ''}${p.password ? ' password=<redacted>' : ''}${p.will ? ` will=${p.will.topic}` : ''}`
    case 'connack':
      return `CONNACK sessionPresent=${p.sessionPresent} code=${p.reasonCode}`
    case 'publish':
      return `PUBLISH topic=${p.topic} qos=${p.qos} id=${p.packetId ?? '-'} retain=${p.retain} dup=${p.dup} bytes=${p.payload.length}`
    case 'puback': case 'pubrec': case 'pubrel': case 'pubcomp': case 'unsuback':
      return `${p.type.toUpperCase()} id=${p.packetId}`
    case 'subscribe':
      return `SUBSCRIBE id=${p.packetId} ${p.subscriptions.map((s) => `${s.filter}@${s.qos}`).join(',')}`
    case 'suback':
      return `SUBACK id=${p.packetId} codes=${p.reasonCodes.join(',')}`
    case 'unsubscribe':
      return `UNSUBSCRIBE id=${p.packetId} ${p.filters.join(',')}`
    case 'auth':
      return `AUTH code=${p.reasonCode ?? 0}`
    default:
      return p.type.toUpperCase()
  }
}

/** `HTTP/` at the start of a chunk: an HTTP server's answer (to the CONNECT it could not parse). */
function isHttp(chunk: Uint8Array): boolean {
  return chunk.length >= 5 && chunk[0] === 0x48 && chunk[1] === 0x54 && chunk[2] === 0x54 && chunk[3] === 0x50 && chunk[4] === 0x2f
}

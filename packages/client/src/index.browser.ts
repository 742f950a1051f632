// Browser entry of @isomqtt/client (the `browser` exports condition): the same API as index.ts, except that
// clients default to Worker-based timers, so keepalive pings still leave on time in a background tab, and a
// client waiting to reconnect tries at once when the window says the network is back ('online').
import { MqttClient as BaseClient, connect as baseConnect } from './client.js'
import type { ClientOptions } from './options.js'
import type { TimerSource } from './timers.js'
import { createWorkerTimers } from './worker-timers.js'

export * from './index.js'
export { createWorkerTimers, type TimerWorker, type WorkerTimersOptions } from './worker-timers.js'

let shared: TimerSource | undefined

/** One worker serves every client of the page; it is made on the first timer, not at import. */
function browserTimers(): TimerSource {
  shared ??= createWorkerTimers()
  return shared
}

function withBrowserTimers(options: ClientOptions): ClientOptions {
  return options.timers ? options : { ...options, timers: browserTimers() }
}

interface WindowEvents {
  addEventListener?(type: string, listener: () => void): void
  removeEventListener?(type: string, listener: () => void): void
}

/**
 * While `client` waits out a reconnect delay (up to maxDelayMs, 30 s by default), the window's 'online' event
 * starts the attempt at once. Listening only while reconnecting: a closed client leaves nothing behind (and
 * adding the same listener twice is a no-op for an EventTarget).
 */
function reconnectWhenOnline(client: BaseClient): BaseClient {
  const w = globalThis as WindowEvents
  if (typeof w.addEventListener !== 'function' || typeof w.removeEventListener !== 'function') return client
  const online = (): void => { client.reconnectNow() }
  const stop = (): void => w.removeEventListener!('online', online)
  client.on('reconnecting', () => w.addEventListener!('online', online))
  client.on('connect', stop)
  client.on('close', stop)
  return client
}

/** An MQTT client whose timers default to a Worker (pass `timers` to choose another source). */
export class MqttClient extends BaseClient {
  constructor(options: ClientOptions) {
    super(withBrowserTimers(options))
    reconnectWhenOnline(this)
  }
}

/** A client that is not connected yet: call `client.connect()`. */
export function createClient(options: ClientOptions): MqttClient {
  return new MqttClient(options)
}

/** Connect to a server (or the first of several that accepts) and resolve the connected client. */
export function connect(url: string | URL | Array<string | URL>, options: ClientOptions = {}): Promise<BaseClient> {
  return baseConnect(url, withBrowserTimers(options)).then(reconnectWhenOnline)
}

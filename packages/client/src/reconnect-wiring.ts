// How the runtime uses the reconnect loop: building it from the options, deciding whether a failed attempt
// is retried, and the CONNECT credentials a beforeAttempt hook may have refreshed.
import type { ConnectPacket, ProtocolVersion } from '@isomqtt/codec'
import { buildConnectPacket, type ResolvedOptions } from './options.js'
import { isRefusal, ReconnectLoop, type ReconnectHost, type ResolvedReconnectOptions } from './reconnect.js'
import type { TimerSource } from './timers.js'
import type { Tracer } from './trace.js'

/** The client's reconnect loop, or undefined when reconnecting is off. */
export function createReconnect(options: ResolvedOptions, timers: TimerSource, trace: Tracer, host: ReconnectHost): ReconnectLoop | undefined {
  if (!options.reconnect) return undefined
  return new ReconnectLoop(options.reconnect, options.servers, host, timers, trace)
}

/** Whether a failed attempt is followed by another: never after a refusal, unless asked. */
export function retriesAfter(r: ResolvedReconnectOptions | undefined, error: Error, reconnecting: boolean): boolean {
  if (!r || (isRefusal(error) && !r.retryOnRefused)) return false
  return reconnecting || r.retryInitialConnect
}

/** The CONNECT packet for `server`; credentials from the loop's beforeAttempt hook (token refresh) replace the options' ones. */
export function connectPacketFor(options: ResolvedOptions, loop: ReconnectLoop | undefined, version: ProtocolVersion, server: URL): ConnectPacket {
  if (loop?.username === undefined && loop?.password === undefined) return buildConnectPacket(options, version, server)
  return buildConnectPacket({ ...options, username: loop.username ?? options.username, password: loop.password ?? options.password }, version, server)
}

// Connecting for a command: parse the shared options, connect with exit codes for failures, and end
// cleanly on SIGINT / SIGTERM.
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { connect, type ClientOptions, type MqttClient } from '@isomqtt/client'
import { CONNECTION_OPTIONS, clientOptions, extractProperties, parseUserProperty, type ConnectionValues, type PropertyArgs } from './connection-args.js'
import { CliError, connectExitCode, describeError, usage } from './exit-codes.js'

type Options = NonNullable<ParseArgsConfig['options']>

/** A command's parsed command line. */
export interface Parsed<V> {
  values: V & ConnectionValues
  positionals: string[]
  props: PropertyArgs
}

/** parseArgs with the shared options plus the command's own; usage errors become exit code 1. */
export function parseCommand<O extends Options>(argv: string[], own: O, allowPositionals = false): Parsed<Record<string, unknown>> {
  const { rest, props } = extractProperties(argv)
  try {
    const { values, positionals } = parseArgs({ args: rest, options: { ...CONNECTION_OPTIONS, ...own }, allowPositionals, strict: true })
    return { values: values as Record<string, unknown> & ConnectionValues, positionals, props }
  } catch (err) {
    throw usage((err as Error).message)
  }
}

/** The connect options of a parsed command line. `--user-property` goes to CONNECT when `userPropsOnConnect`. */
export function resolveConnection(p: Parsed<Record<string, unknown>>, userPropsOnConnect: boolean): { url: string; options: ClientOptions; topicFromUrl?: string } {
  const onConnect = [...(p.props.user.get('connect') ?? [])]
  if (userPropsOnConnect) onConnect.push(...(p.values['user-property'] ?? []).map(parseUserProperty))
  return clientOptions(p.values, onConnect)
}

/** Connects, or throws a CliError with the right exit code and a one-line message. */
export async function open(url: string, options: ClientOptions): Promise<MqttClient> {
  try {
    return await connect(url, options)
  } catch (err) {
    // A bad argument (an unsupported scheme) is about the command line, not a server.
    if ((err as { code?: string }).code === 'INVALID_ARGUMENT') throw new CliError(connectExitCode(err), describeError(err), { cause: err })
    // A transport failure already names the server: show its own words rather than the client's wrapper.
    const cause = (err as { code?: string; cause?: unknown }).code === 'TRANSPORT_ERROR' ? (err as { cause?: unknown }).cause : undefined
    const detail = cause instanceof Error ? describeError(cause) : describeError(err)
    throw new CliError(connectExitCode(err), `cannot connect to ${new URL(url).host}: ${detail.replace(/^\S+:\/\/\S+: /, '')}`, { cause: err })
  }
}

/** Resolves at SIGINT or SIGTERM (the listeners are removed by the returned stop()). */
export function interrupted(): { signal: Promise<void>; stop(): void } {
  let resolve!: () => void
  const signal = new Promise<void>((r) => { resolve = r })
  const on = (): void => resolve()
  process.once('SIGINT', on)
  process.once('SIGTERM', on)
  return { signal, stop: () => { process.off('SIGINT', on); process.off('SIGTERM', on) } }
}

/** Reconnect settings of the long-running commands (sub, pub --stdin), which reconnect as mosquitto_sub does. */
export const RECONNECT = { minDelayMs: 500, maxDelayMs: 10_000 }

/**
 * Says on stderr when the connection is lost and when it is back. `failed` runs when the command has to end with
 * code 4: at the loss when it does not reconnect, or when reconnecting gives up (e.g. refused credentials).
 * Returns what to call before the command closes the client itself.
 */
export function watchConnection(client: MqttClient, reconnects: boolean, failed: () => void): () => void {
  let lastError: unknown
  let closing = false
  client.on('connectionLost', (err) => {
    lastError = err
    process.stderr.write(`isomqtt: connection lost: ${describeError(err)}${reconnects ? ', reconnecting' : ''}\n`)
    if (!reconnects) failed()
  })
  client.on('reconnecting', (info) => { lastError = info.error })
  client.on('connect', () => { process.stderr.write('isomqtt: reconnected\n') })
  client.on('close', () => {
    if (closing || !reconnects) return
    process.stderr.write(`isomqtt: gave up reconnecting: ${describeError(lastError)}\n`)
    failed()
  })
  return () => { closing = true }
}

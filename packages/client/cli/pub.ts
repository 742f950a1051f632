// `isomqtt pub`: publish one message (-m, --file, -n) or one per line of stdin (--stdin).
import { readFile } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import type { MqttClient, PublishOptions } from '@isomqtt/client'
import { parseQos, parseUserProperty } from './connection-args.js'
import { CliError, describeError, ExitCode, operationExitCode, usage } from './exit-codes.js'
import { open, parseCommand, RECONNECT, resolveConnection, watchConnection } from './session.js'

const OWN = {
  topic: { type: 'string', short: 't' },
  message: { type: 'string', short: 'm' },
  file: { type: 'string' },
  stdin: { type: 'boolean', short: 'l' },
  'null-message': { type: 'boolean', short: 'n' },
  qos: { type: 'string', short: 'q' },
  retain: { type: 'boolean', short: 'r' },
  'no-reconnect': { type: 'boolean' },
} as const

/** Most publishes the stdin mode keeps unfinished before it stops reading (bounded memory). */
const STDIN_WINDOW = 1000

/** Runs `isomqtt pub`; resolves with the exit code. */
export async function pub(argv: string[]): Promise<number> {
  const p = parseCommand(argv, OWN)
  const v = p.values as typeof p.values & { topic?: string; message?: string; file?: string; stdin?: boolean; 'null-message'?: boolean; qos?: string; retain?: boolean; 'no-reconnect'?: boolean }
  const { url, options, topicFromUrl } = resolveConnection(p, false)
  const topic = v.topic ?? topicFromUrl
  if (topic === undefined) throw usage('pub needs a topic: -t TOPIC')
  const sources = [v.message !== undefined, v.file !== undefined, v.stdin === true, v['null-message'] === true].filter(Boolean).length
  if (sources !== 1) throw usage('pub needs exactly one of -m MESSAGE, --file FILE, --stdin, -n')
  const userProperties = [...(p.props.user.get('publish') ?? []), ...(v['user-property'] ?? []).map(parseUserProperty)]
  if (userProperties.length > 0 && options.protocolVersion !== 5) throw usage('user properties need MQTT 5 (-V 5)')
  const publishOptions: PublishOptions = {
    qos: parseQos(v.qos),
    retain: v.retain ?? false,
    ...(userProperties.length > 0 && { properties: { userProperties } }),
  }
  let payload: Uint8Array | string | undefined
  if (v.file !== undefined) {
    try {
      payload = await readFile(v.file)
    } catch (cause) {
      throw new CliError(ExitCode.Input, `cannot read ${v.file}: ${(cause as Error).message}`, { cause })
    }
  } else if (!v.stdin) {
    payload = v.message ?? ''
  }

  // Lines from stdin may come for a long time: a lost connection is reconnected, and what is published
  // meanwhile waits in the client's offline queue (QoS 1/2 in its store).
  const reconnects = v.stdin === true && !v['no-reconnect']
  if (reconnects) options.reconnect = RECONNECT
  const client = await open(url, options)
  const closing = v.stdin ? watchConnection(client, reconnects, () => {}) : () => {}
  try {
    if (payload !== undefined) await client.publish(topic, payload, publishOptions)
    else await publishLines(client, topic, publishOptions)
  } catch (err) {
    closing()
    client.destroy()
    if (err instanceof CliError) throw err
    throw new CliError(operationExitCode(err), `publish failed: ${describeError(err)}`, { cause: err })
  }
  closing()
  await client.disconnect()
  return ExitCode.Ok
}

async function publishLines(client: MqttClient, topic: string, options: PublishOptions): Promise<void> {
  const pending = new Set<Promise<unknown>>()
  let failure: unknown
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })
  try {
    for await (const line of lines) {
      if (failure !== undefined) break
      const done = client.publish(topic, line, options)
      pending.add(done)
      done.then(() => pending.delete(done), (err: unknown) => { failure ??= err; pending.delete(done) })
      if (pending.size >= STDIN_WINDOW) await Promise.race(pending).catch(() => {})
    }
  } catch (cause) {
    throw new CliError(ExitCode.Input, `cannot read stdin: ${(cause as Error).message}`, { cause })
  }
  await Promise.allSettled(pending)
  if (failure !== undefined) throw failure
}

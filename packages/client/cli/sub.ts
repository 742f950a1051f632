// `isomqtt sub`: subscribe and print each message (payload, "topic payload", or a JSON line).
import type { Message } from '@isomqtt/client'
import { parseCount, parseQos } from './connection-args.js'
import { CliError, describeError, ExitCode, operationExitCode, usage } from './exit-codes.js'
import { interrupted, open, parseCommand, RECONNECT, resolveConnection, watchConnection } from './session.js'

const OWN = {
  topic: { type: 'string', short: 't', multiple: true },
  qos: { type: 'string', short: 'q' },
  verbose: { type: 'boolean', short: 'v' },
  json: { type: 'boolean' },
  count: { type: 'string', short: 'C' },
  timeout: { type: 'string', short: 'W' },
  'no-reconnect': { type: 'boolean' },
} as const

const strict = new TextDecoder('utf-8', { fatal: true })

/** One JSON line for a message: the payload as text when it is UTF-8, else base64. */
export function jsonLine(m: Message): string {
  const out: Record<string, unknown> = { topic: m.topic, qos: m.qos, retain: m.retain }
  try {
    out.payload = strict.decode(m.payload)
  } catch {
    out.payloadBase64 = Buffer.from(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength).toString('base64')
  }
  const props = m.properties?.userProperties
  if (props && props.length > 0) out.userProperties = props
  return JSON.stringify(out)
}

/** Runs `isomqtt sub`; resolves with the exit code. */
export async function sub(argv: string[], print: (s: string) => void): Promise<number> {
  const p = parseCommand(argv, OWN)
  const v = p.values as typeof p.values & { topic?: string[]; qos?: string; verbose?: boolean; json?: boolean; count?: string; timeout?: string; 'no-reconnect'?: boolean }
  const { url, options, topicFromUrl } = resolveConnection(p, true)
  // A subscriber runs until interrupted: a lost connection is reconnected (resubscribing when the session is gone).
  const reconnects = !v['no-reconnect']
  if (reconnects) options.reconnect = RECONNECT
  const filters = v.topic ?? (topicFromUrl !== undefined ? [topicFromUrl] : [])
  if (filters.length === 0) throw usage('sub needs a filter: -t FILTER')
  const qos = parseQos(v.qos)
  const count = parseCount(v.count, '-C', 0, 1)
  const timeoutS = parseCount(v.timeout, '-W', 0, 1)

  const client = await open(url, options)
  const stop = interrupted()
  let received = 0
  let finish!: (code: number) => void
  const finished = new Promise<number>((r) => { finish = r })
  let timer: NodeJS.Timeout | undefined
  if (timeoutS > 0) timer = setTimeout(() => { process.stderr.write(`isomqtt: timed out after ${timeoutS} s with ${received} message(s)\n`); finish(ExitCode.Timeout) }, timeoutS * 1000)
  const closing = watchConnection(client, reconnects, () => finish(ExitCode.Failed))
  const handler = (m: Message): void => {
    if (count > 0 && received >= count) return
    received++
    print(v.json ? jsonLine(m) : v.verbose ? `${m.topic} ${m.text()}` : m.text())
    if (count > 0 && received === count) finish(ExitCode.Ok)
  }
  try {
    await client.subscribe(filters.map((filter) => ({ filter, qos })), handler)
  } catch (err) {
    // Closed by the command, not given up by reconnecting: nothing to say about the connection.
    closing()
    client.destroy()
    stop.stop()
    if (timer) clearTimeout(timer)
    throw new CliError(operationExitCode(err), `subscribe failed: ${describeError(err)}`, { cause: err })
  }
  void stop.signal.then(() => finish(ExitCode.Ok))
  const code = await finished
  closing()
  stop.stop()
  if (timer) clearTimeout(timer)
  await client.disconnect()
  return code
}

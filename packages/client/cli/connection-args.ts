// Options every command shares (server, credentials, TLS, protocol version, will, session, MQTT 5 user
// properties) as `node:util` parseArgs definitions, and their translation into client options.
import { readFileSync } from 'node:fs'
import type { ParseArgsConfig } from 'node:util'
import type { ClientOptions, ProtocolVersion, QoS } from '@isomqtt/client'
import { CliError, ExitCode, usage } from './exit-codes.js'

type Options = NonNullable<ParseArgsConfig['options']>

/** The connection options, shared by every command. */
export const CONNECTION_OPTIONS = {
  url: { type: 'string', short: 'L' },
  host: { type: 'string', short: 'h' },
  port: { type: 'string', short: 'p' },
  username: { type: 'string', short: 'u' },
  password: { type: 'string', short: 'P' },
  cafile: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  insecure: { type: 'boolean' },
  'protocol-version': { type: 'string', short: 'V' },
  'will-topic': { type: 'string' },
  'will-payload': { type: 'string' },
  'will-qos': { type: 'string' },
  'will-retain': { type: 'boolean' },
  'persistent-session': { type: 'boolean', short: 'c' },
  id: { type: 'string', short: 'i' },
  keepalive: { type: 'string', short: 'k' },
  'connect-timeout': { type: 'string' },
  'user-property': { type: 'string', multiple: true },
  help: { type: 'boolean' },
} as const satisfies Options

/** Parsed values of the shared options (parseArgs' result shape). */
export type ConnectionValues = { [K in keyof typeof CONNECTION_OPTIONS]?: (typeof CONNECTION_OPTIONS)[K] extends { multiple: true } ? string[] : (typeof CONNECTION_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string }

/** `-D command property ...` values, mosquitto style, taken out of argv before parseArgs sees it. */
export interface PropertyArgs {
  /** User properties by MQTT command (`connect`, `publish`, `subscribe`...), in order. */
  user: Map<string, Array<[string, string]>>
}

/** Takes `-D <command> user-property <name> <value>` groups out of argv (parseArgs takes one value per option). */
export function extractProperties(argv: string[]): { rest: string[]; props: PropertyArgs } {
  const rest: string[] = []
  const user = new Map<string, Array<[string, string]>>()
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a !== '-D' && a !== '--property') { rest.push(a); continue }
    const [command, name, key, value] = argv.slice(i + 1, i + 5)
    if (command === undefined || name === undefined) throw usage(`${a} needs a command and a property, e.g. ${a} publish user-property name value`)
    if (name !== 'user-property') throw usage(`${a}: only user-property is supported, not ${name}`)
    if (key === undefined || value === undefined) throw usage(`${a} ${command} user-property needs a name and a value`)
    const list = user.get(command) ?? []
    list.push([key, value])
    user.set(command, list)
    i += 4
  }
  return { rest, props: { user } }
}

/** `name=value` of --user-property. */
export function parseUserProperty(s: string): [string, string] {
  const eq = s.indexOf('=')
  if (eq <= 0) throw usage(`--user-property takes name=value, not ${JSON.stringify(s)}`)
  return [s.slice(0, eq), s.slice(eq + 1)]
}

/** 3 | 4 | 5 from `3`, `4`, `5`, `31`, `311`, `mqttv31`, `mqttv311`, `mqttv5`. */
export function parseVersion(s: string | undefined): ProtocolVersion | undefined {
  if (s === undefined) return undefined
  const v = ({ '3': 3, '31': 3, mqttv31: 3, '4': 4, '311': 4, mqttv311: 4, '5': 5, mqttv5: 5 } as Record<string, ProtocolVersion>)[s.toLowerCase()]
  if (v === undefined) throw usage(`-V takes 3|4|5 or mqttv31|mqttv311|mqttv5, not ${JSON.stringify(s)}`)
  return v
}

/** A QoS argument. */
export function parseQos(s: string | undefined, name = '-q'): QoS {
  if (s === undefined) return 0
  if (s !== '0' && s !== '1' && s !== '2') throw usage(`${name} takes 0, 1 or 2, not ${JSON.stringify(s)}`)
  return Number(s) as QoS
}

/** A non-negative integer argument. */
export function parseCount(s: string | undefined, name: string, fallback: number, min = 0): number {
  if (s === undefined) return fallback
  const n = Number(s)
  if (!Number.isInteger(n) || n < min) throw usage(`${name} takes an integer ≥ ${min}, not ${JSON.stringify(s)}`)
  return n
}

function readTls(path: string, what: string): Uint8Array {
  try {
    return readFileSync(path)
  } catch (cause) {
    throw new CliError(ExitCode.Input, `cannot read ${what} ${path}: ${(cause as Error).message}`, { cause })
  }
}

/** The server URL and client options from the shared options. `topicFromUrl` is the path of an mqtt(s) URL. */
export function clientOptions(v: ConnectionValues, connectUserProps: Array<[string, string]>): { url: string; options: ClientOptions; topicFromUrl?: string } {
  const tlsWanted = v.cafile !== undefined || v.cert !== undefined || v.key !== undefined || v.insecure === true
  let url: URL
  let topicFromUrl: string | undefined
  if (v.url !== undefined) {
    if (v.host !== undefined || v.port !== undefined) throw usage('give either -L/--url or -h/-p, not both')
    try { url = new URL(v.url) } catch { throw usage(`not a URL: ${JSON.stringify(v.url)}`) }
    if ((url.protocol === 'mqtt:' || url.protocol === 'mqtts:') && url.pathname.length > 1) {
      topicFromUrl = decodeURIComponent(url.pathname.slice(1))
      url.pathname = ''
    }
  } else {
    const port = parseCount(v.port, '-p', tlsWanted ? 8883 : 1883, 1)
    if (port > 65535) throw usage('-p takes a port 1..65535')
    const host = v.host ?? 'localhost'
    url = new URL(`${tlsWanted ? 'mqtts' : 'mqtt'}://${host.includes(':') ? `[${host}]` : host}:${port}`)
  }
  const username = v.username ?? (url.username ? decodeURIComponent(url.username) : undefined)
  const password = v.password ?? (url.password ? decodeURIComponent(url.password) : undefined)
  url.username = ''
  url.password = ''
  const protocolVersion = parseVersion(v['protocol-version'])
  const options: ClientOptions = {
    protocolVersion,
    clientId: v.id,
    clean: !v['persistent-session'],
    username,
    password,
    keepalive: parseCount(v.keepalive, '-k', 60),
    connectTimeoutMs: parseCount(v['connect-timeout'], '--connect-timeout', 10, 1) * 1000,
    reconnect: false,
  } as ClientOptions
  if (v['persistent-session'] && v.id === undefined) throw usage('-c (persistent session) needs a client id (-i)')
  if (tlsWanted) {
    options.tls = {
      ...(v.cafile !== undefined && { ca: readTls(v.cafile, 'CA file') }),
      ...(v.cert !== undefined && { cert: readTls(v.cert, 'certificate') }),
      ...(v.key !== undefined && { key: readTls(v.key, 'key') }),
      ...(v.insecure && { rejectUnauthorized: false }),
    }
  }
  if (v['will-topic'] !== undefined) {
    options.will = { topic: v['will-topic'], payload: v['will-payload'] ?? '', qos: parseQos(v['will-qos'], '--will-qos'), retain: v['will-retain'] ?? false }
  } else if (v['will-payload'] !== undefined || v['will-qos'] !== undefined || v['will-retain']) {
    throw usage('--will-payload, --will-qos and --will-retain need --will-topic')
  }
  if (connectUserProps.length > 0) {
    if (protocolVersion !== 5) throw usage('user properties need MQTT 5 (-V 5)')
    options.properties = { userProperties: connectUserProps }
  }
  return { url: url.href, options, topicFromUrl }
}

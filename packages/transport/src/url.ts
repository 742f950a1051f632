// Scheme table and URL defaults shared by both entries; browser-safe.
import { TransportError } from './errors.js'

/** The kind of connection a URL scheme asks for. */
export type TransportKind = 'tcp' | 'tls' | 'ws' | 'unix'

const kinds: Record<string, TransportKind> = {
  'mqtt:': 'tcp', 'tcp:': 'tcp',
  'mqtts:': 'tls', 'ssl:': 'tls', 'tls:': 'tls',
  'ws:': 'ws', 'wss:': 'ws',
  'mqtt+unix:': 'unix', 'unix:': 'unix',
}

const defaultPorts: Record<string, number> = {
  'mqtt:': 1883, 'tcp:': 1883, 'mqtts:': 8883, 'ssl:': 8883, 'tls:': 8883, 'ws:': 80, 'wss:': 443,
}

/** Parses `url` (a URL is taken as is: nothing here changes it); bad input is INVALID_URL. */
export function toUrl(url: string | URL): URL {
  // Parsing again costs several µs of every connect; the one URL that needs changing is copied (webSocketUrl).
  if (url instanceof URL) return url
  try {
    return new URL(url)
  } catch (cause) {
    throw new TransportError('INVALID_URL', 'not a valid URL', { cause })
  }
}

/** The transport kind of a URL's scheme (`mqtt:` → tcp ...), or undefined for a scheme no transport here handles. */
export function kindOf(url: URL): TransportKind | undefined {
  return kinds[url.protocol]
}

/** The URL's port, or the scheme's default (1883, 8883, 80, 443). */
export function portOf(url: URL): number {
  return url.port === '' ? (defaultPorts[url.protocol] ?? 0) : Number(url.port)
}

/** The host to dial: IPv6 literals lose their brackets. */
export function hostOf(url: URL): string {
  const host = url.hostname
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
}

/**
 * A WebSocket URL with the default path `/mqtt` when it has none, and without user info: a URL's user name and
 * password are the MQTT CONNECT's (the client takes them from there), not HTTP credentials for the handshake.
 */
export function webSocketUrl(url: URL): URL {
  const out = new URL(url.href)
  if (out.pathname === '' || out.pathname === '/') out.pathname = '/mqtt'
  out.username = ''
  out.password = ''
  return out
}

/** `scheme://host:port` for messages (the default port spelled out); never the user info or query, which may carry secrets. */
export function describe(url: URL): string {
  const port = portOf(url)
  return port ? `${url.protocol}//${url.hostname}:${port}` : `${url.protocol}//${url.host}`
}

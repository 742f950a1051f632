// Picks the factory for a URL's scheme; each entry point supplies its own table. Browser-safe.
import { TransportError } from './errors.js'
import type { Transport, TransportFactory, TransportOptions } from './types.js'
import { kindOf, toUrl, type TransportKind } from './url.js'

/** A factory per transport kind; a missing kind is answered with UNSUPPORTED_SCHEME and `reason`. */
export type FactoryTable = Partial<Record<TransportKind, TransportFactory>>

/** Builds `openTransport` over a factory table. */
export function createOpener(factories: FactoryTable, reason: string) {
  return function openTransport(url: string | URL, options: TransportOptions = {}): Promise<Transport> {
    let parsed: URL
    try {
      parsed = toUrl(url)
    } catch (err) {
      return Promise.reject(err)
    }
    const kind = kindOf(parsed)
    if (kind === undefined) {
      return Promise.reject(new TransportError('UNSUPPORTED_SCHEME', `unknown URL scheme ${parsed.protocol}`))
    }
    const factory = factories[kind]
    if (!factory) return Promise.reject(new TransportError('UNSUPPORTED_SCHEME', `${parsed.protocol} is not available: ${reason}`))
    return factory(parsed, options)
  }
}

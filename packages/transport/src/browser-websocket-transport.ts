// The browser's WebSocket factory (also runs in Node over ws's class, which speaks the same interface).
import processShim from 'process/browser.js'
import { TransportError } from './errors.js'
import { mapWebError, type ErrorMapper } from './map-web-error.js'
import type { Transport, TransportFactory, TransportOptions, WebSocketConstructor } from './types.js'
import { openWebSocket } from './websocket-connect.js'

// In a browser bundle readable-stream schedules work (a stream's first read, 'drain', write callbacks) with
// this shim's nextTick, which runs on setTimeout: background tabs throttle that to once a second, and after a
// while to once a minute, so a connect in a hidden tab did not finish. Node's nextTick runs before any I/O; a
// microtask is the browser's equivalent. (Here, in the module every browser transport loads: a module of its
// own would be dropped by bundlers, the package being free of side effects otherwise. In Node, readable-stream
// uses the real process and this shim is unused.)
processShim.nextTick = (fn, ...args) => queueMicrotask(() => fn(...args))

/** Builds the W3C WebSocket factory over an error mapper (the Node entry passes its errno/OpenSSL table). */
export function w3cWebSocketFactory(mapError: ErrorMapper): TransportFactory {
  return (url: URL, options: TransportOptions): Promise<Transport> => {
    const Ctor = options.wsOptions?.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
    if (!Ctor) {
      return Promise.reject(new TransportError('UNSUPPORTED_OPTION', 'no WebSocket class: pass wsOptions.WebSocket'))
    }
    if (options.wsOptions?.headers) {
      return Promise.reject(new TransportError('UNSUPPORTED_OPTION',
        'browsers cannot set WebSocket handshake headers; put the token in the URL with wsOptions.urlProvider'))
    }
    return openWebSocket(url, options, {
      create: (target, protocols) => new Ctor(target.href, protocols),
      handshakeError: (event, what) => {
        // Browsers hide the cause (refused, DNS, TLS and the HTTP status look alike); other classes may tell.
        const cause = (event as { error?: unknown } | null)?.error
        return cause !== undefined
          ? mapError(cause, what, 'connect')
          : new TransportError('WS_HANDSHAKE_FAILED', `${what}: WebSocket connection failed (the browser does not say why)`, { cause: event })
      },
      mapError,
    })
  }
}

/** Opens `ws:`/`wss:` with `wsOptions.WebSocket` or `globalThis.WebSocket`; browsers cannot set headers. */
export const createWebSocketTransport: TransportFactory = /* @__PURE__ */ w3cWebSocketFactory(mapWebError)

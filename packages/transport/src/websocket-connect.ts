// Opens a WebSocket and hands it to the adapter once it is open; shared by the Node and browser factories.
import { attemptConnection } from './connect-attempt.js'
import { TransportError } from './errors.js'
import type { ErrorMapper } from './map-web-error.js'
import type { Transport, TransportOptions, WebSocketLike } from './types.js'
import { describe, toUrl, webSocketUrl } from './url.js'
import { WebSocketDuplex, type WebSocketFlowControl } from './websocket-duplex.js'

/** What a platform supplies to open one WebSocket. */
export interface WebSocketDialer {
  /** Creates the socket for the final URL; `fail` rejects the attempt with a precise error (e.g. the HTTP status). */
  create(url: URL, protocols: string[], fail: (err: TransportError) => void): WebSocketLike | Promise<WebSocketLike>
  /** `'arraybuffer'` in browsers; Node's ws hands out Buffers without a copy with `'nodebuffer'`. */
  binaryType?: string
  /** Platform hooks for the adapter (Node ws: send callback, pause/resume, terminate). */
  flow?(ws: WebSocketLike): WebSocketFlowControl
  /** Names the cause of an 'error' event before the socket opened. */
  handshakeError(event: unknown, what: string): TransportError
  /** Maps the platform's errors (Node: its errno/OpenSSL table; browsers: map-web-error.ts). */
  mapError: ErrorMapper
}

const noop = (): void => {}

/** The subprotocols to offer: the user's, else `mqtt` (`mqttv3.1` for MQTT 3.1). */
export function subprotocols(options: TransportOptions): string[] {
  return options.wsOptions?.protocols ?? [options.protocolVersion === 3 ? 'mqttv3.1' : 'mqtt']
}

/** Opens `url` (default path `/mqtt`, rewritten by `wsOptions.urlProvider` first) and resolves the Duplex once open. */
export function openWebSocket(url: URL, options: TransportOptions, dialer: WebSocketDialer): Promise<Transport> {
  const what = describe(url)
  return attemptConnection<Transport>(what, options, (control) => {
    let ws: WebSocketLike | undefined
    const close = (socket: WebSocketLike): void => {
      const flow = dialer.flow?.(socket)
      if (flow?.terminate) flow.terminate()
      else socket.close()
    }
    const run = async (): Promise<void> => {
      let target = webSocketUrl(url)
      const provider = options.wsOptions?.urlProvider
      if (provider) target = toUrl(await provider(target))
      if (control.settled) return
      const socket = await dialer.create(target, subprotocols(options), control.reject)
      if (control.settled) return close(socket)
      ws = socket
      socket.binaryType = dialer.binaryType ?? 'arraybuffer'
      // Errors may still arrive after we stopped listening (a cancelled handshake): ws would throw on them.
      socket.addEventListener('error', noop)
      const detach = (): void => {
        socket.removeEventListener('open', onOpen)
        socket.removeEventListener('error', onError)
        socket.removeEventListener('close', onClose)
      }
      const onOpen = (): void => {
        detach()
        if (control.settled) return
        if (options.greeting) socket.send(options.greeting)
        control.resolve(new WebSocketDuplex(socket, {
          what,
          ...dialer.flow?.(socket),
          mapError: (event) => dialer.mapError((event as { error?: unknown }).error ?? event, what, 'stream'),
          ...(options.wsOptions?.bufferedAmountHighWaterMark !== undefined
            ? { bufferedAmountHighWaterMark: options.wsOptions.bufferedAmountHighWaterMark } : {}),
          ...(options.wsOptions?.maxMergedFrameBytes !== undefined
            ? { maxMergedFrameBytes: options.wsOptions.maxMergedFrameBytes } : {}),
        }) as unknown as Transport)
      }
      const onError = (event: unknown): void => {
        detach()
        control.reject(dialer.handshakeError(event, what))
      }
      const onClose = (event: { code?: number }): void => {
        detach()
        control.reject(new TransportError('WS_HANDSHAKE_FAILED', `${what}: WebSocket closed before it opened (code ${event.code ?? 1006})`, event.code === undefined ? {} : { closeCode: event.code }))
      }
      socket.addEventListener('open', onOpen)
      socket.addEventListener('error', onError)
      socket.addEventListener('close', onClose)
    }
    run().catch((err: unknown) => control.reject(dialer.mapError(err, what, 'connect')))
    return () => { if (ws) close(ws) }
  })
}

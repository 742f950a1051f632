// Two connected in-memory Duplexes, for scripted peers in tests and for custom transports. Browser-safe.
import { Duplex } from './readable-duplex.js'
import { TransportError } from './errors.js'
import type { Transport } from './types.js'

class PairEnd extends Duplex {
  peer: PairEnd | undefined
  #pendingWrite: (() => void) | undefined

  constructor() {
    super({ allowHalfOpen: false })
  }

  override _read(): void {
    // The peer's write waited for us to want more: let it complete.
    const pending = this.#pendingWrite
    this.#pendingWrite = undefined
    pending?.()
  }

  override _write(chunk: Uint8Array, _encoding: string, callback: (err?: Error | null) => void): void {
    const peer = this.peer
    if (!peer || peer.destroyed || peer.readableEnded) {
      return callback(new TransportError('CONNECTION_CLOSED', 'the other end of the duplex pair is closed'))
    }
    // A copy, like a socket: the writer may reuse its buffer once the write completed.
    if (peer.push(new Uint8Array(chunk))) callback()
    else peer.#pendingWrite = () => callback()
  }

  override _final(callback: (err?: Error | null) => void): void {
    const peer = this.peer
    if (peer && !peer.destroyed) peer.push(null)
    callback()
  }

  override _destroy(err: Error | null, callback: (err: Error | null) => void): void {
    const peer = this.peer
    // Like a dropped connection: the other side reads its end of stream.
    if (peer && !peer.destroyed && !peer.readableEnded) peer.push(null)
    callback(err)
  }
}

/** Returns `[clientSide, serverSide]`: bytes written on one are read on the other, with backpressure. */
export function createDuplexPair(): [Transport, Transport] {
  const a = new PairEnd()
  const b = new PairEnd()
  a.peer = b
  b.peer = a
  return [a as unknown as Transport, b as unknown as Transport]
}

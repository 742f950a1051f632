// A fault-injection TCP proxy for tests: sits between a client and a broker on a free loopback port and
// forwards raw bytes, so it serves MQTT over TCP and over WebSocket alike (put it in front of the broker's
// websocket listener). On command it cuts every connection, stalls (stops forwarding, keeps sockets open),
// delays, throttles and splits the byte stream, or refuses new connections.
import { EventEmitter } from 'node:events'
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net'

/** Where the proxy forwards to. */
export interface FaultProxyOptions {
  targetPort: number
  targetHost?: string
}

/** Live shaping of the byte stream (both directions). */
export interface Shaping {
  /** Added latency per chunk, ms (order is kept). */
  delayMs: number
  /** Bytes per second, 0 = unlimited. */
  bytesPerSecond: number
  /** Forward in pieces of at most this many bytes, each its own write on a later turn; 0 = as read. */
  splitBytes: number
}

/** Sees every chunk the proxy forwards: 'up' is client to server; `conn` numbers the connections from 1. */
export type Tap = (direction: 'up' | 'down', chunk: Uint8Array, conn: number) => void

/** A running proxy. */
export interface FaultProxy {
  port: number
  /** `<scheme>://127.0.0.1:<port><path>` */
  url(scheme?: string, path?: string): string
  /** Connections accepted so far. */
  readonly accepted: number
  /** Connections open now. */
  readonly open: number
  /** Close every open connection at once (both sides); returns how many were cut. */
  cut(): number
  /** Stop forwarding in both directions without closing (a half-open link); bytes are held, not lost. */
  stall(): void
  /** Forward again, held bytes first. */
  resume(): void
  /** Change latency, throttle and splitting; omitted fields keep their value. */
  shape(shaping: Partial<Shaping>): void
  /** Watch the forwarded bytes (wire-order checks); undefined stops watching. */
  tap(fn: Tap | undefined): void
  /** Refuse (close at once) new connections while true. */
  refuse(on: boolean): void
  /** Resolves at the next accepted and forwarded connection. */
  nextConnection(timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

interface Pipe {
  from: Socket
  to: Socket
  direction: 'up' | 'down'
  conn: number
  queue: Buffer[]
  pumping: boolean
  nextFree: number
}

/** Start a proxy to the target on a free loopback port. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const host = options.targetHost ?? '127.0.0.1'
  const shaping: Shaping = { delayMs: 0, bytesPerSecond: 0, splitBytes: 0 }
  const pairs = new Set<[Socket, Socket]>()
  const pipes = new Set<Pipe>()
  const events = new EventEmitter()
  let stalled = false
  let refusing = false
  let accepted = 0
  let tap: Tap | undefined

  const shaped = (): boolean => stalled || shaping.delayMs > 0 || shaping.bytesPerSecond > 0 || shaping.splitBytes > 0

  const pump = async (p: Pipe): Promise<void> => {
    if (p.pumping) return
    p.pumping = true
    try {
      while (p.queue.length > 0 && !stalled && !p.to.destroyed) {
        const chunk = p.queue.shift()!
        const size = shaping.splitBytes > 0 ? shaping.splitBytes : chunk.length
        for (let off = 0; off < chunk.length && !p.to.destroyed; off += size) {
          const piece = chunk.subarray(off, off + size)
          let wait = shaping.delayMs
          if (shaping.bytesPerSecond > 0) {
            const now = Date.now()
            p.nextFree = Math.max(p.nextFree, now) + (piece.length * 1000) / shaping.bytesPerSecond
            wait = Math.max(wait, p.nextFree - now)
          }
          if (wait > 0) await new Promise((r) => setTimeout(r, wait))
          else if (shaping.splitBytes > 0) await new Promise((r) => setImmediate(r))
          if (stalled) {
            // Stalled mid-chunk: keep the rest for resume().
            p.queue.unshift(chunk.subarray(off))
            return
          }
          tap?.(p.direction, piece, p.conn)
          if (!p.to.destroyed && !p.to.write(piece)) await new Promise((r) => p.to.once('drain', r))
        }
      }
    } finally {
      p.pumping = false
      if (!stalled && p.queue.length === 0 && p.from.isPaused() && !p.from.destroyed) p.from.resume()
    }
  }

  const forward = (from: Socket, to: Socket, direction: 'up' | 'down', conn: number): Pipe => {
    const p: Pipe = { from, to, direction, conn, queue: [], pumping: false, nextFree: 0 }
    pipes.add(p)
    from.on('data', (chunk: Buffer) => {
      if (!shaped() && p.queue.length === 0 && !p.pumping) {
        // The fast path: plain forwarding with backpressure.
        tap?.(direction, chunk, conn)
        if (!to.write(chunk)) {
          from.pause()
          to.once('drain', () => { if (!stalled) from.resume() })
        }
        return
      }
      p.queue.push(chunk)
      if (stalled) from.pause()
      else void pump(p)
    })
    return p
  }

  const server: Server = createServer((client) => {
    if (refusing) { client.destroy(); return }
    accepted++
    client.setNoDelay(true)
    const upstream = netConnect({ port: options.targetPort, host })
    upstream.setNoDelay(true)
    const pair: [Socket, Socket] = [client, upstream]
    pairs.add(pair)
    const a = forward(client, upstream, 'up', accepted)
    const b = forward(upstream, client, 'down', accepted)
    if (stalled) { client.pause(); upstream.pause() }
    let done = false
    const end = (): void => {
      if (done) return
      done = true
      pairs.delete(pair)
      pipes.delete(a)
      pipes.delete(b)
      client.destroy()
      upstream.destroy()
    }
    for (const s of pair) {
      s.on('error', end)
      s.on('close', end)
      s.on('end', end)
    }
    upstream.once('connect', () => events.emit('connection'))
  })
  server.on('error', () => {})
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port

  return {
    port,
    url: (scheme = 'mqtt', path = '') => `${scheme}://127.0.0.1:${port}${path}`,
    get accepted() { return accepted },
    get open() { return pairs.size },
    cut() {
      const n = pairs.size
      for (const [c, u] of [...pairs]) { c.destroy(); u.destroy() }
      return n
    },
    stall() {
      stalled = true
      for (const [c, u] of pairs) { c.pause(); u.pause() }
    },
    resume() {
      stalled = false
      for (const p of pipes) {
        if (p.queue.length > 0) void pump(p)
        else if (!p.from.destroyed) p.from.resume()
      }
    },
    shape(s) { Object.assign(shaping, s) },
    tap(fn) { tap = fn },
    refuse(on) { refusing = on },
    nextConnection(timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => { events.off('connection', on); reject(new Error('no connection through the proxy in time')) }, timeoutMs)
        const on = (): void => { clearTimeout(timer); resolve() }
        events.once('connection', on)
      })
    },
    close() {
      for (const [c, u] of [...pairs]) { c.destroy(); u.destroy() }
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

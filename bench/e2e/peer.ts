// An in-process MQTT peer on loopback TCP that acknowledges everything at once: CONNACK, SUBACK, PUBACK,
// PUBREC/PUBCOMP, PINGRESP. It takes the broker out of the measurement, so the figures show the client's own cost.
import { createServer, type Server, type Socket } from 'node:net'
import { ack, idAt, PacketScanner } from './wire.js'

const CONNACK = Uint8Array.of(0x20, 2, 0, 0)
const PINGRESP = Uint8Array.of(0xd0, 0)

/** A running peer. */
export interface InstantPeer {
  url: string
  /** Write pre-encoded chunks to the most recent connection, honouring backpressure. */
  feed(chunks: Uint8Array[]): Promise<void>
  close(): Promise<void>
}

function suback(buf: Uint8Array, body: number, end: number): Uint8Array {
  const codes: number[] = []
  let o = body + 2
  while (o < end) {
    const len = (buf[o]! << 8) | buf[o + 1]!
    o += 2 + len
    codes.push(buf[o++]! & 3)
  }
  const remaining = 2 + codes.length
  const header: number[] = [0x90]
  let x = remaining
  do { let b = x % 128; x = Math.floor(x / 128); if (x > 0) b |= 0x80; header.push(b) } while (x > 0)
  return Uint8Array.from([...header, buf[body]!, buf[body + 1]!, ...codes])
}

/** Starts the peer on a free loopback port. */
export async function startInstantPeer(): Promise<InstantPeer> {
  let current: Socket | undefined
  const sockets = new Set<Socket>()
  const server: Server = createServer({ noDelay: true }, (socket) => {
    current = socket
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    let out: Uint8Array[] = []
    const scanner = new PacketScanner((first, buf, body, end) => {
      switch (first >> 4) {
        case 1: out.push(CONNACK); break
        case 3: {
          const qos = (first >> 1) & 3
          if (qos === 0) break
          // PUBLISH: topic length, topic, then the packet id.
          const tl = (buf[body]! << 8) | buf[body + 1]!
          out.push(ack(qos === 1 ? 0x40 : 0x50, idAt(buf, body + 2 + tl)))
          break
        }
        case 6: out.push(ack(0x70, idAt(buf, body))); break
        case 8: out.push(suback(buf, body, end)); break
        case 10: out.push(Uint8Array.of(0xb0, 2, buf[body]!, buf[body + 1]!)); break
        case 12: out.push(PINGRESP); break
        case 14: socket.end(); break
      }
    })
    socket.on('data', (chunk: Uint8Array) => {
      scanner.push(chunk)
      if (out.length === 0 || socket.destroyed) return
      if (out.length === 1) socket.write(out[0]!)
      else socket.write(Buffer.concat(out))
      out = []
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    async feed(chunks) {
      const s = current
      if (!s) throw new Error('no connection to feed')
      for (const c of chunks) {
        if (!s.write(c)) await new Promise((r) => s.once('drain', r))
      }
    },
    close() {
      for (const s of sockets) s.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

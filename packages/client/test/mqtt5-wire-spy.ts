// A transport factory that opens a real socket and records the packets going each way, so MQTT 5 tests can
// assert what was on the wire (aliases, in-flight counts, nothing sent for a refused publish).
import { Parser, type Packet } from '@isomqtt/codec'
import { openTransport } from '@isomqtt/transport'
import type { Transport, TransportFactory } from '../src/index.js'

/** Packets seen on one client's connections, in order, tagged with their direction. */
export interface WireLog {
  events: Array<{ dir: 'out' | 'in'; packet: Packet }>
  sent(type: Packet['type']): Packet[]
  received(type: Packet['type']): Packet[]
  /** Most QoS 1 publishes sent and not yet acknowledged at any moment. */
  maxOutstandingQos1(): number
}

/** A TCP transport factory that logs MQTT 5 packets both ways. */
export function wireSpy(): { transport: TransportFactory; log: WireLog } {
  const events: WireLog['events'] = []
  const transport: TransportFactory = async (url, options) => {
    const t = (await openTransport(url, options)) as unknown as Transport & { write(c: Uint8Array): boolean }
    const out = new Parser({ version: 5 })
    const inp = new Parser({ version: 5 })
    const write = t.write.bind(t)
    t.write = (chunk: Uint8Array) => {
      for (const packet of out.push(chunk.slice())) events.push({ dir: 'out', packet })
      return write(chunk)
    }
    t.on('data', (chunk: Uint8Array) => {
      for (const packet of inp.push(chunk.slice())) events.push({ dir: 'in', packet })
    })
    return t
  }
  const log: WireLog = {
    events,
    sent: (type) => events.filter((e) => e.dir === 'out' && e.packet.type === type).map((e) => e.packet),
    received: (type) => events.filter((e) => e.dir === 'in' && e.packet.type === type).map((e) => e.packet),
    maxOutstandingQos1() {
      let n = 0
      let max = 0
      for (const e of events) {
        if (e.dir === 'out' && e.packet.type === 'publish' && e.packet.qos === 1) max = Math.max(max, ++n)
        if (e.dir === 'in' && e.packet.type === 'puback') n--
      }
      return max
    },
  }
  return { transport, log }
}

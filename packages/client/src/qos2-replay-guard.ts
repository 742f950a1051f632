// Mosquitto 2.0.11, restarted with persistence, resends (DUP set) QoS 2 PUBLISH packets it had already
// released with PUBREL before it went down. The client delivered those and, after its PUBCOMP, forgot the
// packet id, so without this guard it would deliver them a second time.
//
// The trade-off: the spec says that once PUBCOMP is sent, any later PUBLISH with that packet id is a new
// Application Message ([MQTT-4.3.3-2] in 3.1.1, [MQTT-4.3.3-12] in 5.0; the sender may reuse the id at
// once, 3.1.1 §2.3.1 / 5.0 §2.2.1). A replay and a genuinely new message that reuses the id with the same topic
// and payload look identical on the wire, so this guard can only narrow the window, never close it:
// - only a DUP=1 QoS 2 PUBLISH is ever suppressed: a new message is first sent with DUP=0,
//   so a legitimate repeat (same id, topic and payload, DUP=0) is always delivered [MQTT-3.3.1-1];
// - only on a connection that resumed a session (Session Present), and only before the first DUP=0
//   PUBLISH on it: a server resends its unacknowledged messages first [MQTT-4.4.0-1], a replay arrives in
//   that burst, and the first new message ends it;
// - only ids released on the connection(s) before this one (nothing released on the live connection);
// - the fingerprint (topic + payload) must match the released message.
// What stays possible: a server that reuses a just-released id for a byte-identical message, loses the
// connection before we read it, and resends it with DUP=1; the guard then drops that copy. Servers that
// allocate ids sequentially (Mosquitto: 65535 others first) cannot do this within the guard's memory.

/** FNV-1a over the topic's UTF-16 units and the payload bytes. */
function fingerprint(topic: string, payload: Uint8Array): number {
  let h = 0x811c9dc5
  for (let i = 0; i < topic.length; i++) h = Math.imul(h ^ topic.charCodeAt(i), 0x01000193)
  h = Math.imul(h ^ 0xff, 0x01000193)
  for (let i = 0; i < payload.length; i++) h = Math.imul(h ^ payload[i]!, 0x01000193)
  return (h ^ payload.length) >>> 0
}

/** What the guard looks at in an inbound PUBLISH. */
export interface InboundPublish {
  qos: number
  dup: boolean
  packetId?: number
  topic: string
  payload: Uint8Array
}

/** Released inbound QoS 2 messages by packet id, bounded, checked only in the resend window of a resumed session. */
export class Qos2ReplayGuard {
  private readonly held = new Map<number, number>()
  /** Released on the live connection. */
  private current = new Map<number, number>()
  /** Released on earlier connections: what a replay may repeat. */
  private previous = new Map<number, number>()
  /** True from a session-present connect until the first DUP=0 PUBLISH. */
  private window = false

  constructor(private readonly capacity = 4096) {}

  /** A connection was established; without a session nothing the server sends can be a replay. */
  connected(sessionPresent: boolean): void {
    if (!sessionPresent) {
      this.clear()
      return
    }
    // An earlier window that never closed (no new message came) still covers its ids.
    const keep = this.window ? this.previous : new Map<number, number>()
    for (const [id, f] of this.current) { keep.delete(id); keep.set(id, f) }
    while (keep.size > this.capacity) keep.delete(keep.keys().next().value!)
    this.previous = keep
    this.current = new Map()
    this.window = keep.size > 0
  }

  /** True for a replayed QoS 2 PUBLISH to acknowledge without delivering; call for every inbound PUBLISH. */
  check(p: InboundPublish): boolean {
    if (!p.dup) {
      this.window = false
      return false
    }
    if (!this.window || p.qos !== 2 || p.packetId === undefined) return false
    const f = this.previous.get(p.packetId)
    return f !== undefined && f === fingerprint(p.topic, p.payload)
  }

  /** A new QoS 2 message was delivered: fingerprint it until its PUBREL. */
  delivered(id: number, topic: string, payload: Uint8Array): void {
    this.previous.delete(id)
    this.current.delete(id)
    this.held.set(id, fingerprint(topic, payload))
  }

  /** PUBREL arrived for `id`. */
  release(id: number): void {
    const f = this.held.get(id)
    if (f === undefined) return
    this.held.delete(id)
    this.current.set(id, f)
    if (this.current.size > this.capacity) this.current.delete(this.current.keys().next().value!)
  }

  /** Forget everything (the server has no session). */
  clear(): void {
    this.held.clear()
    this.current.clear()
    this.previous.clear()
    this.window = false
  }
}

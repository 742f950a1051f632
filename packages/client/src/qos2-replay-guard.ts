// Mosquitto 2.0.11, restarted with persistence, resends (DUP set) QoS 2 PUBLISH packets it had already
// released with PUBREL before it went down. The client delivered those and, after the PUBREL, forgot the
// packet id, as [MQTT-4.3.3-2] allows, so it would deliver them a second time. This guard remembers the
// most recently released ids with a fingerprint of topic and payload: a DUP PUBLISH matching one is such a
// replay and is acknowledged without being delivered again.

/** FNV-1a over the topic's UTF-16 units and the payload bytes. */
function fingerprint(topic: string, payload: Uint8Array): number {
  let h = 0x811c9dc5
  for (let i = 0; i < topic.length; i++) h = Math.imul(h ^ topic.charCodeAt(i), 0x01000193)
  h = Math.imul(h ^ 0xff, 0x01000193)
  for (let i = 0; i < payload.length; i++) h = Math.imul(h ^ payload[i]!, 0x01000193)
  return (h ^ payload.length) >>> 0
}

/** Released inbound QoS 2 messages by packet id, most recent last, bounded. */
export class Qos2ReplayGuard {
  private readonly held = new Map<number, number>()
  private readonly released = new Map<number, number>()

  constructor(private readonly capacity = 4096) {}

  /** A new QoS 2 message was delivered: fingerprint it until its PUBREL. */
  delivered(id: number, topic: string, payload: Uint8Array): void {
    this.released.delete(id)
    this.held.set(id, fingerprint(topic, payload))
  }

  /** True for a DUP PUBLISH of a message whose PUBREL was already answered. */
  isReplay(id: number, dup: boolean, topic: string, payload: Uint8Array): boolean {
    if (!dup) return false
    const f = this.released.get(id)
    return f !== undefined && f === fingerprint(topic, payload)
  }

  /** PUBREL arrived for `id`. */
  release(id: number): void {
    const f = this.held.get(id)
    if (f === undefined) return
    this.held.delete(id)
    this.released.set(id, f)
    if (this.released.size > this.capacity) this.released.delete(this.released.keys().next().value!)
  }

  /** The server has no session: nothing it sends can be a replay. */
  clear(): void {
    this.held.clear()
    this.released.clear()
  }
}

// MQTT 5 topic aliases (§3.3.2.3.4). Both tables live and die with one connection [MQTT-3.3.2-7]:
// a new connection starts with none, and a stored packet never carries an alias (it may be resent on
// another connection where the alias means nothing).
import { MqttError } from './errors.js'

/** How one outbound PUBLISH travels: with an alias, and with or without its topic. */
export interface AliasChoice {
  alias: number
  /** False when the alias already stands for the topic on this connection: send an empty topic. */
  sendTopic: boolean
}

/**
 * Outbound aliases, assigned automatically within the server's Topic Alias Maximum. When every alias is
 * taken, the least recently used one is given to the new topic (the packet that re-binds it carries the
 * topic, and the queue writes packets in the order aliases were assigned, so the server never
 * resolves an alias to the wrong topic).
 */
export class OutboundAliases {
  // A Map iterates in insertion order: re-inserting on use keeps the least recently used first.
  private readonly byTopic = new Map<string, number>()
  private next = 1

  /** `maximum` is the server's Topic Alias Maximum; 0 turns aliases off. */
  constructor(readonly maximum: number) {}

  /** Aliases in use. */
  get size(): number {
    return this.byTopic.size
  }

  /** The alias to send `topic` with, or undefined when aliases are off. */
  assign(topic: string): AliasChoice | undefined {
    if (this.maximum <= 0) return undefined
    const known = this.byTopic.get(topic)
    if (known !== undefined) {
      this.byTopic.delete(topic)
      this.byTopic.set(topic, known)
      return { alias: known, sendTopic: false }
    }
    let alias: number
    if (this.next <= this.maximum) {
      alias = this.next++
    } else {
      const oldest = this.byTopic.entries().next().value as [string, number]
      this.byTopic.delete(oldest[0])
      alias = oldest[1]
    }
    this.byTopic.set(topic, alias)
    return { alias, sendTopic: true }
  }
}

/** Inbound aliases: the server's bindings of alias -> topic, bounded by the maximum we advertised. */
export class InboundAliases {
  private readonly topics: Array<string | undefined> = []

  /** `maximum` is the Topic Alias Maximum we sent in CONNECT (0: the server must use none). */
  constructor(readonly maximum: number) {}

  /**
   * The topic of a received PUBLISH: binds the alias when the topic is given, looks it up when the topic is
   * empty. Throws a PROTOCOL_ERROR / TOPIC_ALIAS_INVALID MqttError (reason code for DISCONNECT) otherwise.
   */
  resolve(topic: string, alias: number | undefined): string {
    if (alias === undefined) return topic
    // [MQTT-3.3.2-9] [MQTT-3.3.2-10] 0 and values above our maximum are errors.
    if (alias === 0 || alias > this.maximum) {
      throw new MqttError('TOPIC_ALIAS_INVALID', `topic alias ${alias} is outside 1..${this.maximum}`, { reasonCode: 0x94 })
    }
    if (topic.length > 0) {
      this.topics[alias] = topic
      return topic
    }
    const bound = this.topics[alias]
    if (bound === undefined) {
      // A publish to an unregistered alias (MQTT.js crashed here, #1176): a protocol error, never a crash.
      throw new MqttError('PROTOCOL_ERROR', `topic alias ${alias} was never bound to a topic`, { reasonCode: 0x82 })
    }
    return bound
  }
}

// Shared test fixtures: the broker and page addresses from the global setup, and a Node-side isomqtt
// client (the built package, as a Node user gets it) that collects what it receives.
import { test as base } from '@playwright/test'
import { createClient, type ClientOptions, type Message, type MqttClient } from '@isomqtt/client'

/** A Node client plus the messages it received, in order. */
export interface NodePeer {
  client: MqttClient
  received: Message[]
  /** Resolves once `count` messages matching `topicPrefix` arrived; rejects after `timeoutMs` [20 s]. */
  waitFor(count: number, topicPrefix?: string, timeoutMs?: number): Promise<Message[]>
}

/** Addresses of what the global setup started. */
export const env = {
  get brokerUrl(): string { return process.env.ISOMQTT_BROKER_URL! },
  get brokerWsUrl(): string { return process.env.ISOMQTT_BROKER_WS_URL! },
  get pageUrl(): string { return process.env.ISOMQTT_PAGE_URL! },
}

/** Connects a Node client to `url` (default: the shared broker) that records every message. */
export async function nodePeer(url = env.brokerUrl, options: ClientOptions = {}): Promise<NodePeer> {
  const received: Message[] = []
  let waiters: Array<() => void> = []
  // Listening before connecting: a persistent session's queued messages arrive right after CONNACK.
  const client = createClient({ ...options, servers: [url] })
  client.on('message', (m) => { received.push(m); const w = waiters; waiters = []; for (const f of w) f() })
  await client.connect()
  const matching = (prefix?: string) => received.filter((m) => prefix === undefined || m.topic.startsWith(prefix))
  return {
    client,
    received,
    async waitFor(count, prefix, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs
      while (matching(prefix).length < count) {
        const left = deadline - Date.now()
        if (left <= 0) throw new Error(`expected ${count} message(s) on ${prefix ?? '#'}, got ${matching(prefix).length}`)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left)
          waiters.push(() => { clearTimeout(timer); resolve() })
        })
      }
      return matching(prefix)
    },
  }
}

/** A unique topic root per test, so tests sharing a broker never see each other's messages. */
export function topicRoot(name: string): string {
  return `t/${name}/${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
}

export const test = base
export { expect } from '@playwright/test'

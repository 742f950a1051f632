// MQTT 5 Subscription Identifiers (§3.8.2.1.2): one per SUBSCRIBE, assigned by the client, so a message
// is routed by the identifiers the server attached to it rather than by matching filters again. When two
// subscriptions overlap, each copy the server sends reaches only the subscription it was sent for.
import { parseSharedSubscription, topicMatches } from '@isomqtt/codec'

/** Largest Subscription Identifier [MQTT 5 §3.8.2.1.2]. */
export const MAX_SUBSCRIPTION_ID = 268_435_455

interface Entry<S> {
  filters: readonly string[]
  sub: S
}

/** The identifiers given out by one client and the subscriptions they stand for. */
export class SubscriptionIds<S> {
  private next = 1
  private readonly byId = new Map<number, Entry<S>>()
  /** A filter subscribed again replaces the server's subscription, and with it the identifier. */
  private readonly latest = new Map<string, number>()
  /** Subscriptions holding each exact filter: all of them get what the filter's latest identifier brings. */
  private readonly holders = new Map<string, S[]>()

  /** Identifiers in use. */
  get size(): number {
    return this.byId.size
  }

  /** A fresh identifier. */
  allocate(): number {
    const id = this.next
    this.next = id === MAX_SUBSCRIPTION_ID ? 1 : id + 1
    return id
  }

  /** The server granted SUBSCRIBE `id` for `filters`, delivered to `sub`. */
  bind(id: number, filters: readonly string[], sub: S): void {
    this.byId.set(id, { filters, sub })
    for (const f of filters) {
      this.latest.set(f, id)
      const list = this.holders.get(f)
      if (!list) this.holders.set(f, [sub])
      else if (!list.includes(sub)) list.push(sub)
    }
  }

  /** The identifier the server's subscription on `filter` carries (the latest SUBSCRIBE of it), if any. */
  latestId(filter: string): number | undefined {
    return this.latest.get(filter)
  }

  /** `sub` no longer holds `filters`; a filter nobody holds stops routing. */
  drop(sub: S, filters: readonly string[]): void {
    for (const f of filters) {
      const list = this.holders.get(f)
      if (!list) continue
      const i = list.indexOf(sub)
      if (i >= 0) list.splice(i, 1)
      if (list.length > 0) continue
      this.holders.delete(f)
      const id = this.latest.get(f)
      this.latest.delete(f)
      const entry = id === undefined ? undefined : this.byId.get(id)
      if (entry && !entry.filters.some((g) => this.latest.get(g) === id)) this.byId.delete(id!)
    }
  }

  /** Forget everything (the client closed, or the session is gone). */
  clear(): void {
    this.byId.clear()
    this.latest.clear()
    this.holders.clear()
  }

  /**
   * The subscriptions a message with these identifiers goes to, each once, into `out`: every holder of a
   * filter the identifier still stands for and that matches the topic. Returns false when that finds none
   * (the caller then routes by filter): no identifier is known, or one is stale, as on a message a resumed
   * session queued under an identifier of an earlier process, which this one has given to another filter.
   */
  route(topic: string, ids: readonly number[], out: S[]): boolean {
    out.length = 0
    for (const id of ids) {
      const entry = this.byId.get(id)
      if (!entry) continue
      for (const f of entry.filters) {
        if (this.latest.get(f) !== id) continue
        if (!topicMatches(parseSharedSubscription(f)?.filter ?? f, topic)) continue
        for (const s of this.holders.get(f) ?? []) if (!out.includes(s)) out.push(s)
      }
    }
    return out.length > 0
  }
}

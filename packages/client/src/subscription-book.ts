// The client's live subscriptions: their routes in the filter trie, their MQTT 5 identifiers, what each
// asked for (a reconnect without a session subscribes that again), and the filters of unsubscribe() calls
// still waiting for the connection (a resubscribe leaves them out, so their retained messages stay away).
import type { UserProperty } from '@isomqtt/codec'
import { resubscribePlan, type ResubscribeGroup, type SubscribeEntry } from './resubscribe.js'
import type { Router } from './router.js'
import type { Subscription } from './subscription.js'
import type { SubscriptionIds } from './subscription-ids.js'

/** Subscriptions of one client and their bookkeeping. */
export class SubscriptionBook {
  private readonly subs = new Set<Subscription>()
  /** Each subscription's filters as asked (QoS, options) and its SUBSCRIBE's user properties. */
  private readonly requested = new WeakMap<Subscription, { entries: SubscribeEntry[]; userProperties?: UserProperty[] }>()
  /** Filters of unsubscribe() calls waiting for the connection. */
  private readonly leaving = new Set<string>()

  /** `subIds`: the MQTT 5 identifiers, once an MQTT 5 connect loaded them. */
  constructor(private readonly router: Router<Subscription>, private readonly subIds: () => SubscriptionIds<Subscription> | undefined) {}

  /** A SUBACK granted `sub`: route its filters to it (MQTT 5: under identifier `id`, 0 for none). */
  add(sub: Subscription, entries: SubscribeEntry[], v5: boolean, id: number | undefined, userProperties: UserProperty[] | undefined): void {
    if (v5) this.subIds()?.bind(id ?? 0, entries.map((f) => f.filter), sub)
    for (const g of sub.filters) this.router.add(g.filter, sub)
    this.subs.add(sub)
    this.requested.set(sub, { entries, userProperties })
  }

  /** An UNSUBACK accepted `filters`: every subscription on them loses them and ends when none is left. */
  unsubscribed(filters: readonly string[]): void {
    for (const f of filters) {
      for (const sub of this.router.routesOf(f)) {
        this.subIds()?.drop(sub, [f])
        this.router.remove(f, sub)
        if (!sub.filters.some((g) => this.router.routesOf(g.filter).includes(sub))) {
          sub.end()
          this.subs.delete(sub)
        }
      }
    }
  }

  /** End `sub` here; returns its filters no other subscription holds (to UNSUBSCRIBE). */
  remove(sub: Subscription): string[] {
    this.subIds()?.drop(sub, sub.filters.map((g) => g.filter))
    for (const g of sub.filters) this.router.remove(g.filter, sub)
    sub.end()
    this.subs.delete(sub)
    return [...new Set(sub.filters.map((g) => g.filter))].filter((f) => this.router.routesOf(f).length === 0)
  }

  /** An unsubscribe() of `filters` waits for the connection: a resubscribe meanwhile leaves them out. */
  startLeaving(filters: readonly string[]): void {
    for (const f of filters) this.leaving.add(f)
  }

  /** That unsubscribe() settled. */
  doneLeaving(filters: readonly string[]): void {
    for (const f of filters) this.leaving.delete(f)
  }

  /** What to subscribe again on a connection without the session; `ids`: MQTT 5 identifiers are in use. */
  live(ids: boolean): ResubscribeGroup[] {
    // Asked on every connect without a session: nothing to plan is the common case.
    if (this.subs.size === 0) return []
    const live = [...this.subs].map((sub) => {
      const asked = this.requested.get(sub)
      const entries = (asked?.entries ?? []).filter((e) => !this.leaving.has(e.filter) && this.router.routesOf(e.filter).includes(sub))
      return { id: sub.subscriptionIdentifier, entries, userProperties: asked?.userProperties }
    })
    // MQTT 5: each filter again under the identifier the server's subscription had (0: none was sent).
    return resubscribePlan(live, (f) => (ids ? this.subIds()?.latestId(f) || undefined : undefined))
  }

  /** The client closed: every subscription ends. */
  endAll(): void {
    this.subIds()?.clear()
    for (const sub of this.subs) {
      for (const g of sub.filters) this.router.remove(g.filter, sub)
      sub.end()
    }
    this.subs.clear()
  }
}

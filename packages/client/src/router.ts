// A topic-filter trie from filters to the subscriptions that hold them: dispatch cost depends on the topic's
// depth and the matching branches, not on the number of unrelated subscriptions. A shared subscription
// (`$share/{group}/{filter}` [MQTT-4.8.2-1], EMQX's `$queue/{filter}`) gets messages on the topics its inner
// filter matches, so it lives in a trie of its own per group, under that filter.
import { parseSharedSubscription } from '@isomqtt/codec'

/** Anything a filter routes to. */
export interface Route {
  /** Set by the router while matching, so one route matched by two filters is returned once. */
  matchMark: number
}

interface TrieNode<R> {
  children: Map<string, TrieNode<R>> | undefined
  routes: Set<R> | undefined
}

const node = <R>(): TrieNode<R> => ({ children: undefined, routes: undefined })

/** Topics whose matches are remembered; streams usually repeat a few topics, so a small cache serves them. */
const CACHE_TOPICS = 512

/** Maps topic filters to routes; `match` returns each route at most once per topic. */
export class Router<R extends Route> {
  private readonly root: TrieNode<R> = node()
  private mark = 0
  private count = 0
  /** Matches of recently seen topics (splitting and walking the trie per message is most of dispatch). */
  private cache = new Map<string, R[]>()
  /** Shared subscriptions' tries, by group (`$share/g`, `$queue`); undefined until one is added. */
  private groups: Map<string, Router<R>> | undefined = undefined

  /** Number of (filter, route) pairs. */
  get size(): number {
    return this.count
  }

  /** Route messages matching `filter` to `route`. */
  add(filter: string, route: R): void {
    const shared = sharedParts(filter)
    if (shared) {
      let g = (this.groups ??= new Map()).get(shared.group)
      if (!g) this.groups.set(shared.group, (g = new Router<R>()))
      const before = g.count
      g.add(shared.filter, route)
      if (g.count !== before) { this.count++; this.cache.clear() }
      return
    }
    let n = this.root
    for (const level of filter.split('/')) {
      n.children ??= new Map()
      let child = n.children.get(level)
      if (!child) n.children.set(level, (child = node()))
      n = child
    }
    n.routes ??= new Set()
    if (!n.routes.has(route)) { n.routes.add(route); this.count++; this.cache.clear() }
  }

  /** Stop routing `filter` to `route`; returns whether it was there. */
  remove(filter: string, route: R): boolean {
    const shared = sharedParts(filter)
    if (shared) {
      const g = this.groups?.get(shared.group)
      if (!g?.remove(shared.filter, route)) return false
      if (g.count === 0) this.groups!.delete(shared.group)
      this.count--
      this.cache.clear()
      return true
    }
    const path: Array<[TrieNode<R>, string]> = []
    let n: TrieNode<R> | undefined = this.root
    for (const level of filter.split('/')) {
      const child: TrieNode<R> | undefined = n.children?.get(level)
      if (!child) return false
      path.push([n, level])
      n = child
    }
    if (!n.routes?.delete(route)) return false
    this.count--
    this.cache.clear()
    // Prune empty branches so the trie does not grow with churn.
    for (let i = path.length - 1; i >= 0; i--) {
      const [parent, level] = path[i]!
      const child = parent.children!.get(level)!
      if ((child.routes?.size ?? 0) > 0 || (child.children?.size ?? 0) > 0) break
      parent.children!.delete(level)
    }
    return true
  }

  /** Every route for `filter` (exact filter, not matching). */
  routesOf(filter: string): R[] {
    const shared = sharedParts(filter)
    if (shared) return this.groups?.get(shared.group)?.routesOf(shared.filter) ?? []
    let n: TrieNode<R> | undefined = this.root
    for (const level of filter.split('/')) {
      n = n.children?.get(level)
      if (!n) return []
    }
    return n.routes ? [...n.routes] : []
  }

  /** Routes whose filters match `topic`, each once, into `out` (reused by the caller to avoid allocation). */
  match(topic: string, out: R[]): R[] {
    out.length = 0
    const cached = this.cache.get(topic)
    if (cached) {
      for (let i = 0; i < cached.length; i++) out.push(cached[i]!)
      return out
    }
    const mark = ++this.mark
    const levels = topic.split('/')
    // [MQTT-4.7.2-1] a filter starting with a wildcard does not match a topic starting with '$'.
    const dollar = topic.charCodeAt(0) === 36
    this.walk(this.root, levels, 0, mark, out, dollar)
    if (this.groups) for (const g of this.groups.values()) g.walk(g.root, levels, 0, mark, out, dollar)
    if (this.cache.size >= CACHE_TOPICS) this.cache.clear()
    this.cache.set(topic, out.slice())
    return out
  }

  private walk(n: TrieNode<R>, levels: string[], i: number, mark: number, out: R[], dollar: boolean): void {
    const children = n.children
    if (!children) return
    const wildOk = !(dollar && i === 0)
    // '#' matches the parent level too ("a/#" matches "a") [MQTT-4.7.1-2].
    if (wildOk) {
      const hash = children.get('#')
      if (hash) this.collect(hash, mark, out)
    }
    if (i === levels.length) return
    const exact = children.get(levels[i]!)
    if (exact) this.step(exact, levels, i + 1, mark, out, dollar)
    if (wildOk) {
      const plus = children.get('+')
      if (plus) this.step(plus, levels, i + 1, mark, out, dollar)
    }
  }

  private step(n: TrieNode<R>, levels: string[], i: number, mark: number, out: R[], dollar: boolean): void {
    if (i === levels.length) this.collect(n, mark, out)
    this.walk(n, levels, i, mark, out, dollar)
  }

  private collect(n: TrieNode<R>, mark: number, out: R[]): void {
    if (!n.routes) return
    for (const r of n.routes) {
      if (r.matchMark !== mark) { r.matchMark = mark; out.push(r) }
    }
  }
}

/** A shared subscription's group and inner filter; undefined for any other filter. */
function sharedParts(filter: string): { group: string; filter: string } | undefined {
  if (filter.charCodeAt(0) !== 36) return undefined
  if (filter.startsWith('$queue/')) return { group: '$queue', filter: filter.slice(7) }
  const shared = parseSharedSubscription(filter)
  return shared && { group: `$share/${shared.group}`, filter: shared.filter }
}

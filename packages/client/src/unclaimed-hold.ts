// Messages no subscription claims, held for a while after a connection resumed a session. The server sends a
// persistent session's queued messages right after CONNACK, before the application's `subscribe()` calls have
// made their routes: acknowledged and dropped then, as MQTT clients commonly do (Paho Go's users meet it as
// messages lost across a restart), a `clean: false` client written the obvious way (`await connect(...)`, then
// `await client.subscribe(filter, handler)`) would lose exactly the messages it asked the server to keep.
// Held, unacknowledged, they go to the first subscription (or 'message' listener) that claims them; what none
// claims within the window is acknowledged and dropped. The same holds while a subscribe() waits for its
// SUBACK: a server may send matching messages before it (§3.8.4 of MQTT 3.1.1 and 5), and until the SUBACK no
// route leads to the new subscription.
//
// A held message is a promise that settles when the message is claimed or released; the dispatcher then
// delivers it (or drops it) and acknowledges it. Held messages wait aside, not in the dispatch queue: one on a
// topic the application no longer subscribes to (a persistent session keeps old subscriptions) must not keep
// every other message waiting for the whole window. So each subscription still gets its messages in arrival
// order, but a held one comes after messages of other subscriptions that arrived later, and its PUBACK after
// theirs. The hold is bounded like the dispatch backlog.
import { weight, type ResolvedDispatchBacklog } from './dispatcher.js'
import type { Message } from './message.js'
import type { TimerHandle, TimerSource } from './timers.js'

interface Held {
  message: Message
  settle: () => void
}

/** The held messages of one client. */
export class UnclaimedHold {
  private held: Held[] = []
  private bytes = 0
  private timer: TimerHandle | undefined = undefined
  /** subscribe() calls waiting for their SUBACK. */
  private subscribing = 0
  /** Messages released unclaimed: not held again when the dispatcher routes them once more. */
  private readonly released = new WeakSet<Message>()

  constructor(private readonly holdMs: number, private readonly limits: ResolvedDispatchBacklog, private readonly timers: TimerSource) {}

  /** A connection started its session: a resumed one opens the window for `holdMs`. */
  sessionStarted(present: boolean): void {
    if (!present || this.holdMs === 0) return
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer)
    this.timer = this.timers.setTimeout(() => this.close(), this.holdMs)
  }

  /** A subscribe() starts (+1) or has settled (-1); after the last one, what nothing claimed is released. */
  subscribe(delta: 1 | -1): void {
    this.subscribing += delta
    if (this.subscribing === 0 && this.timer === undefined) this.close()
  }

  /**
   * Holds an unclaimed message while the window is open: a promise that settles once it is claimed or
   * released (route it again then); undefined when the window is closed or it was released already.
   */
  keep(message: Message): Promise<void> | undefined {
    if ((this.timer === undefined && this.subscribing === 0) || this.released.has(message)) return undefined
    const held = new Promise<void>((settle) => this.held.push({ message, settle }))
    this.bytes += weight(message)
    let over = 0
    while (this.held.length - over > 1 && (this.held.length - over > this.limits.maxMessages || this.bytes > this.limits.maxBytes)) {
      this.bytes -= weight(this.held[over++]!.message)
    }
    if (over > 0) this.letGo(this.held.splice(0, over), true)
    return held
  }

  /** Subscriptions or a listener were added: the held messages `claimed` accepts are let go, in arrival order. */
  claim(claimed: (message: Message) => boolean): void {
    if (this.held.length === 0) return
    const taken: Held[] = []
    const kept: Held[] = []
    for (const h of this.held) (claimed(h.message) ? taken : kept).push(h)
    if (taken.length === 0) return
    this.held = kept
    for (const h of taken) this.bytes -= weight(h.message)
    this.letGo(taken, false)
  }

  /**
   * The window ends (its time is up, or the last subscribe() settled): held messages are released. `closing`:
   * the client closed, and they are forgotten instead, neither delivered, acknowledged nor counted as dropped
   * (the server keeps those of QoS 1 and 2 for the session).
   */
  close(closing = false): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer)
    this.timer = undefined
    if (this.subscribing > 0 && !closing) return
    const rest = this.held
    this.held = []
    this.bytes = 0
    if (!closing) this.letGo(rest, true)
  }

  /** Settles held messages; released ones are not held again when routed once more (and then dropped). */
  private letGo(entries: Held[], released: boolean): void {
    if (released) for (const h of entries) this.released.add(h.message)
    for (const h of entries) h.settle()
  }
}

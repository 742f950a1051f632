// Messages no subscription claims, held for a while after a connection resumed a session. The server sends a
// persistent session's queued messages right after CONNACK, before the application's `subscribe()` calls have
// made their routes: acknowledged and dropped then, as MQTT clients commonly do (Paho Go's users meet it as
// messages lost across a restart), a `clean: false` client written the obvious way (`await connect(...)`, then
// `await client.subscribe(filter, handler)`) would lose exactly the messages it asked the server to keep.
// Held, with their acknowledgements, they go to the first subscription that matches them. What none claims
// within the window is acknowledged and dropped. The hold is bounded like the dispatch backlog. The same holds
// while a subscribe() waits for its SUBACK: a server may send matching messages before it (§3.8.4 of MQTT 3.1.1
// and 5), and until the SUBACK no route leads to the new subscription.
import { weight, type ResolvedDispatchBacklog } from './dispatcher.js'
import type { Message } from './message.js'
import type { TimerHandle, TimerSource } from './timers.js'

/** The held messages of one client. */
export class UnclaimedHold {
  private held: Message[] = []
  private bytes = 0
  private timer: TimerHandle | undefined = undefined
  /** subscribe() calls waiting for their SUBACK. */
  private subscribing = 0

  /** `release`: messages leaving unclaimed (acknowledge, count, trace). */
  constructor(
    private readonly holdMs: number,
    private readonly limits: ResolvedDispatchBacklog,
    private readonly timers: TimerSource,
    private readonly release: (messages: Message[]) => void,
  ) {}

  /** Messages held now. */
  get size(): number {
    return this.held.length
  }

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

  /** Keeps an unclaimed message while the window is open; false when it is closed (the message is not held). */
  keep(message: Message): boolean {
    if (this.timer === undefined && this.subscribing === 0) return false
    this.held.push(message)
    this.bytes += weight(message)
    let over = 0
    while (this.held.length - over > 1 && (this.held.length - over > this.limits.maxMessages || this.bytes > this.limits.maxBytes)) {
      this.bytes -= weight(this.held[over++]!)
    }
    if (over > 0) this.release(this.held.splice(0, over))
    return true
  }

  /** Subscriptions were added: the held messages `claimed` accepts leave the hold, in arrival order. */
  claim(claimed: (message: Message) => boolean): Message[] {
    if (this.held.length === 0) return []
    const taken: Message[] = []
    const kept: Message[] = []
    for (const m of this.held) (claimed(m) ? taken : kept).push(m)
    if (taken.length > 0) {
      this.held = kept
      for (const m of taken) this.bytes -= weight(m)
    }
    return taken
  }

  /** The window ends: what is still held is released (`release` false: forgotten, as when the client closed). */
  close(release = true): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer)
    this.timer = undefined
    if (this.subscribing > 0 && release) return
    const rest = this.held
    this.held = []
    this.bytes = 0
    if (release && rest.length > 0) this.release(rest)
  }
}

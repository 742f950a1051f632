// A subscription: the filters the server granted, the handler they route to, and an AsyncIterable view
// with a bounded buffer when no handler was given.
import type { QoS } from '@isomqtt/codec'
import type { Message } from './message.js'
import type { Route } from './router.js'

/**
 * A message handler; what an async handler returns (any promise or thenable) is awaited when `orderMatters` is
 * on. Any return type is accepted, so `(m) => client.publish(...)` type-checks as it runs.
 */
export type MessageHandler = (message: Message) => unknown

/** One granted filter. */
export interface GrantedFilter {
  filter: string
  /** The QoS the server granted. */
  qos: QoS
  /** MQTT 5: the SUBACK reason code for this filter (the granted QoS when it succeeded). */
  reasonCode?: number
}

/** What a Subscription needs from its client. */
export interface SubscriptionOwner {
  endSubscription(sub: Subscription): Promise<void>
  /** The loops iterating a QoS 1/2 message whose acknowledgement waited for them are done with it. */
  taken(message: Message): void
}

/** Default number of messages an iterated subscription buffers before dropping the oldest. */
export const DEFAULT_SUBSCRIPTION_BUFFER = 1000

/**
 * An active subscription. With a handler, messages go to it. Without one, iterate it (`for await`): it buffers
 * up to `bufferSize` messages; beyond that the oldest QoS 0 one is dropped and `dropped` counts it. Once
 * iterated, a QoS 1/2 message is never dropped and is acknowledged once the loop is done with it (asks for the
 * next one, or leaves): the server's in-flight window bounds how many wait. Iteration ends when the
 * subscription ends (unsubscribe, disconnect, destroy).
 */
export class Subscription implements AsyncIterable<Message>, Route {
  /** @internal router bookkeeping */
  matchMark = 0
  /** The filters with the QoS granted for each. */
  readonly filters: readonly GrantedFilter[]
  /** Messages dropped because the iteration buffer was full. */
  dropped = 0
  /** MQTT 5: the Subscription Identifier its SUBSCRIBE carried (messages are routed by it). */
  subscriptionIdentifier: number | undefined
  private readonly handler: MessageHandler | undefined
  private readonly owner: SubscriptionOwner
  private readonly bufferSize: number
  private buffer: Message[] = []
  private head = 0
  private waiter: ((r: IteratorResult<Message>) => void) | undefined
  private ended = false
  /** An iterator was asked for: from then on QoS 1/2 messages are acknowledged only once the loop is done with them. */
  private iterating = false
  /** The QoS 1/2 message the loop took last: done with once it asks for the next one (or leaves). */
  private current: Message | undefined = undefined

  constructor(owner: SubscriptionOwner, filters: GrantedFilter[], handler: MessageHandler | undefined, bufferSize = DEFAULT_SUBSCRIPTION_BUFFER) {
    this.owner = owner
    this.filters = filters
    this.handler = handler
    this.bufferSize = Math.max(1, bufferSize)
  }

  /** @internal iterated (no handler): delivering only buffers, so it may happen ahead of the handlers' queue. */
  get iterated(): boolean {
    return this.handler === undefined
  }

  /** True until unsubscribed or the client closed. */
  get active(): boolean {
    return !this.ended
  }

  /** Unsubscribe the filters no other subscription holds; resolves at UNSUBACK. */
  unsubscribe(): Promise<void> {
    if (this.ended) return Promise.resolve()
    return this.owner.endSubscription(this)
  }

  /** @internal deliver one message (returns the handler's promise, if any). */
  deliver(message: Message): unknown {
    if (this.ended) return undefined
    if (this.handler) return this.handler(message)
    if (this.iterating && message.qos > 0) message.untaken++
    if (this.waiter) {
      const w = this.waiter
      this.waiter = undefined
      this.took(message)
      w({ value: message, done: false })
      return undefined
    }
    if (this.buffer.length - this.head >= this.bufferSize) this.dropOldestQos0()
    this.buffer.push(message)
    return undefined
  }

  /** The loop took `message`: the one before it is done with. */
  private took(message: Message | undefined): void {
    const done = this.current
    this.current = message?.qos ? message : undefined
    if (done) this.release(done)
  }

  /** The buffer is full: the oldest QoS 0 message goes (QoS 1/2 ones are bounded by the server's window). */
  private dropOldestQos0(): void {
    const b = this.buffer
    let i = this.head
    while (i < b.length && b[i]!.qos !== 0) i++
    if (i === b.length) return
    if (i === this.head) b[this.head++] = undefined as never
    else b.splice(i, 1)
    this.dropped++
    // Compact now and then so a full buffer's dropped slots do not pile up.
    if (this.head >= this.bufferSize) { this.buffer = b.slice(this.head); this.head = 0 }
  }

  /** A message is done with (or let go): the last iteration holding it releases its acknowledgement. */
  private release(message: Message): void {
    // Only an iterated subscription counted its QoS 1/2 messages (in deliver, or when its iteration began).
    if (!this.iterating || message.qos === 0) return
    if (--message.untaken === 0 && message.ackDeferred) this.owner.taken(message)
  }

  /**
   * @internal end the subscription: iteration finishes after the buffered messages, which are acknowledged now
   * (nothing may be iterating them any more, and their acknowledgements would hold the server's window).
   */
  end(): void {
    if (this.ended) return
    this.ended = true
    this.took(undefined)
    for (let i = this.head; i < this.buffer.length; i++) this.release(this.buffer[i]!)
    const w = this.waiter
    this.waiter = undefined
    w?.({ value: undefined, done: true })
  }

  [Symbol.asyncIterator](): AsyncIterator<Message> {
    if (!this.iterating) {
      this.iterating = true
      // Messages buffered before: counted now (for one already acknowledged, the count changes nothing).
      for (let i = this.head; i < this.buffer.length; i++) if (this.buffer[i]!.qos > 0) this.buffer[i]!.untaken++
    }
    return {
      next: () => {
        // Asking for the next message means the loop is done with the last one: its acknowledgement may go.
        if (this.head < this.buffer.length) {
          const value = this.buffer[this.head]!
          this.buffer[this.head++] = undefined as never
          if (this.head === this.buffer.length) { this.buffer = []; this.head = 0 }
          // After end() the buffered messages were let go already.
          this.took(this.ended ? undefined : value)
          return Promise.resolve({ value, done: false })
        }
        this.took(undefined)
        if (this.ended) return Promise.resolve({ value: undefined, done: true })
        return new Promise((resolve) => { this.waiter = resolve })
      },
      return: async () => {
        // Leaving a for-await loop ends the subscription on the server too (the last message is done with).
        this.took(undefined)
        await this.unsubscribe()
        return { value: undefined, done: true }
      },
    }
  }
}

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
}

/** Default number of messages an iterated subscription buffers before dropping the oldest. */
export const DEFAULT_SUBSCRIPTION_BUFFER = 1000

/**
 * An active subscription. With a handler, messages go to it. Without one, iterate it (`for await`):
 * it buffers up to `bufferSize` messages; beyond that the oldest is dropped and `dropped` counts it.
 * Iteration ends when the subscription ends (unsubscribe, disconnect, destroy).
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
    if (this.waiter) {
      const w = this.waiter
      this.waiter = undefined
      w({ value: message, done: false })
      return undefined
    }
    if (this.buffer.length - this.head >= this.bufferSize) {
      this.buffer[this.head++] = undefined as never
      this.dropped++
      // Compact now and then so a full buffer's dropped slots do not pile up.
      if (this.head >= this.bufferSize) { this.buffer = this.buffer.slice(this.head); this.head = 0 }
    }
    this.buffer.push(message)
    return undefined
  }

  /** @internal end the subscription: iteration finishes after the buffered messages. */
  end(): void {
    if (this.ended) return
    this.ended = true
    const w = this.waiter
    this.waiter = undefined
    w?.({ value: undefined, done: true })
  }

  [Symbol.asyncIterator](): AsyncIterator<Message> {
    return {
      next: () => {
        if (this.head < this.buffer.length) {
          const value = this.buffer[this.head]!
          this.buffer[this.head++] = undefined as never
          if (this.head === this.buffer.length) { this.buffer = []; this.head = 0 }
          return Promise.resolve({ value, done: false })
        }
        if (this.ended) return Promise.resolve({ value: undefined, done: true })
        return new Promise((resolve) => { this.waiter = resolve })
      },
      return: async () => {
        // Leaving a for-await loop ends the subscription on the server too.
        await this.unsubscribe()
        return { value: undefined, done: true }
      },
    }
  }
}

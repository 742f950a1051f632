// Delivers received messages to handlers. Ordered mode runs them one at a time in arrival order (async ones
// awaited) on its own queue, so a slow handler never blocks reading, pinging or acknowledging. That queue is
// bounded: QoS 1/2 messages are bounded by the server's in-flight window (their acks wait for the handlers),
// QoS 0 ones only by this backlog limit, beyond which a new QoS 0 message is dropped (at most once allows it)
// rather than letting a fast publisher and a slow handler take the process's memory.
import type { Message } from './message.js'
import type { MessageHandler, Subscription } from './subscription.js'

/** What the dispatcher needs from the client. */
export interface DispatchHost {
  /** Subscriptions whose filters match the topic (MQTT 5: that the message's identifiers name), each once, into `out`. */
  routes(topic: string, out: Subscription[], message: Message): Subscription[]
  /** Handler for messages no subscription claims. */
  readonly defaultHandler: MessageHandler | undefined
  /** Every message also goes to the client's 'message' event. */
  emitMessage(message: Message): void
  /** A handler threw or rejected. */
  handlerError(error: unknown, message: Message): void
  /**
   * No subscription, default handler or listener claims the message: a promise when it is held, settling once
   * something claims it or it is let go (route it again then); undefined when it is not held (done now).
   */
  unclaimed(message: Message): Promise<void> | undefined
  /** Handlers finished (ordered) or were started (unordered): acknowledge now. */
  done(message: Message): void
  /** A QoS 0 message was dropped (the backlog was full); `first` starts a run of drops. */
  dropped(message: Message, first: boolean): void
}

/** The `dispatchBacklog` option: what ordered dispatch holds for busy handlers. Defaults in brackets. */
export interface DispatchBacklogOptions {
  /** Most messages waiting for handlers; beyond it a new QoS 0 message is dropped [100 000]. */
  maxMessages?: number
  /** Most payload + topic bytes waiting for handlers; beyond it a new QoS 0 message is dropped [64 MiB]. */
  maxBytes?: number
}

/** Backlog limits with defaults applied. */
export type ResolvedDispatchBacklog = Required<DispatchBacklogOptions>

/** What a message weighs in the backlog's byte count. */
export const weight = (m: Message): number => m.payload.length + m.topic.length

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as PromiseLike<unknown>).then === 'function'
}

/** The per-client message dispatcher. */
export class Dispatcher {
  private queue: Message[] = []
  private head = 0
  private running = false
  private readonly scratch: Subscription[] = []
  /** Payload + topic bytes of the messages in the queue. */
  private bytes = 0
  /** The last QoS 0 message was dropped: the next drop continues the same run. */
  private dropping = false
  /** Queued messages already given to iterated subscriptions at arrival (see feedIterators). */
  private readonly fed = new Map<Message, Subscription[]>()
  private readonly arrivalRoutes: Subscription[] = []

  constructor(private readonly host: DispatchHost, private readonly ordered: boolean, private readonly limits: ResolvedDispatchBacklog) {}

  /** Messages waiting for their handlers (ordered mode). */
  get backlog(): number {
    return this.queue.length - this.head
  }

  /** Deliver one message. */
  dispatch(message: Message): void {
    if (!this.ordered) {
      this.deliverUnordered(message)
      return
    }
    const waiting = this.queue.length - this.head
    if (waiting > 0) {
      const w = weight(message)
      if (message.qos === 0 && (waiting >= this.limits.maxMessages || this.bytes + w > this.limits.maxBytes)) {
        this.host.dropped(message, !this.dropping)
        this.dropping = true
        return
      }
      this.bytes += w
    } else {
      // The first message in an empty queue is always taken, whatever its size.
      this.bytes = weight(message)
    }
    this.dropping = false
    if (this.running) this.feedIterators(message)
    this.queue.push(message)
    if (!this.running) void this.run()
  }

  /**
   * A handler is busy and the message has to wait: iterated subscriptions get it now. Giving one a message only
   * buffers it, and a handler may be awaiting exactly that (`for await` over another subscription inside a
   * handler), which it could never get from behind itself in the queue.
   */
  private feedIterators(message: Message): void {
    // A QoS 2 message waits until its id is stored (see Message.ready); fed then, still before its turn.
    if (message.ready) { void message.ready.then(() => this.feedNow(message), () => this.feedNow(message)); return }
    this.feedNow(message)
  }

  private feedNow(message: Message): void {
    const routes = this.host.routes(message.topic, this.arrivalRoutes, message)
    let fed: Subscription[] | undefined
    for (let i = 0; i < routes.length; i++) {
      const sub = routes[i]!
      if (!sub.iterated) continue
      void sub.deliver(message)
      ;(fed ??= []).push(sub)
    }
    if (fed) this.fed.set(message, fed)
  }

  private deliverUnordered(message: Message): void {
    const ready = message.ready
    if (ready) {
      message.ready = undefined
      void ready.then(() => this.deliverUnordered(message), () => this.deliverUnordered(message))
      return
    }
    const host = this.host
    host.emitMessage(message)
    const routes = host.routes(message.topic, this.scratch, message)
    if (routes.length === 0) {
      const held = host.defaultHandler ? undefined : host.unclaimed(message)
      if (held) { void held.then(() => this.deliverUnordered(message)); return }
      if (host.defaultHandler) this.call(host.defaultHandler, message)
    } else {
      for (let i = 0; i < routes.length; i++) this.callSub(routes[i]!, message)
    }
    host.done(message)
  }

  private call(handler: MessageHandler, message: Message): void {
    try {
      const r = handler(message)
      if (isThenable(r)) r.then(undefined, (err: unknown) => this.host.handlerError(err, message))
    } catch (err) {
      this.host.handlerError(err, message)
    }
  }

  private callSub(sub: Subscription, message: Message): void {
    try {
      const r = sub.deliver(message)
      if (isThenable(r)) r.then(undefined, (err: unknown) => this.host.handlerError(err, message))
    } catch (err) {
      this.host.handlerError(err, message)
    }
  }

  private async run(): Promise<void> {
    this.running = true
    const host = this.host
    try {
      while (this.head < this.queue.length) {
        const message = this.queue[this.head]!
        this.queue[this.head++] = undefined as never
        this.bytes -= weight(message)
        if (this.head > 1024 && this.head * 2 > this.queue.length) {
          this.queue = this.queue.slice(this.head)
          this.head = 0
        }
        // A QoS 2 message is delivered once its id is stored (see Message.ready); what follows waits in order.
        if (message.ready) await message.ready.then(undefined, () => undefined)
        host.emitMessage(message)
        // Several routes are copied: an awaited handler may let another match reuse the scratch array.
        let routes = host.routes(message.topic, this.scratch, message)
        const fed = this.fed.size > 0 ? this.fed.get(message) : undefined
        if (fed) {
          this.fed.delete(message)
          routes = routes.filter((sub) => !fed.includes(sub))
        }
        const n = routes.length
        // Await only what is async, so a stream of sync handlers costs no extra microtasks.
        if (n === 0) {
          if (host.defaultHandler && !fed) {
            const r = this.invoke(undefined, host.defaultHandler, message)
            if (r) await r
          } else if (!fed) {
            // Held aside (see unclaimed-hold.ts), so what comes after is not kept waiting: queued again once
            // claimed or let go, it is delivered (or dropped) and acknowledged at that turn.
            const held = host.unclaimed(message)
            if (held) {
              void held.then(() => this.dispatch(message))
              continue
            }
          }
        } else if (n === 1) {
          const r = this.invoke(routes[0], undefined, message)
          if (r) await r
        } else {
          for (const sub of routes.slice()) {
            const r = this.invoke(sub, undefined, message)
            if (r) await r
          }
        }
        host.done(message)
      }
    } finally {
      this.running = false
    }
  }

  /** Call one handler; returns a promise only when the handler is async (sync handlers stay sync). */
  private invoke(sub: Subscription | undefined, handler: MessageHandler | undefined, message: Message): Promise<unknown> | undefined {
    try {
      const r = sub ? sub.deliver(message) : handler!(message)
      if (isThenable(r)) return Promise.resolve(r).catch((err: unknown) => this.host.handlerError(err, message))
    } catch (err) {
      this.host.handlerError(err, message)
    }
    return undefined
  }
}

// A tiny typed event emitter (no Node `events`, so it runs in browsers unchanged).

/** Listener signature per event name. */
export type EventMap = Record<string, (...args: never[]) => void>

/** Typed on/off/once/emit. Listener errors are isolated so one listener cannot break another. */
export class Emitter<E extends EventMap> {
  private readonly listeners = new Map<keyof E, Array<E[keyof E]>>()

  /** Add a listener. */
  on<K extends keyof E>(event: K, listener: E[K]): this {
    const list = this.listeners.get(event)
    if (list) list.push(listener)
    else this.listeners.set(event, [listener])
    return this
  }

  /** Remove a listener. */
  off<K extends keyof E>(event: K, listener: E[K]): this {
    const list = this.listeners.get(event)
    if (!list) return this
    const i = list.indexOf(listener)
    if (i >= 0) list.splice(i, 1)
    return this
  }

  /** Add a listener that runs once. */
  once<K extends keyof E>(event: K, listener: E[K]): this {
    const wrapper = ((...args: Parameters<E[K]>) => {
      this.off(event, wrapper)
      ;(listener as (...a: Parameters<E[K]>) => void)(...args)
    }) as unknown as E[K]
    return this.on(event, wrapper)
  }

  /** True when at least one listener exists for the event. */
  has<K extends keyof E>(event: K): boolean {
    return (this.listeners.get(event)?.length ?? 0) > 0
  }

  /** Call every listener; returns whether there was any. */
  protected emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): boolean {
    const list = this.listeners.get(event)
    if (!list || list.length === 0) return false
    for (const listener of list.slice()) {
      try {
        ;(listener as (...a: Parameters<E[K]>) => void)(...args)
      } catch (err) {
        // A throwing listener must not stop the protocol; surface it asynchronously like an unhandled error.
        queueMicrotask(() => { throw err })
      }
    }
    return true
  }
}

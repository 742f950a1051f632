// Between CONNACK and the end of session resume (store replay, resubscribe, offline flush) the client
// must not act on new packets or publishes: they would overtake the replayed ones. The gate holds them.
import type { Packet } from '@isomqtt/codec'
import type { ResumedReceipt } from './publish-result.js'

/** Holds inbound packets and tells outbound work to wait while a session resumes. */
export class ResumeGate {
  private held: Packet[] | undefined
  private done = false
  private pending: Promise<ResumedReceipt[]> | undefined

  /** True once the current connection's session has resumed. */
  get resumed(): boolean {
    return this.done
  }

  /** The resume in progress (or last finished); undefined before the first connection. */
  get resuming(): Promise<ResumedReceipt[]> | undefined {
    return this.pending
  }

  /** Keep `p` for after the resume; false when nothing is resuming (handle it now). */
  hold(p: Packet): boolean {
    if (!this.held) return false
    this.held.push(p)
    return true
  }

  /**
   * Run the resume; packets held meanwhile go to `deliver` afterwards, in arrival order, success or not.
   * A resume that finishes synchronously (nothing to replay) opens the gate at once.
   */
  run(work: () => ResumedReceipt[] | Promise<ResumedReceipt[]>, deliver: (p: Packet) => void): Promise<ResumedReceipt[]> {
    this.held = []
    this.done = false
    let result: ResumedReceipt[] | Promise<ResumedReceipt[]>
    try {
      result = work()
    } catch (err) {
      result = Promise.reject(err)
    }
    if (Array.isArray(result)) {
      this.release(deliver)
      this.pending = Promise.resolve(result)
    } else {
      this.pending = this.gated(result, deliver)
    }
    return this.pending
  }

  private async gated(work: Promise<ResumedReceipt[]>, deliver: (p: Packet) => void): Promise<ResumedReceipt[]> {
    try {
      return await work
    } finally {
      this.release(deliver)
    }
  }

  /** The resume is over: packets that waited go to `deliver` in arrival order. */
  private release(deliver: (p: Packet) => void): void {
    this.done = true
    const held = this.held ?? []
    this.held = undefined
    for (const p of held) deliver(p)
  }

  /** The connection ended: the next one resumes again. */
  close(): void {
    this.done = false
  }
}

// A QoS 1/2 message the server refuses by closing the connection: MQTT 3.1.1 has no other way to say no (a
// packet over the broker's size limit, or a topic the client may not publish to, as AWS IoT answers). The
// session would send it again on every reconnect and every message after it would wait behind it, for good.
// After QUICK_LOSSES connections in a row were lost soon after they started, with publishes unacknowledged,
// the session probes: one publish in flight at a time, each right behind a PINGREQ. A loss that follows the
// server's PINGRESP but not the message's acknowledgement means the server read the message and hung up on
// it. A network that cuts connections would have to cut between the two answers, each time: in the 50-cut
// proxy test that happens about once per run, never twice in a row for one message, so a message is given up
// (out of the store, its publish rejected saying why) only after it ends STRIKES connections so. A connection
// that holds for quickMs, or nothing left unacknowledged, ends the probe.

/** Quick losses in a row (with publishes unacknowledged) before probing one message at a time. */
const QUICK_LOSSES = 3
/** Losses a message alone in flight must be followed by, each, before it is given up. */
const STRIKES = 3

/** Counts losses per connection and per message; the session acts on what it says. */
export class RefusalProbe {
  /** One publish in flight at a time (the session applies it as the in-flight limit). */
  probing = false
  private quickLosses = 0
  private readonly strikes = new Map<number, number>()

  /** @param quickMs a connection lost sooner than this after it started counts as a quick loss */
  constructor(private readonly quickMs: number) {}

  /**
   * A connection was lost (not closed by the user) `livedMs` after it started, with publishes written and not
   * acknowledged (`pending`). `suspect`: while probing, the publish in flight when the server answered the
   * PINGREQ sent right before it and then hung up. Returns the id of a message to give up, if one has ended
   * enough connections so.
   */
  lost(livedMs: number, pending: boolean, suspect: number | undefined): number | undefined {
    if (!pending || livedMs >= this.quickMs) {
      this.reset()
      return undefined
    }
    if (!this.probing) {
      if (++this.quickLosses >= QUICK_LOSSES) this.probing = true
      return undefined
    }
    if (suspect === undefined) return undefined
    const strikes = (this.strikes.get(suspect) ?? 0) + 1
    if (strikes < STRIKES) {
      this.strikes.set(suspect, strikes)
      return undefined
    }
    this.strikes.delete(suspect)
    return suspect
  }

  /** True while counting quick losses or probing: reset() has something to undo. */
  get engaged(): boolean {
    return this.probing || this.quickLosses > 0
  }

  /** Nothing waits for an acknowledgement any more: whatever was refused is gone. */
  reset(): void {
    this.quickLosses = 0
    this.probing = false
    this.strikes.clear()
  }

  /** How many losses a refused message causes before it is given up (for messages and docs). */
  static readonly losses = QUICK_LOSSES + STRIKES
}

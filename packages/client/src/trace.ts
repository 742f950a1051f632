// Leveled tracing with a component tag per entry, as in the Paho seed (net, pinger, client, decode,
// message, store, msgids, state). Nothing is built while a level is off: callers pass constant messages
// (a failure as `detail`, appended only when emitted), or guard built ones with `verbose` / `warns`.
import { errorText } from './errors.js'

/** How much to trace. */
export type TraceLevel = 'off' | 'critical' | 'warn' | 'verbose'

/** One trace entry. */
export interface TraceEntry {
  level: 'critical' | 'warn' | 'verbose'
  component: string
  message: string
  time: number
}

/** Receives trace entries. */
export type TraceSink = (entry: TraceEntry) => void

/** The `trace` option. */
export interface TraceOptions {
  level: TraceLevel
  sink: TraceSink
}

/** Component names used by the client. */
export type TraceComponent = 'net' | 'pinger' | 'client' | 'decode' | 'message' | 'store' | 'msgids' | 'state'

const RANK = { off: 0, critical: 1, warn: 2, verbose: 3 } as const

/** A cheap level check plus emit; disabled levels cost one comparison. */
export class Tracer {
  private readonly rank: number
  private readonly sink: TraceSink | undefined

  constructor(options?: TraceOptions) {
    this.rank = options ? RANK[options.level] : 0
    this.sink = options?.sink
  }

  /** True when verbose entries are emitted (guard building a debug message). */
  get verbose(): boolean {
    return this.rank >= 3
  }

  /** True when warnings are emitted (guard building a warning). */
  get warns(): boolean {
    return this.rank >= 2
  }

  /** True when critical entries are emitted (guard building one). */
  get on(): boolean {
    return this.rank >= 1
  }

  /** Emit a critical entry; `detail` (a failure) follows the message after ': '. */
  critical(component: TraceComponent, message: string, detail?: unknown): void {
    if (this.rank >= 1) this.emit('critical', component, message, detail)
  }

  /** Emit a warning; `detail` (a failure) follows the message after ': '. */
  warn(component: TraceComponent, message: string, detail?: unknown): void {
    if (this.rank >= 2) this.emit('warn', component, message, detail)
  }

  /** Emit a verbose entry. */
  debug(component: TraceComponent, message: string): void {
    if (this.rank >= 3) this.emit('verbose', component, message)
  }

  private emit(level: TraceEntry['level'], component: string, message: string, detail?: unknown): void {
    if (detail !== undefined) message += `: ${errorText(detail)}`
    try {
      this.sink!({ level, component, message, time: Date.now() })
    } catch {
      // A failing sink must never break the protocol.
    }
  }
}

// Exit codes a script can rely on, and the mapping from errors to them.

/** Process exit codes of `isomqtt`. */
export const ExitCode = {
  /** Done. */
  Ok: 0,
  /** Bad command line: unknown option, missing value, invalid topic or QoS. */
  Usage: 1,
  /** The connection could not be made: refused by the broker (CONNACK), unreachable, TLS or WebSocket failure. */
  ConnectFailed: 2,
  /** A time limit ran out: the connect timeout, or `-W` before `-C` messages arrived. */
  Timeout: 3,
  /** The connection was made, then an operation failed: subscription refused, publish rejected, connection lost. */
  Failed: 4,
  /** An input file or stdin could not be read. */
  Input: 5,
} as const

/** An error that ends the command with a given exit code; its message goes to stderr as is. */
export class CliError extends Error {
  constructor(readonly exitCode: number, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'CliError'
  }
}

/** A usage error (exit 1). */
export function usage(message: string): CliError {
  return new CliError(ExitCode.Usage, message)
}

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code
  return typeof code === 'string' ? code : undefined
}

/** The exit code for an error thrown while connecting. */
export function connectExitCode(err: unknown): number {
  const code = codeOf(err)
  const causeCode = codeOf((err as { cause?: unknown } | undefined)?.cause)
  if (code === 'TIMEOUT' || causeCode === 'CONNECT_TIMEOUT') return ExitCode.Timeout
  if (code === 'INVALID_ARGUMENT' || code === 'INVALID_QOS' || code === 'INVALID_TOPIC') return ExitCode.Usage
  return ExitCode.ConnectFailed
}

/** The exit code for an operation that failed after connecting: bad input is a usage error, the rest a failure. */
export function operationExitCode(err: unknown): number {
  const code = codeOf(err)
  return code === 'INVALID_TOPIC' || code === 'INVALID_QOS' || code === 'INVALID_ARGUMENT' ? ExitCode.Usage : ExitCode.Failed
}

/** A one-line message for an error: its message and, when it has one, its stable code. Never secrets: errors carry none. */
export function describeError(err: unknown): string {
  if (err instanceof CliError) return err.message
  const message = err instanceof Error ? err.message : String(err)
  const code = codeOf(err)
  const causeCode = codeOf((err as { cause?: unknown } | undefined)?.cause)
  const codes = [code, causeCode && causeCode !== code ? causeCode : undefined].filter(Boolean).join(', ')
  return codes ? `${message} (${codes})` : message
}

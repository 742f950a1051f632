// Typed store errors: a stable `code` a program can switch on, and the original `cause`.

/** Stable error codes. New codes may be added; existing ones never change meaning. */
export type StoreErrorCode =
  | 'NOT_OPEN' | 'CLOSED' | 'STORE_FULL' | 'LOCKED' | 'IO_ERROR' | 'CORRUPT' | 'INVALID_ARGUMENT'
  | 'TRANSFORM_FAILED'

/** Every failure of a store: `code` is stable, `cause` holds the underlying error if any. */
export class StoreError extends Error {
  readonly code: StoreErrorCode

  constructor(code: StoreErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'StoreError'
    this.code = code
  }
}

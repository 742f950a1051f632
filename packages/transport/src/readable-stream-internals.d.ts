// Types of the readable-stream modules readable-duplex.ts loads directly (@types/readable-stream only
// describes the package's main module), and of the `process` package readable-stream schedules with.
declare module 'readable-stream/lib/internal/streams/duplex.js' {
  import type { Duplex } from 'readable-stream'
  const DuplexClass: typeof Duplex
  export default DuplexClass
}

declare module 'readable-stream/lib/internal/streams/legacy.js' {
  /** The base every readable-stream stream inherits; lib/stream.js hangs helpers on it. */
  export const Stream: {
    _isUint8Array?: (value: unknown) => boolean
    _uint8ArrayToBuffer?: (chunk: Uint8Array) => Uint8Array
  }
}

declare module 'process/browser.js' {
  /** The `process` package's browser shim (what readable-stream gets in a browser bundle): nextTick on setTimeout. */
  const process: {
    browser?: boolean
    nextTick(fn: (...args: unknown[]) => void, ...args: unknown[]): void
  }
  export default process
}

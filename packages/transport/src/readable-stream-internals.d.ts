// Types of the two readable-stream modules readable-duplex.ts loads directly (@types/readable-stream only
// describes the package's main module).
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

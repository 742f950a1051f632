// Types of the readable-stream module that readable-duplex.ts loads directly (the package ships no types of its own).
declare module 'readable-stream/lib/internal/streams/duplex.js' {
  import type { Duplex } from 'readable-stream'
  const DuplexClass: typeof Duplex
  export default DuplexClass
}

// readable-stream's Duplex class, loaded from the module that defines it rather than from the package index:
// the index also loads pipeline, compose, the stream operators and stream/promises, about 4.5 KB min+gzip
// that a browser bundle never runs. A test checks that this is the very class the index exports. Browser-safe.
import type { Duplex as DuplexClass } from 'readable-stream'
import DuplexModule from 'readable-stream/lib/internal/streams/duplex.js'

/** readable-stream's Duplex (the same class as `import { Duplex } from 'readable-stream'`). */
export const Duplex: typeof DuplexClass = DuplexModule

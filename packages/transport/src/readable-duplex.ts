// readable-stream's Duplex without the package's main module (lib/stream.js), which also brings pipeline,
// compose, the Readable operators and their helpers: about 4.4 KB min+gzip of a browser bundle the transport
// never calls. Readable and Writable convert a Uint8Array chunk with two helpers that only lib/stream.js
// defines, on the Stream base they share: this module defines them the same way (unless it already did).
/// <reference path="./readable-stream-internals.d.ts" />
import { Buffer } from 'buffer'
import DuplexClass from 'readable-stream/lib/internal/streams/duplex.js'
import { Stream } from 'readable-stream/lib/internal/streams/legacy.js'
import type { Duplex as DuplexType } from 'readable-stream'

Stream._isUint8Array ??= (value) => value instanceof Uint8Array
Stream._uint8ArrayToBuffer ??= (chunk) => Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)

/** readable-stream's Duplex, ready for Uint8Array chunks. */
export const Duplex: typeof DuplexType = DuplexClass

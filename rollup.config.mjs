// Browser bundles, built from the packages' tsc output (run after `tsc -b`; `npm run build` does both):
//   dist/isomqtt.esm.js  one minified ES module for <script type="module"> from a CDN
//   dist/isomqtt.min.js  a minified IIFE that defines the global `isomqtt`
// Packages resolve with the `browser` exports condition, so no Node-only file (net, tls, fs) can get in.
// The per-package ESM for bundlers is tsc's own output (packages/*/dist), which this file does not touch.
import commonjs from '@rollup/plugin-commonjs'
import { nodeResolve } from '@rollup/plugin-node-resolve'
import terser from '@rollup/plugin-terser'

/** What the bundles export: the client API plus the browser-safe stores and the transport's error type. */
export const bundleEntry = [
  "export * from '@isomqtt/client'",
  "export { MemoryStore, IndexedDbStore, StoreError } from '@isomqtt/store'",
  "export { TransportError, isTransportError } from '@isomqtt/transport'",
].join('\n')

// readable-stream asks for the `process` package only for nextTick (and an env flag), so the bundles carry
// this small stand-in instead of the package and its setTimeout queue. Its nextTick is a microtask, as the
// transport's browser WebSocket module makes the real package's in any other bundle.
const processShim = [
  'const nextTick = (fn, ...args) => queueMicrotask(() => fn(...args))',
  "export default { nextTick, env: {}, browser: true, version: '', versions: {}, platform: 'browser' }",
].join('\n')

/** Serves in-memory modules: `virtual:<name>` ids and the replaced `process` package. */
export function virtualModules(modules) {
  const PREFIX = '\0virtual:'
  return {
    name: 'isomqtt-virtual',
    resolveId(id) {
      if (id === 'process' || id === 'process/' || id === 'process/browser.js') return `${PREFIX}process`
      if (id.startsWith('virtual:')) return `${PREFIX}${id.slice('virtual:'.length)}`
      return null
    },
    load(id) {
      if (!id.startsWith(PREFIX)) return null
      const name = id.slice(PREFIX.length)
      return name === 'process' ? processShim : modules[name] ?? null
    },
  }
}

/** The plugins every browser build uses (also used by scripts/size.mjs). */
export function browserPlugins(modules = {}) {
  return [
    virtualModules(modules),
    nodeResolve({ browser: true, exportConditions: ['browser', 'module', 'import', 'default'], preferBuiltins: false }),
    // 'auto' wraps a CommonJS module in a lazy function only when it sits in a require cycle (readable-stream's
    // duplex/readable/writable do); the others become plain ES code: ~1 KB min+gzip less than wrapping them all.
    commonjs({ strictRequires: 'auto' }),
  ]
}

/**
 * terser's options for every bundle and measurement. Measured on the minimal app and rejected: `passes: 2`
 * (0.3 KB less minified, 0.05 KB more gzipped), `toplevel` (already implied by `module: true` for the ES module;
 * on the IIFE it would drop the `isomqtt` global), `pure_getters` (0.1 KB, but unsafe with readable-stream's getters).
 */
export const terserOptions = { ecma: 2020 }

const onwarn = (warning, warn) => {
  // readable-stream's CommonJS has circular requires that work; everything else is worth reading.
  if (warning.code === 'CIRCULAR_DEPENDENCY' && warning.ids?.every((id) => id.includes('node_modules'))) return
  warn(warning)
}

export default [
  {
    input: 'virtual:isomqtt',
    plugins: browserPlugins({ isomqtt: bundleEntry }),
    onwarn,
    // One file each: the client's lazy MQTT 5 chunk (a dynamic import) is inlined, as a CDN bundle has nowhere to
    // load it from; the packages' own ESM keeps the dynamic import so an app's bundler splits it off. Written to
    // dist/ and into @isomqtt/client's dist/, which npm publishes, so a CDN serves them from the package
    // (`unpkg`/`jsdelivr` name the IIFE); their source maps carry the sources, which the package does not.
    output: ['dist', 'packages/client/dist'].flatMap((dir) => [
      {
        file: `${dir}/isomqtt.esm.js`, format: 'es', sourcemap: true, inlineDynamicImports: true,
        plugins: [terser({ ...terserOptions, module: true })],
      },
      {
        file: `${dir}/isomqtt.min.js`, format: 'iife', name: 'isomqtt', sourcemap: true, inlineDynamicImports: true,
        plugins: [terser(terserOptions)],
      },
    ]),
  },
]

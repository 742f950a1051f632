import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const src = (path: string) => fileURLToPath(new URL(`./packages/${path}`, import.meta.url))

// Tests run against the TypeScript sources, with Node's export condition for each package.
export default defineConfig({
  resolve: {
    alias: {
      '@isomqtt/codec': src('codec/src/index.ts'),
      '@isomqtt/transport': src('transport/src/index.node.ts'),
      '@isomqtt/store': src('store/src/index.node.ts'),
      '@isomqtt/client': src('client/src/index.ts'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/**/*.test.ts', 'tests/support/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    globalSetup: [],
  },
})

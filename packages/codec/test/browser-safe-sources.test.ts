// The codec runs in a browser as it is: its sources import only each other and use no Node globals.

import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const dir = new URL('../src/', import.meta.url)
const files = readdirSync(dir).filter((f) => f.endsWith('.ts'))

describe.each(files)('src/%s', (file) => {
  const source = readFileSync(new URL(file, dir), 'utf8')
  const code = source.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '') // comments may mention Node names

  it('imports only sibling modules', () => {
    const specifiers = [...code.matchAll(/\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'/g)].map((m) => m[1] ?? m[2])
    for (const s of specifiers) expect(s).toMatch(/^\.\/[a-z0-9-]+\.js$/)
  })

  it('uses no Node built-in globals', () => {
    expect(code).not.toMatch(/\b(Buffer|process|require|global|__dirname|setImmediate)\b/)
  })
})

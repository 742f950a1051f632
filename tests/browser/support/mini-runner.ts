// A tiny describe/it/expect for suites written for vitest that must also run inside Chromium (the store
// contract suite): tests register when the page loads and `runAll()` runs them one by one.

interface Case { name: string; fn: () => unknown }

/** The outcome of one test. */
export interface CaseResult { name: string; ok: boolean; error?: string }

const cases: Case[] = []
const prefix: string[] = []

/** Groups tests under a name. */
export function describe(name: string, fn: () => void): void {
  prefix.push(name)
  try { fn() } finally { prefix.pop() }
}

/** Registers a test. */
export function it(name: string, fn: () => unknown): void {
  cases.push({ name: [...prefix, name].join(' > '), fn })
}

/** Runs every registered test in order; a test fails when it throws or rejects. */
export async function runAll(): Promise<CaseResult[]> {
  const results: CaseResult[] = []
  for (const c of cases) {
    try {
      await c.fn()
      results.push({ name: c.name, ok: true })
    } catch (err) {
      results.push({ name: c.name, ok: false, error: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) })
    }
  }
  return results
}

function show(v: unknown): string {
  if (v instanceof Uint8Array) return `Uint8Array[${Array.from(v.subarray(0, 32)).join(',')}${v.length > 32 ? ',…' : ''}] (${v.length})`
  try { return JSON.stringify(v) ?? String(v) } catch { return String(v) }
}

function equal(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false
  if (ArrayBuffer.isView(a)) {
    const x = a as unknown as ArrayLike<unknown>
    const y = b as unknown as ArrayLike<unknown>
    if (x.length !== y.length) return false
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false
    return true
  }
  if (a instanceof Map || a instanceof Set) return equal([...a], [...(b as Map<unknown, unknown>)])
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined)
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined)
  if (ka.length !== kb.length) return false
  return ka.every((k) => equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}

function check(pass: boolean, message: () => string): void {
  if (!pass) throw new Error(message())
}

/** The matchers the shared suites use (vitest semantics for these cases). */
export function expect(actual: unknown) {
  return {
    toBe: (expected: unknown) => check(Object.is(actual, expected), () => `expected ${show(actual)} to be ${show(expected)}`),
    toEqual: (expected: unknown) => check(equal(actual, expected), () => `expected ${show(actual)} to equal ${show(expected)}`),
    toBeUndefined: () => check(actual === undefined, () => `expected ${show(actual)} to be undefined`),
    toBeInstanceOf: (ctor: abstract new (...args: never[]) => unknown) =>
      check(actual instanceof ctor, () => `expected ${show(actual)} to be an instance of ${ctor.name}`),
    toMatch: (pattern: RegExp | string) =>
      check(typeof actual === 'string' && (typeof pattern === 'string' ? actual.includes(pattern) : pattern.test(actual)),
        () => `expected ${show(actual)} to match ${String(pattern)}`),
  }
}

// Runs the isomqtt CLI from its TypeScript sources (node --import tsx) or as installed (npx), and
// mosquitto_pub / mosquitto_sub.
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const env = { ...process.env, TSX_TSCONFIG_PATH: `${root}packages/client/cli/tsconfig.sources.json` }

/** A running command: its output so far, a wait for a line, and its end. */
export interface Running {
  child: ChildProcess
  stdout(): string
  stderr(): string
  /** Resolves when stdout has a line for which `match` is true. */
  line(match: (line: string) => boolean, timeoutMs?: number): Promise<string>
  /** The same for stderr. */
  errLine(match: (line: string) => boolean, timeoutMs?: number): Promise<string>
  /** Resolves with the exit code and all output. */
  done(timeoutMs?: number): Promise<{ code: number | null; stdout: string; stderr: string }>
}

function run(command: string, args: string[], input?: string | Uint8Array): Running {
  const child = spawn(command, args, { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  const lineWaiters: Array<() => void> = []
  child.stdout!.setEncoding('utf8').on('data', (s: string) => { out += s; for (const w of [...lineWaiters]) w() })
  child.stderr!.setEncoding('utf8').on('data', (s: string) => { err += s; for (const w of [...lineWaiters]) w() })
  if (input !== undefined) child.stdin!.end(input)
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    line(match, timeoutMs) {
      return waitLine(() => out, match, timeoutMs)
    },
    errLine(match, timeoutMs) {
      return waitLine(() => err, match, timeoutMs)
    },
    async done(timeoutMs = 30_000) {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
      const code = await exited
      clearTimeout(timer)
      return { code, stdout: out, stderr: err }
    },
  }

  function waitLine(text: () => string, match: (line: string) => boolean, timeoutMs = 20_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = text().split(/[\r\n]/).slice(0, -1).find(match)
        if (found === undefined) return
        lineWaiters.splice(lineWaiters.indexOf(check), 1)
        clearTimeout(timer)
        resolve(found)
      }
      const timer = setTimeout(() => {
        lineWaiters.splice(lineWaiters.indexOf(check), 1)
        reject(new Error(`${command} ${args.join(' ')}: no such line within ${timeoutMs} ms; stdout: ${out}; stderr: ${err}`))
      }, timeoutMs)
      lineWaiters.push(check)
      check()
    })
  }
}

/** `isomqtt <args>` from the sources. */
export function isomqtt(args: string[], input?: string): Running {
  return run(process.execPath, ['--import', 'tsx', 'packages/client/cli/main.ts', ...args], input)
}

/** `mosquitto_sub <args>`. */
export function mosquittoSub(args: string[]): Running {
  return run('mosquitto_sub', args)
}

/** `mosquitto_pub <args>`. */
export function mosquittoPub(args: string[], input?: string | Uint8Array): Running {
  return run('mosquitto_pub', args, input)
}

/**
 * `mosquitto_sub -v` on topic `t` for `count` messages, known to be subscribed: it has printed a retained marker
 * published first (its stdout is block-buffered, so its own SUBACK line cannot tell).
 */
export async function subscribedMosquittoSub(port: number, t: string, count: number): Promise<Running> {
  const hp = ['-h', '127.0.0.1', '-p', String(port)]
  const marker = await mosquittoPub([...hp, '-t', t, '-m', 'marker', '-r']).done()
  if (marker.code !== 0) throw new Error(`mosquitto_pub of the marker exited ${marker.code}: ${marker.stderr}`)
  const sub = mosquittoSub([...hp, '-t', t, '-v', '-C', String(count + 1)])
  await sub.line((l) => l === `${t} marker`)
  return sub
}

/** `npx --no isomqtt <args>`: the command as installed in this repository (needs `npm run build`), never fetched. */
export function installedIsomqtt(args: string[], input?: string): Running {
  return run('npx', ['--no', '--', 'isomqtt', ...args], input)
}

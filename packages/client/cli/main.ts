#!/usr/bin/env node
// The `isomqtt` command: sub, pub and bench. Exit codes and messages are documented in --help.
import { bench } from './bench.js'
import { describeError, ExitCode } from './exit-codes.js'
import { HELP } from './help.js'
import { pub } from './pub.js'
import { sub } from './sub.js'

const print = (s: string): void => { process.stdout.write(`${s}\n`) }

/** Runs one command line; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '--help' || command === 'help') {
    process.stdout.write(HELP.main!)
    return command === undefined ? ExitCode.Usage : ExitCode.Ok
  }
  const help = HELP[command]
  if (command === 'main' || help === undefined) {
    process.stderr.write(`isomqtt: unknown command ${JSON.stringify(command)} (try isomqtt --help)\n`)
    return ExitCode.Usage
  }
  if (rest.includes('--help')) {
    process.stdout.write(help)
    return ExitCode.Ok
  }
  try {
    if (command === 'sub') return await sub(rest, print)
    if (command === 'pub') return await pub(rest)
    return await bench(rest, print)
  } catch (err) {
    process.stderr.write(`isomqtt: ${describeError(err)}\n`)
    const code = (err as { exitCode?: unknown }).exitCode
    return typeof code === 'number' ? code : ExitCode.Failed
  }
}

process.exitCode = await main(process.argv.slice(2))

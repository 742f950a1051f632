// Starts a real Mosquitto for a test on free loopback ports, with a generated config, and stops it.
// Shared by the integration tests of every package (import it by relative path).
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, connect as netConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** What a test asks of its broker. */
export interface MosquittoOptions {
  /** Also listen for MQTT over WebSocket (plain). */
  websockets?: boolean
  /** TLS listeners (MQTT over TLS, and WebSocket over TLS when websockets is set). */
  tls?: { certFile: string; keyFile: string; caFile?: string; requireCertificate?: boolean }
  /** Keep sessions and retained messages in a file across restarts. */
  persistence?: boolean
  /** `username:password` pairs; when given, anonymous access is refused. */
  users?: Record<string, string>
  /** ACL file content (`user x` / `topic readwrite a/#` lines). */
  acl?: string
  /** Extra global config lines (e.g. `max_inflight_messages 5`). */
  extraConfig?: string[]
  /** Print the broker's log to the test output. */
  verbose?: boolean
}

/** A running broker. */
export interface Mosquitto {
  port: number
  wsPort?: number
  tlsPort?: number
  wssPort?: number
  /** `mqtt://127.0.0.1:<port>` */
  url: string
  dir: string
  /** Everything the broker logged so far. */
  log(): string
  /** Stop (SIGTERM, so persistence is written) and start again on the same ports. */
  restart(): Promise<void>
  /** Stop without removing the directory (persistence survives); `start()` brings it back. */
  stopProcess(signal?: NodeJS.Signals): Promise<void>
  start(): Promise<void>
  /** Stop and remove every file. */
  stop(): Promise<void>
}

const binary = existsSync('/usr/sbin/mosquitto') ? '/usr/sbin/mosquitto' : 'mosquitto'

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ port, host: '127.0.0.1' })
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => resolve(false))
  })
}

/** Starts Mosquitto on free loopback ports; retries with new ports if one was taken meanwhile. */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const dir = await mkdtemp(join(tmpdir(), 'isomqtt-mosq-'))
  for (let attempt = 0; ; attempt++) {
    const ports = {
      port: await freePort(),
      wsPort: options.websockets ? await freePort() : undefined,
      tlsPort: options.tls ? await freePort() : undefined,
      wssPort: options.tls && options.websockets ? await freePort() : undefined,
    }
    try {
      return await launch(dir, ports, options)
    } catch (err) {
      if (attempt >= 4) { await rm(dir, { recursive: true, force: true }); throw err }
    }
  }
}

async function writeConfig(dir: string, ports: Ports, o: MosquittoOptions): Promise<string> {
  const lines: string[] = [
    'user root',
    'per_listener_settings false',
    'log_dest stderr',
    'log_type error', 'log_type warning', 'log_type notice', 'log_type information',
    'connection_messages true',
    `allow_anonymous ${o.users ? 'false' : 'true'}`,
  ]
  // Mosquitto 2.0.11 drops QoS 2 above 20 in flight and queues at most 1000 per client: tests opt into limits.
  if (!o.extraConfig?.some((l) => l.startsWith('max_inflight_messages'))) lines.push('max_inflight_messages 0')
  if (!o.extraConfig?.some((l) => l.startsWith('max_queued_messages'))) lines.push('max_queued_messages 0')
  lines.push(...(o.extraConfig ?? []))
  if (o.persistence) lines.push('persistence true', `persistence_location ${dir}/`, 'autosave_interval 1')
  if (o.users) {
    // Plain-text password files are accepted by mosquitto_passwd -U; we hash them at start.
    const file = join(dir, 'passwd')
    await writeFile(file, Object.entries(o.users).map(([u, p]) => `${u}:${p}`).join('\n') + '\n')
    await run('mosquitto_passwd', ['-U', file])
    lines.push(`password_file ${file}`)
  }
  if (o.acl !== undefined) {
    const file = join(dir, 'acl')
    await writeFile(file, o.acl)
    lines.push(`acl_file ${file}`)
  }
  lines.push(`listener ${ports.port} 127.0.0.1`)
  if (ports.wsPort) lines.push(`listener ${ports.wsPort} 127.0.0.1`, 'protocol websockets')
  const tlsLines = (t: NonNullable<MosquittoOptions['tls']>) => [
    `certfile ${t.certFile}`, `keyfile ${t.keyFile}`,
    ...(t.caFile ? [`cafile ${t.caFile}`] : []),
    ...(t.requireCertificate ? ['require_certificate true'] : []),
  ]
  if (o.tls && ports.tlsPort) lines.push(`listener ${ports.tlsPort} 127.0.0.1`, ...tlsLines(o.tls))
  if (o.tls && ports.wssPort) lines.push(`listener ${ports.wssPort} 127.0.0.1`, 'protocol websockets', ...tlsLines(o.tls))
  const file = join(dir, 'mosquitto.conf')
  await writeFile(file, lines.join('\n') + '\n')
  return file
}

interface Ports { port: number; wsPort?: number; tlsPort?: number; wssPort?: number }

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'ignore' })
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}`))))
  })
}

async function launch(dir: string, ports: Ports, options: MosquittoOptions): Promise<Mosquitto> {
  const config = await writeConfig(dir, ports, options)
  let child: ChildProcess | undefined
  let output = ''

  const start = async (): Promise<void> => {
    const proc = spawn(binary, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] })
    child = proc
    proc.stderr!.setEncoding('utf8')
    proc.stderr!.on('data', (s: string) => {
      output += s
      if (options.verbose) process.stderr.write(s)
    })
    const exited = new Promise<never>((_, reject) => {
      proc.once('exit', (code) => reject(new Error(`mosquitto exited (${code}) before it listened:\n${output}`)))
      proc.once('error', reject)
    })
    exited.catch(() => {})
    const deadline = Date.now() + 10_000
    for (const port of [ports.port, ports.wsPort, ports.tlsPort, ports.wssPort]) {
      if (!port) continue
      while (!(await Promise.race([canConnect(port), exited]))) {
        if (Date.now() > deadline) { proc.kill('SIGKILL'); throw new Error(`mosquitto did not listen on ${port}:\n${output}`) }
        await new Promise((r) => setTimeout(r, 20))
      }
    }
  }

  const stopProcess = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    const proc = child
    child = undefined
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return
    await new Promise<void>((resolve) => { proc.once('exit', () => resolve()); proc.kill(signal) })
  }

  await start()
  const broker: Mosquitto = {
    ...ports,
    url: `mqtt://127.0.0.1:${ports.port}`,
    dir,
    log: () => output,
    start,
    stopProcess,
    restart: async () => { await stopProcess(); await start() },
    stop: async () => { await stopProcess(); await rm(dir, { recursive: true, force: true }) },
  }
  return broker
}

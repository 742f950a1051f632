import { describe, expect, it } from 'vitest'
import { MqttError } from '../src/errors.js'
import { isRefusal, ReconnectLoop, resolveReconnectOptions, type ReconnectingInfo, type ReconnectOptions } from '../src/reconnect.js'
import type { TimerSource } from '../src/timers.js'
import { Tracer } from '../src/trace.js'

/** A manual timer source: run() fires due timers in time order. */
function manualTimers(): TimerSource & { advance(ms: number): void; pending(): number } {
  let now = 0
  let seq = 0
  const timers = new Map<number, { at: number; fn: () => void }>()
  return {
    setTimeout(fn, ms) { const id = ++seq; timers.set(id, { at: now + ms, fn }); return id },
    clearTimeout(h) { timers.delete(h as number) },
    advance(ms) {
      const end = now + ms
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((x, y) => x[1].at - y[1].at)[0]
        if (!due) break
        timers.delete(due[0])
        now = due[1].at
        due[1].fn()
      }
      now = end
    },
    pending: () => timers.size,
  }
}

const servers = [new URL('mqtt://a:1'), new URL('mqtt://b:2')]
const flush = (): Promise<void> => new Promise((r) => setImmediate(r))

function setup(options: ReconnectOptions = {}) {
  const timers = manualTimers()
  const events: ReconnectingInfo[] = []
  const attempts: string[][] = []
  const gaveUp: Error[] = []
  const loop = new ReconnectLoop(
    resolveReconnectOptions({ minDelayMs: 100, maxDelayMs: 1000, random: () => 0.999999, ...options })!,
    servers,
    {
      reconnecting: (i) => events.push(i),
      attempt: (s) => attempts.push(s.map((u) => u.host)),
      gaveUp: (e) => gaveUp.push(e),
    },
    timers,
    new Tracer(),
  )
  return { timers, events, attempts, gaveUp, loop }
}

describe('reconnect loop', () => {
  it('waits one growing backoff delay per failure, announcing attempt, delay and server', async () => {
    const { timers, events, attempts, loop } = setup()
    const lost = new MqttError('CONNECTION_LOST', 'lost')
    loop.failed(lost)
    expect(events[0]).toMatchObject({ attempt: 1, delayMs: 200, error: lost })
    expect(events[0]!.server?.host).toBe('a:1')
    timers.advance(199)
    await flush()
    expect(attempts).toHaveLength(0)
    timers.advance(1)
    await flush()
    expect(attempts).toEqual([['a:1', 'b:2']])
    loop.failed(new MqttError('TRANSPORT_ERROR', 'refused'))
    expect(events[1]).toMatchObject({ attempt: 2, delayMs: 400 })
  })

  it('after a connection to the standby, attempts start there; the backoff resets once it held', async () => {
    const { timers, events, attempts, loop } = setup({ stableAfterMs: 5000 })
    loop.failed(new Error('x'))
    loop.failed(new Error('x'))
    loop.connected(servers[1]!)
    timers.advance(4999)
    loop.failed(new Error('x')) // dropped before it held: no reset
    expect(events.at(-1)).toMatchObject({ attempt: 3 })
    timers.advance(2000)
    await flush()
    expect(attempts.at(-1)).toEqual(['b:2', 'a:1'])
    loop.connected(servers[1]!)
    timers.advance(5000)
    loop.failed(new Error('x'))
    expect(events.at(-1)).toMatchObject({ attempt: 1, delayMs: 200 })
  })

  it('a refused CONNACK stops the loop unless retryOnRefused', () => {
    const bad = new MqttError('BAD_CREDENTIALS', 'refused', { reasonCode: 4 })
    const stop = setup()
    expect(stop.loop.failed(bad)).toBe(false)
    expect(stop.gaveUp).toEqual([bad])
    expect(stop.timers.pending()).toBe(0)
    const retry = setup({ retryOnRefused: true })
    expect(retry.loop.failed(bad)).toBe(true)
    expect(retry.gaveUp).toHaveLength(0)
  })

  it('MQTT 5 Session Taken Over (DISCONNECT 0x8E) stops the loop unless retryOnRefused; other server DISCONNECTs do not', () => {
    const takenOver = new MqttError('SERVER_DISCONNECT', 'the server sent DISCONNECT: session taken over', { reasonCode: 0x8e })
    const stop = setup()
    expect(stop.loop.failed(takenOver)).toBe(false)
    expect(stop.gaveUp).toEqual([takenOver])
    expect(stop.timers.pending()).toBe(0)
    const retry = setup({ retryOnRefused: true })
    expect(retry.loop.failed(takenOver)).toBe(true)
    const goingAway = setup()
    expect(goingAway.loop.failed(new MqttError('SERVER_DISCONNECT', 'server shutting down', { reasonCode: 0x8b }))).toBe(true)
    expect(goingAway.gaveUp).toHaveLength(0)
  })

  it('beforeAttempt runs before each attempt and can change credentials and the server', async () => {
    const seen: number[] = []
    const { timers, attempts, loop } = setup({
      beforeAttempt: async ({ attempt }) => {
        seen.push(attempt)
        await flush()
        return { username: `u${attempt}`, password: 'token', server: 'mqtt://a:1?token=2' }
      },
    })
    loop.failed(new Error('x'))
    timers.advance(200)
    await flush(); await flush()
    expect(seen).toEqual([1])
    expect(loop.username).toBe('u1')
    expect(loop.password).toBe('token')
    expect(attempts).toEqual([['a:1', 'b:2']])
    expect(loop.servers.current?.search).toBe('?token=2')
  })

  it('a failing beforeAttempt counts as a failed attempt; cancel() stops everything', async () => {
    const { timers, events, attempts, loop } = setup({ beforeAttempt: () => { throw new Error('token service down') } })
    loop.failed(new Error('x'))
    timers.advance(200)
    await flush()
    expect(attempts).toHaveLength(0)
    expect(events).toHaveLength(2)
    expect(events[1]!.error.message).toBe('token service down')
    loop.cancel()
    timers.advance(10_000)
    await flush()
    expect(attempts).toHaveLength(0)
  })

  it('isRefusal knows the 3.1.1 and MQTT 5 refusals, and not transient failures', () => {
    expect(isRefusal(new MqttError('NOT_AUTHORIZED', 'x'))).toBe(true)
    expect(isRefusal(new MqttError('UNKNOWN', 'x', { reasonCode: 0x87 }))).toBe(true)
    expect(isRefusal(new MqttError('SERVER_UNAVAILABLE', 'x', { reasonCode: 3 }))).toBe(false)
    expect(isRefusal(new MqttError('UNKNOWN', 'x', { reasonCode: 0x88 }))).toBe(false)
    expect(isRefusal(new MqttError('TIMEOUT', 'x'))).toBe(false)
    expect(resolveReconnectOptions(false)).toBeUndefined()
    expect(resolveReconnectOptions(undefined)).toMatchObject({ minDelayMs: 500, maxDelayMs: 30_000, retryOnRefused: false })
  })
})

// What every contender offers the scenarios, and how a worker loads one: each library is imported only by
// the worker measuring it, so a process holds one library (its memory figures stay comparable).

/** Which contender. */
export type ContenderName = 'isomqtt' | 'mqttjs' | 'raw'
export type Qos = 0 | 1 | 2
/** The timed part of a measurement. */
export type Run = () => Promise<void>

/** One connected client, whatever its library. */
export interface BenchConn {
  /** QoS 0 publishes in a plain loop (nothing awaited) until the last is handed to the socket. */
  planLoop(topic: string, payload: Uint8Array, n: number): Run
  /** QoS 0 publishes, awaiting each. */
  planAwaitEach(topic: string, payload: Uint8Array, n: number): Run
  /** QoS 1/2 publishes all in flight (window >= n) or with a window, until every acknowledgement. */
  planWindow(topic: string, payload: Uint8Array, qos: 1 | 2, n: number, window: number): Run
  /** One publish, awaited (round trip). */
  publishOne(topic: string, payload: Uint8Array, qos: 1): Promise<void>
  /** Subscribe filters (each its own subscription); `onMessage` runs per message. */
  subscribe(filters: string[], qos: Qos, onMessage: () => void): Promise<void>
  end(): Promise<void>
}

/** Connects a client of one library. */
export type Connector = (url: string, clientId: string) => Promise<BenchConn>

/** Loads a contender's connector (and with it, its library). */
export async function loadContender(name: ContenderName): Promise<Connector> {
  if (name === 'isomqtt') return (await import('./isomqtt-contender.js')).connectIsomqtt
  if (name === 'mqttjs') return (await import('./mqttjs-contender.js')).connectMqttjs
  return (await import('./raw-contender.js')).connectRaw
}

/** Keeps `window` operations running until `n` completed. */
export function windowed(n: number, window: number, start: (done: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    let started = 0
    let finished = 0
    const done = (): void => {
      finished++
      if (finished === n) resolve()
      else if (started < n) { started++; start(done) }
    }
    const initial = Math.min(window, n)
    for (let i = 0; i < initial; i++) { started++; start(done) }
  })
}


// The neutral raw subscriber of the "until received" runs, in a thread of its own. In the contender's thread
// its reading would wait whenever the contender's code runs: a plain publishing loop would then also stall
// delivery, and the figure would measure that stall rather than how soon a subscriber has the messages.
import { parentPort, Worker, workerData } from 'node:worker_threads'
import { connectRaw } from './raw-contender.js'

interface Job { url: string; clientId: string; topic: string; n: number }

/** A subscriber thread: `all` resolves once it has received `n` messages; `end()` disconnects it. */
export interface SubscriberThread {
  all: Promise<void>
  end(): Promise<void>
}

/** Starts the subscriber (this file, built next to the worker) and resolves once it is subscribed. */
export async function startSubscriberThread(job: Job): Promise<SubscriberThread> {
  const thread = new Worker(new URL('./subscriber-thread.js', import.meta.url), { workerData: job })
  const next = (): Promise<string> => new Promise((resolve, reject) => {
    thread.once('message', resolve)
    thread.once('error', reject)
  })
  if ((await next()) !== 'subscribed') throw new Error('subscriber thread failed')
  const all = next().then(() => undefined)
  return {
    all,
    end: async () => {
      thread.postMessage('end')
      await new Promise((resolve) => thread.once('exit', resolve))
    },
  }
}

if (parentPort && (workerData as Job | undefined)?.topic) {
  const port = parentPort
  const job = workerData as Job
  const sub = await connectRaw(job.url, job.clientId)
  let count = 0
  await sub.subscribe([job.topic], 0, () => { if (++count === job.n) port.postMessage('all') })
  port.postMessage('subscribed')
  port.once('message', () => { void sub.end().then(() => port.close()) })
}

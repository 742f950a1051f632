// The dashboard: connect form, live topics, message log, publish form, connection state with the reconnect
// countdown, and the offline queue. QoS 1/2 messages wait in IndexedDB (IndexedDbStore) until acknowledged,
// and the session is persistent (clean: false, a client id kept in localStorage), so a message published
// while offline survives a reload and leaves once the broker is back.
import { createClient, IndexedDbStore } from '../../dist/isomqtt.esm.js'
import { createTopicsTable } from './topics.js'

const MAX_LOG = 200
const $ = (id) => document.getElementById(id)
const connectForm = $('connect-form')
const publishForm = $('publish-form')
const topics = createTopicsTable($('topics').tBodies[0])
const decoder = new TextDecoder('utf-8', { fatal: false })

let client
let countdownTimer
const settingsKey = 'isomqtt-dashboard-settings'

const newId = () => `dash-${crypto.getRandomValues(new Uint32Array(2)).join('').slice(0, 12)}`

/** The id kept in `storage` under `key` (made on first use). */
function keptId(storage, key) {
  let id = storage.getItem(key)
  if (!id) {
    id = newId()
    storage.setItem(key, id)
  }
  return id
}

/**
 * This tab's client id and its open store: the browser's own id, so what one visit left in flight is resumed by
 * the next; while another tab has that one (its store is LOCKED), one for this tab, kept across its reloads.
 * Two tabs sharing an id would take the broker session from each other, and a store from each other.
 */
async function openIdentity() {
  const ids = [keptId(localStorage, 'isomqtt-dashboard-client-id'), keptId(sessionStorage, 'isomqtt-dashboard-tab-client-id')]
  for (let i = 0; ; i++) {
    const id = ids[i] ?? newId()
    const store = new IndexedDbStore(`isomqtt-dashboard-${id}`)
    try {
      await store.open()
      if (i >= 1) sessionStorage.setItem('isomqtt-dashboard-tab-client-id', id)
      return { id, store }
    } catch (err) {
      if (err.code !== 'LOCKED') throw err
    }
  }
}

function setState(state, text = state) {
  const el = $('state')
  el.dataset.state = state
  el.textContent = text
  $('connect-button').disabled = state !== 'idle' && state !== 'closed' && state !== 'failed'
  $('disconnect-button').disabled = !($('connect-button').disabled)
}

function countdown(delayMs, attempt) {
  clearInterval(countdownTimer)
  const due = Date.now() + delayMs
  const tick = () => {
    const left = Math.max(0, Math.ceil((due - Date.now()) / 1000))
    $('countdown').textContent = left > 0 ? `reconnecting in ${left} s (attempt ${attempt})` : `reconnecting (attempt ${attempt})…`
    if (left === 0) clearInterval(countdownTimer)
  }
  tick()
  countdownTimer = setInterval(tick, 250)
}

function stopCountdown() {
  clearInterval(countdownTimer)
  $('countdown').textContent = ''
}

/** Publishes accepted while offline and not yet sent (`client.offlineQueueDepth`; '–' where the client lacks it). */
function queueDepth() {
  if (!client) return '0'
  return typeof client.offlineQueueDepth === 'number' ? String(client.offlineQueueDepth) : '–'
}

// Publishes (and publishes resumed from the store) whose completion has not come yet.
let unacked = 0
function track(promise) {
  unacked++
  const done = () => { unacked-- }
  promise.then(done, done)
  return promise
}

function log(direction, topic, text, qos, note = '') {
  const list = $('log')
  const li = document.createElement('li')
  li.className = direction
  const time = new Date().toLocaleTimeString()
  li.textContent = `${time} ${direction === 'out' ? '→' : '←'} ${topic} [QoS ${qos}] ${text.slice(0, 300)}${note ? ` (${note})` : ''}`
  list.append(li)
  while (list.childElementCount > MAX_LOG) list.firstElementChild.remove()
  list.scrollTop = list.scrollHeight
}

function saveSettings(values) {
  const { url, username, filter } = values
  localStorage.setItem(settingsKey, JSON.stringify({ url, username, filter }))
}

async function connect(values) {
  $('connect-error').textContent = ''
  saveSettings(values)
  const { id, store } = await openIdentity()
  client = createClient({
    servers: [values.url],
    clientId: id,
    clean: false,
    keepalive: 30,
    username: values.username || undefined,
    password: values.password || undefined,
    store,
    reconnect: { minDelayMs: 1000, maxDelayMs: 15_000, retryInitialConnect: true },
  })
  client.on('connect', (result) => {
    stopCountdown()
    setState('connected', `connected to ${values.url} as ${id}`)
    if (result.resumed.length > 0) log('out', '(session)', `${result.resumed.length} stored message(s) resumed from IndexedDB`, 1)
    for (const receipt of result.resumed) {
      track(receipt.done).then((r) => log('out', receipt.topic ?? '(pubrel)', 'resumed message acknowledged', r.qos), () => {})
    }
  })
  client.on('connectionLost', (err) => setState('lost', `connection lost: ${err.message}`))
  client.on('reconnecting', (info) => {
    setState('reconnecting', 'reconnecting')
    countdown(info.delayMs ?? info.delay ?? 0, info.attempt)
  })
  client.on('close', () => { stopCountdown(); setState('closed', 'disconnected') })
  client.on('error', (err) => { $('connect-error').textContent = err.message })
  setState('connecting', `connecting to ${values.url}…`)
  try {
    await client.connect()
    await client.subscribe(values.filter, (msg) => {
      const text = decoder.decode(msg.payload)
      topics.update(msg.topic, text, msg.qos)
      log('in', msg.topic, text, msg.qos, msg.retain ? 'retained' : '')
    }, { qos: 1 })
  } catch (err) {
    setState('failed', 'not connected')
    $('connect-error').textContent = err.message
  }
}

connectForm.addEventListener('submit', (event) => {
  event.preventDefault()
  void connect(Object.fromEntries(new FormData(connectForm)))
})

$('disconnect-button').addEventListener('click', async () => {
  const c = client
  localStorage.removeItem(settingsKey)
  await c?.disconnect({ quiesceMs: 500 })
})

publishForm.addEventListener('submit', (event) => {
  event.preventDefault()
  const form = new FormData(publishForm)
  const topic = String(form.get('topic'))
  const payload = String(form.get('payload'))
  const qos = Number(form.get('qos'))
  const retain = form.get('retain') === 'on'
  const result = $('publish-result')
  if (!client) { result.textContent = 'connect first'; return }
  result.textContent = `publishing to ${topic}…`
  track(client.publish(topic, payload, { qos, retain })).then(
    () => { result.textContent = `published to ${topic} (${qos === 0 ? 'sent' : qos === 1 ? 'PUBACK' : 'PUBCOMP'})`; log('out', topic, payload, qos) },
    (err) => { result.textContent = `publish failed: ${err.message}` },
  )
  if (!client.connected) result.textContent = `queued while offline: ${topic} (QoS ${qos})`
})

setInterval(() => {
  $('queue-depth').textContent = queueDepth()
  $('unacked').textContent = String(unacked)
}, 500)

// Query parameters (url, filter, username, connect=1) or the last settings fill the form; a page that was
// connected before a reload connects again, so stored messages resume.
const params = new URLSearchParams(location.search)
const saved = JSON.parse(localStorage.getItem(settingsKey) ?? 'null')
for (const name of ['url', 'username', 'filter']) {
  const value = params.get(name) ?? saved?.[name]
  if (value) connectForm.elements[name].value = value
}
setState('idle', 'not connected')
if (params.get('connect') === '1' || saved) void connect(Object.fromEntries(new FormData(connectForm)))

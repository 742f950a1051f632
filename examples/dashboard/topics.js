// The live topics table: one row per topic with its last value, a sparkline of recent numeric values,
// a message count, the QoS and the time of the last update. Updates are batched into one per frame.

const SPARK_POINTS = 40
const MAX_VALUE_CHARS = 200
const SVG = 'http://www.w3.org/2000/svg'

/** Creates the table controller over a <tbody>. */
export function createTopicsTable(tbody) {
  const rows = new Map()
  const dirty = new Set()
  let scheduled = false

  function row(topic) {
    let r = rows.get(topic)
    if (r) return r
    const tr = document.createElement('tr')
    tr.dataset.topic = topic
    const th = document.createElement('th')
    th.scope = 'row'
    th.textContent = topic
    const cells = ['value', 'trend', 'count', 'qos', 'time'].map((name) => {
      const td = document.createElement('td')
      td.className = name
      return td
    })
    const svg = document.createElementNS(SVG, 'svg')
    svg.setAttribute('class', 'spark')
    svg.setAttribute('preserveAspectRatio', 'none')
    svg.setAttribute('role', 'img')
    const line = document.createElementNS(SVG, 'polyline')
    line.setAttribute('vector-effect', 'non-scaling-stroke')
    svg.append(line)
    cells[1].append(svg)
    tr.append(th, ...cells)
    // Keep rows sorted by topic so the table reads predictably.
    const after = [...rows.keys()].filter((t) => t > topic).sort()[0]
    tbody.insertBefore(tr, after ? rows.get(after).tr : null)
    r = { tr, cells, svg, line, values: [], count: 0, text: '', qos: 0, time: 0 }
    rows.set(topic, r)
    return r
  }

  function render(r) {
    const [value, trend, count, qos, time] = r.cells
    value.textContent = r.text.length > MAX_VALUE_CHARS ? `${r.text.slice(0, MAX_VALUE_CHARS)}…` : r.text
    value.title = r.text.slice(0, 2000)
    count.textContent = String(r.count)
    qos.textContent = String(r.qos)
    time.textContent = new Date(r.time).toLocaleTimeString()
    if (r.values.length > 1) {
      const min = Math.min(...r.values)
      const span = Math.max(...r.values) - min || 1
      r.svg.setAttribute('viewBox', `0 0 ${r.values.length - 1} 20`)
      r.line.setAttribute('points', r.values.map((v, i) => `${i},${(20 - ((v - min) / span) * 18 - 1).toFixed(2)}`).join(' '))
      r.svg.setAttribute('aria-label', `last ${r.values.length} values from ${min} to ${min + span}`)
    }
  }

  function flush() {
    scheduled = false
    for (const topic of dirty) render(rows.get(topic))
    dirty.clear()
  }

  return {
    /** Records one message (topic, text, qos); numeric payloads extend the sparkline. */
    update(topic, text, qos) {
      const r = row(topic)
      r.text = text
      r.qos = qos
      r.count++
      r.time = Date.now()
      const n = text.trim() === '' ? NaN : Number(text)
      if (Number.isFinite(n)) {
        r.values.push(n)
        if (r.values.length > SPARK_POINTS) r.values.shift()
      }
      dirty.add(topic)
      if (!scheduled) {
        scheduled = true
        requestAnimationFrame(flush)
      }
    },
    /** Number of topics shown. */
    get size() { return rows.size },
  }
}

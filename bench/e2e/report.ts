// Turns the measurements into the results table (markdown) and chart (hand-written SVG).
import type { ContenderName } from './contender.js'

/** median, min and max of one figure over the runs. */
export interface Stat { median: number; min: number; max: number; runs: number }

/** One row of the table: a figure of one scenario, for each contender. */
export interface Row {
  scenario: string
  figure: string
  unit: string
  higherIsBetter: boolean
  stats: Partial<Record<ContenderName, Stat>>
}

/** The target a row is judged by. */
export interface Target { text: string; met(row: Row): boolean | undefined }

/** Summary statistics of a list of numbers. */
export function stat(values: number[]): Stat {
  const v = [...values].sort((a, b) => a - b)
  const mid = v.length >> 1
  const median = v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2
  return { median, min: v[0]!, max: v[v.length - 1]!, runs: v.length }
}

/** isomqtt relative to another contender, oriented so that > 1 means isomqtt is better. */
export function advantage(row: Row, other: ContenderName): number | undefined {
  const a = row.stats.isomqtt?.median
  const b = row.stats[other]?.median
  if (a === undefined || b === undefined || a === 0 || b === 0) return undefined
  return row.higherIsBetter ? a / b : b / a
}

/** isomqtt's figure divided by another's, as a plain ratio. */
export function ratio(row: Row, other: ContenderName): number | undefined {
  const a = row.stats.isomqtt?.median
  const b = row.stats[other]?.median
  return a === undefined || !b ? undefined : a / b
}

const fmt = (n: number): string => (n >= 10_000 ? Math.round(n).toLocaleString('en-US') : n >= 100 ? String(Math.round(n)) : String(+n.toFixed(1)))
const cell = (s: Stat | undefined): string => (s ? `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})` : '–')
const x = (r: number | undefined): string => (r === undefined ? '–' : `${r.toFixed(2)}x`)

/** The markdown table. */
export function markdownTable(rows: Row[], targets: Record<string, Target | undefined>, note: string): string {
  const lines = [
    note,
    '',
    '| scenario | unit | isomqtt | MQTT.js | raw socket | isomqtt / MQTT.js | isomqtt / raw | target | met |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ]
  for (const row of rows) {
    const key = `${row.scenario}${row.figure === 'rate' ? '' : `:${row.figure}`}`
    const t = targets[key]
    const met = t?.met(row)
    lines.push(`| ${key} | ${row.unit} | ${cell(row.stats.isomqtt)} | ${cell(row.stats.mqttjs)} | ${cell(row.stats.raw)} | ${x(ratio(row, 'mqttjs'))} | ${x(ratio(row, 'raw'))} | ${t?.text ?? ''} | ${met === undefined ? '' : met ? 'yes' : '**no**'} |`)
  }
  return lines.join('\n') + '\n'
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;')

/** A bar chart of every throughput row: isomqtt and MQTT.js as a share of the raw socket (or of the faster one). */
export function svgChart(rows: Row[], title: string): string {
  const rates = rows.filter((r) => r.unit === 'msg/s')
  const barH = 9
  const rowH = 2 * barH + 10
  const left = 200
  const width = 760
  const plotW = width - left - 90
  const top = 40
  const height = top + rates.length * rowH + 40
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${left}" y="18" font-size="13" font-weight="bold">${esc(title)}</text>`,
    `<rect x="${left}" y="26" width="10" height="8" fill="#2b7bba"/><text x="${left + 14}" y="34">isomqtt</text>`,
    `<rect x="${left + 70}" y="26" width="10" height="8" fill="#e08a2b"/><text x="${left + 84}" y="34">MQTT.js</text>`,
    `<text x="${left + 150}" y="34" fill="#555">bar length relative to the raw socket (dashed); label = msg/s</text>`,
  ]
  rates.forEach((row, i) => {
    const y = top + i * rowH
    const ref = row.stats.raw?.median ?? Math.max(row.stats.isomqtt?.median ?? 0, row.stats.mqttjs?.median ?? 0)
    const scale = Math.max(ref, row.stats.isomqtt?.median ?? 0, row.stats.mqttjs?.median ?? 0)
    parts.push(`<text x="${left - 6}" y="${y + barH + 4}" text-anchor="end">${esc(row.scenario)}</text>`)
    ;(['isomqtt', 'mqttjs'] as const).forEach((c, j) => {
      const v = row.stats[c]?.median ?? 0
      const w = scale ? Math.max(1, (v / scale) * plotW) : 0
      const by = y + j * barH
      parts.push(`<rect x="${left}" y="${by}" width="${w.toFixed(1)}" height="${barH - 1}" fill="${c === 'isomqtt' ? '#2b7bba' : '#e08a2b'}"/>`)
      parts.push(`<text x="${(left + w + 4).toFixed(1)}" y="${by + barH - 1}" fill="#333">${fmt(v)}</text>`)
    })
    if (row.stats.raw && scale) {
      const rx = left + (row.stats.raw.median / scale) * plotW
      parts.push(`<line x1="${rx.toFixed(1)}" y1="${y - 1}" x2="${rx.toFixed(1)}" y2="${y + 2 * barH}" stroke="#000" stroke-dasharray="2,2"/>`)
    }
  })
  parts.push(`<text x="${left}" y="${height - 12}" fill="#555">dashed line: raw socket writing pre-encoded packets (the most this broker gives)</text>`)
  parts.push('</svg>')
  return parts.join('\n') + '\n'
}

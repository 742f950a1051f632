// Topic Names and Topic Filters (MQTT 5 §4.7, shared subscriptions §4.8.2). Checks walk the string once
// without splitting it, so they are cheap enough for every publish and subscribe.

import { MqttError } from './errors.js'
import { utf8Length } from './utf8.js'

const SLASH = 0x2f, PLUS = 0x2b, HASH = 0x23, DOLLAR = 0x24
const SHARE_PREFIX = '$share/'

function invalid(message: string): MqttError {
  return new MqttError('INVALID_TOPIC', message)
}

function checkCommon(s: string, what: string): void {
  if (typeof s !== 'string') throw invalid(`${what} must be a string, not ${s === null ? 'null' : typeof s}`)
  if (s.length === 0) throw invalid(`${what} must be at least one character [MQTT-4.7.3-1]`)
  if (s.length > 65_535) throw invalid(`${what} exceeds 65535 bytes [MQTT-4.7.3-3]`)
}

/** A lone surrogate [MQTT-1.5.4-1] or more than 65,535 UTF-8 bytes [MQTT-4.7.3-3] is an invalid topic too (INVALID_TOPIC, not the encoder's INVALID_ARGUMENT). */
function checkEncodable(s: string, what: string): void {
  try {
    utf8Length(s)
  } catch (e) {
    throw invalid(`${what} ${(e as Error).message.replace(/^String /, '')}`)
  }
}

/** Throws MqttError INVALID_TOPIC unless `t` may be the Topic Name of a PUBLISH. */
export function validateTopicName(t: string): void {
  if (typeof t !== 'string') throw invalid(`Topic Name must be a string, not ${t === null ? 'null' : typeof t}`)
  topicNameLength(t)
}

/**
 * validateTopicName and the UTF-8 byte length in one pass, for the PUBLISH hot path; throws INVALID_TOPIC
 * (also for a lone surrogate [MQTT-1.5.4-1] or more than 65,535 bytes [MQTT-4.7.3-3]).
 */
export function topicNameLength(t: string): number {
  const n = t.length
  if (n === 0) throw invalid('Topic Name must be at least one character [MQTT-4.7.3-1]')
  let len = n
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i)
    if (c < 0x80) {
      if (c === PLUS || c === HASH) throw invalid(`Topic Name '${t}' contains a wildcard [MQTT-4.7.0-1]`)
      if (c === 0) throw invalid('Topic Name contains U+0000 [MQTT-4.7.3-2]')
    } else if (c < 0x800) {
      len += 1
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = c <= 0xdbff && i + 1 < n ? t.charCodeAt(i + 1) : 0
      if (d < 0xdc00 || d > 0xdfff) throw invalid('Topic Name contains a lone surrogate [MQTT-1.5.4-1]')
      len += 2
      i++
    } else {
      len += 2
    }
  }
  if (len > 0xffff) throw invalid(`Topic Name of ${len} bytes exceeds 65535 [MQTT-4.7.3-3]`)
  return len
}

function checkFilterLevels(f: string, from: number, original: string): void {
  const n = f.length
  for (let i = from; i < n; i++) {
    const c = f.charCodeAt(i)
    if (c === PLUS) {
      // '+' occupies an entire level [MQTT-4.7.1-2].
      if ((i > from && f.charCodeAt(i - 1) !== SLASH) || (i + 1 < n && f.charCodeAt(i + 1) !== SLASH)) {
        throw invalid(`'+' must be a whole level in Topic Filter '${original}' [MQTT-4.7.1-2]`)
      }
    } else if (c === HASH) {
      // '#' is the last character, alone or after '/' [MQTT-4.7.1-1].
      if (i + 1 !== n || (i > from && f.charCodeAt(i - 1) !== SLASH)) {
        throw invalid(`'#' must be the last level of Topic Filter '${original}' [MQTT-4.7.1-1]`)
      }
    } else if (c === 0) {
      throw invalid('Topic Filter contains U+0000 [MQTT-4.7.3-2]')
    }
  }
}

/** Throws MqttError INVALID_TOPIC unless `f` is a valid Topic Filter (shared subscriptions included). */
export function validateTopicFilter(f: string): void {
  checkCommon(f, 'Topic Filter')
  if (f.startsWith(SHARE_PREFIX)) {
    const slash = f.indexOf('/', SHARE_PREFIX.length)
    // $share/{ShareName}/{filter}: ShareName non-empty without '/', '+', '#', followed by '/' and a filter [MQTT-4.8.2-1] [MQTT-4.8.2-2].
    if (slash === -1 || slash === SHARE_PREFIX.length || slash === f.length - 1) {
      throw invalid(`Shared subscription '${f}' must be $share/<group>/<filter> [MQTT-4.8.2-2]`)
    }
    for (let i = SHARE_PREFIX.length; i < slash; i++) {
      const c = f.charCodeAt(i)
      if (c === PLUS || c === HASH) throw invalid(`Share Name in '${f}' contains a wildcard [MQTT-4.8.2-1]`)
    }
    checkFilterLevels(f, slash + 1, f)
  } else {
    checkFilterLevels(f, 0, f)
  }
  checkEncodable(f, 'Topic Filter')
}

/** Splits a shared subscription `$share/<group>/<filter>`; undefined if `filter` is not one. */
export function parseSharedSubscription(filter: string): { group: string; filter: string } | undefined {
  if (!filter.startsWith(SHARE_PREFIX)) return undefined
  const slash = filter.indexOf('/', SHARE_PREFIX.length)
  if (slash <= SHARE_PREFIX.length || slash === filter.length - 1) return undefined
  return { group: filter.slice(SHARE_PREFIX.length, slash), filter: filter.slice(slash + 1) }
}

/**
 * Whether Topic Filter `filter` matches Topic Name `topic` (§4.7). A shared subscription matches as its
 * inner filter. A filter starting with a wildcard does not match a topic starting with '$' [MQTT-4.7.2-1].
 */
export function topicMatches(filter: string, topic: string): boolean {
  let fi = 0
  if (filter.startsWith(SHARE_PREFIX)) {
    const slash = filter.indexOf('/', SHARE_PREFIX.length)
    if (slash === -1) return false
    fi = slash + 1
  }
  const fl = filter.length, tl = topic.length
  if (fi >= fl || tl === 0) return false
  const f0 = filter.charCodeAt(fi)
  if (topic.charCodeAt(0) === DOLLAR && (f0 === PLUS || f0 === HASH)) return false
  let ti = 0
  for (;;) {
    const c = filter.charCodeAt(fi)
    if (c === HASH) return true // also matches the parent level: 'a/#' matches 'a'
    if (c === PLUS) {
      while (ti < tl && topic.charCodeAt(ti) !== SLASH) ti++
      fi++
    } else {
      while (fi < fl && filter.charCodeAt(fi) !== SLASH) {
        if (ti >= tl || topic.charCodeAt(ti) !== filter.charCodeAt(fi)) return false
        fi++
        ti++
      }
      if (ti < tl && topic.charCodeAt(ti) !== SLASH) return false
    }
    // Both at the end of a level.
    if (fi >= fl) return ti >= tl
    fi++ // the filter's '/'
    if (ti >= tl) return fi === fl - 1 && filter.charCodeAt(fi) === HASH
    ti++ // the topic's '/'
  }
}

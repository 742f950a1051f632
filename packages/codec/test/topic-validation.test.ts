import { describe, expect, it } from 'vitest'
import { MqttError, parseSharedSubscription, topicMatches, validateTopicFilter, validateTopicName } from '@isomqtt/codec'

function codeOf(fn: () => void): string | undefined {
  try {
    fn()
    return undefined
  } catch (e) {
    expect(e).toBeInstanceOf(MqttError)
    return (e as MqttError).code
  }
}

describe('validateTopicName', () => {
  it.each(['a', 'a/b', '/', 'a//b', '$SYS/x', 'ü/€', ' '])('accepts %j', (t) => {
    expect(codeOf(() => validateTopicName(t))).toBeUndefined()
  })
  // A lone surrogate would be sent as U+FFFD, another topic [MQTT-1.5.4-1].
  it.each(['', 'a/+', '#', 'a/#', 'a+b', 'a\u0000b', 'a/\ud800', '\udc00'])('rejects %j with INVALID_TOPIC', (t) => {
    expect(codeOf(() => validateTopicName(t))).toBe('INVALID_TOPIC')
  })
  it('rejects a name of more than 65535 UTF-8 bytes, though fewer characters, with INVALID_TOPIC [MQTT-4.7.3-3]', () => {
    expect(codeOf(() => validateTopicName('é'.repeat(40_000)))).toBe('INVALID_TOPIC')
  })
})

describe('validateTopicFilter', () => {
  it.each(['a', '#', '+', 'a/#', '+/+', 'a/+/b', '/+', '+/', '$share/g/a/#', '$share/g/#', 'sport/tennis/#'])('accepts %j', (f) => {
    expect(codeOf(() => validateTopicFilter(f))).toBeUndefined()
  })
  it.each([
    '', 'a#', 'a/#/b', '#/a', 'a+', 'a/+b', '+a/b', 'sport/tennis#', '$share//a', '$share/g', '$share/g/', '$share/g+/a', '$share/#/a', 'a\u0000',
    'a/\ud800/b', '$share/g/\udfff',
  ])('rejects %j with INVALID_TOPIC', (f) => {
    expect(codeOf(() => validateTopicFilter(f))).toBe('INVALID_TOPIC')
  })
  it('rejects a filter of more than 65535 UTF-8 bytes, though fewer characters, with INVALID_TOPIC [MQTT-4.7.3-3]', () => {
    expect(codeOf(() => validateTopicFilter(`${'é'.repeat(40_000)}/#`))).toBe('INVALID_TOPIC')
  })
})

describe('parseSharedSubscription', () => {
  it('splits $share/<group>/<filter>', () => {
    expect(parseSharedSubscription('$share/g1/a/+/#')).toEqual({ group: 'g1', filter: 'a/+/#' })
    expect(parseSharedSubscription('a/b')).toBeUndefined()
    expect(parseSharedSubscription('$share/g')).toBeUndefined()
  })
})

describe('topicMatches', () => {
  it.each([
    ['a/b', 'a/b', true], ['a/b', 'a/c', false], ['a/b', 'a/b/c', false], ['a/b/c', 'a/b', false], ['a', 'ab', false], ['ab', 'a', false],
    ['#', 'a/b/c', true], ['a/#', 'a', true], ['a/#', 'a/b/c', true], ['a/#', 'b', false], ['sport/tennis/player1/#', 'sport/tennis/player1/ranking', true],
    ['+', 'a', true], ['+', 'a/b', false], ['+', '/a', false], ['+/+', '/a', true], ['/+', '/a', true], ['a/+', 'a/', true], ['a/+', 'a', false],
    ['a/+/c', 'a/b/c', true], ['a/+/c', 'a/b/d', false], ['+/b/#', 'x/b', true], ['a/', 'a/', true], ['a/', 'a/b', false],
    // [MQTT-4.7.2-1]: wildcards at the first level do not match topics beginning with '$'.
    ['#', '$SYS/load', false], ['+/load', '$SYS/load', false], ['$SYS/#', '$SYS/load', true], ['$SYS/+', '$SYS/load', true],
    ['$share/g/a/+', 'a/b', true], ['$share/g/#', '$SYS/x', false],
  ] as const)('%j against %j is %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected)
  })
})

// Default ports per scheme and the default WebSocket path, as users rely on them.
import { describe, expect, it } from 'vitest'
import { describe as describeUrl, hostOf, portOf, webSocketUrl } from '../src/url.js'

describe('URL defaults', () => {
  it.each([
    ['mqtt://h', 1883], ['tcp://h', 1883], ['mqtts://h', 8883], ['ssl://h', 8883], ['tls://h', 8883],
    ['ws://h', 80], ['wss://h', 443], ['mqtt://h:1999', 1999], ['wss://h:8084', 8084],
  ])('%s dials port %i', (url, port) => {
    expect(portOf(new URL(url))).toBe(port)
  })

  it('WebSocket URLs without a path get /mqtt; explicit paths and queries are kept', () => {
    expect(webSocketUrl(new URL('ws://h')).href).toBe('ws://h/mqtt')
    expect(webSocketUrl(new URL('wss://h:1/')).href).toBe('wss://h:1/mqtt')
    expect(webSocketUrl(new URL('ws://h/ws?x=1')).href).toBe('ws://h/ws?x=1')
  })

  it('WebSocket URLs lose their user info: a URL\'s credentials are the MQTT CONNECT\'s, not HTTP ones', () => {
    expect(webSocketUrl(new URL('wss://alice:secret@h:8084/mqtt')).href).toBe('wss://h:8084/mqtt')
  })

  it('IPv6 literals are dialed without brackets', () => {
    expect(hostOf(new URL('mqtt://[::1]:1883'))).toBe('::1')
  })

  it('messages name the port a connection goes to, the default one included, and never the user info', () => {
    expect(describeUrl(new URL('mqtt://user:secret@broker.example'))).toBe('mqtt://broker.example:1883')
    expect(describeUrl(new URL('mqtts://[::1]'))).toBe('mqtts://[::1]:8883')
    expect(describeUrl(new URL('wss://broker.example/mqtt?token=abc'))).toBe('wss://broker.example:443')
    expect(describeUrl(new URL('ws://127.0.0.1:9001'))).toBe('ws://127.0.0.1:9001')
  })
})

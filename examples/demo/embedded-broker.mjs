// The demo's embedded broker: aedes on MQTT/TCP and MQTT over WebSocket, both on loopback, free ports
// unless given. Nothing to install beyond npm dependencies.
import { createServer as createHttpServer } from 'node:http'
import { createServer as createNetServer } from 'node:net'
import { Aedes } from 'aedes'
import { WebSocketServer, createWebSocketStream } from 'ws'

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => resolve(server.address().port))
  })
}

/** Starts aedes; resolves { mqttUrl, wsUrl, close() }. */
export async function startEmbeddedBroker({ host = '127.0.0.1', mqttPort = 0, wsPort = 0 } = {}) {
  const aedes = await Aedes.createBroker()
  const tcp = createNetServer(aedes.handle)
  const http = createHttpServer((req, res) => res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n'))
  // Browsers offer the `mqtt` subprotocol (`mqttv3.1` for MQTT 3.1); the broker answers with the one offered.
  const wss = new WebSocketServer({ server: http, handleProtocols: (protocols) => [...protocols][0] ?? false })
  wss.on('connection', (websocket, req) => aedes.handle(createWebSocketStream(websocket), req))
  const tcpPort = await listen(tcp, mqttPort, host)
  const webPort = await listen(http, wsPort, host)
  return {
    mqttUrl: `mqtt://${host}:${tcpPort}`,
    wsUrl: `ws://${host}:${webPort}`,
    async close() {
      for (const client of wss.clients) client.terminate()
      await new Promise((resolve) => wss.close(resolve))
      http.closeAllConnections()
      await Promise.all([new Promise((r) => http.close(r)), new Promise((r) => tcp.close(r)), new Promise((r) => aedes.close(r))])
    },
  }
}

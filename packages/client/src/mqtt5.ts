// The MQTT 5 machinery as one module, so the runtime loads it with a single dynamic import on the first
// MQTT 5 connect and bundlers put it in one lazy chunk: an MQTT 3.1.x app never downloads it.
export { Mqtt5Session } from './mqtt5-session.js'
export { Mqtt5Control } from './mqtt5-control.js'

export * from './packets.js'
export * from './errors.js'

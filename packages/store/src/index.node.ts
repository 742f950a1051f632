// Node entry: the browser-safe exports plus FileStore.

export * from './index.js'
export { FileStore, type FileStoreOptions } from './file-store.js'

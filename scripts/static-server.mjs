// A small static file server for the dashboard and the browser tests: files under `root` only, on loopback,
// with the MIME types module scripts need. Used by scripts/demo.mjs and the Playwright global setup.
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
}

/**
 * Serves `root` on `host:port` (port 0 picks a free one). `redirects` maps request paths to others (e.g. '/'
 * to the dashboard). Resolves { url, port, close }.
 */
export async function startStaticServer({ root, host = '127.0.0.1', port = 0, redirects = {} }) {
  const base = normalize(root + sep)
  const server = createServer(async (req, res) => {
    try {
      const { pathname } = new URL(req.url ?? '/', 'http://localhost')
      if (redirects[pathname]) {
        res.writeHead(302, { location: redirects[pathname] }).end()
        return
      }
      let file = normalize(join(base, decodeURIComponent(pathname)))
      if (!file.startsWith(base) || file.includes(`${sep}node_modules${sep}`)) {
        res.writeHead(403).end('forbidden')
        return
      }
      let info = await stat(file).catch(() => undefined)
      if (info?.isDirectory()) {
        file = join(file, 'index.html')
        info = await stat(file).catch(() => undefined)
      }
      if (!info?.isFile()) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
        return
      }
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'content-length': info.size,
        'cache-control': 'no-store',
      })
      createReadStream(file).pipe(res)
    } catch {
      res.writeHead(400).end('bad request')
    }
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  const actual = server.address().port
  return {
    url: `http://${host}:${actual}`,
    port: actual,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }),
  }
}

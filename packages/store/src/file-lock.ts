// One FileStore per directory: an exclusive lock file holding the owner's pid, taken over when that pid is dead.

import { randomUUID } from 'node:crypto'
import { link, readFile, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { StoreError } from './errors.js'
import { isErrno, LOCK_FILE } from './file-log.js'

// Lock files this process holds. A lock naming our own pid that is not listed here was left by an earlier
// process that had the same pid (pid 1 in every container start), so it is stale, not ours.
const held = new Set<string>()

/** A held directory lock. */
export interface FileLock {
  release(): Promise<void>
}

/** Takes the lock of `dir`, or rejects with LOCKED while another live process (or store) holds it. */
export async function acquireLock(dir: string, warn: (message: string) => void): Promise<FileLock> {
  const path = join(dir, LOCK_FILE)
  if (held.has(path)) throw locked(dir, 'another FileStore in this process')
  const content = `${process.pid}\n${randomUUID()}\n`
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createExclusive(path, content)) {
      held.add(path)
      return { release: () => release(path, content) }
    }
    const current = await readFile(path, 'utf8').catch((err: unknown) => {
      if (isErrno(err, 'ENOENT')) return undefined
      throw new StoreError('IO_ERROR', `cannot read the lock file ${path}`, { cause: err })
    })
    if (current === undefined) continue
    const pid = Number.parseInt(current, 10)
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) throw locked(dir, `process ${pid}`)
    warn(`taking over the stale lock of pid ${Number.isNaN(pid) ? '?' : pid} in ${dir}`)
    // remove it only if it is still the stale one, so a store that just took it over keeps it
    const again = await readFile(path, 'utf8').catch(() => undefined)
    if (again === current) await unlink(path).catch(() => {})
  }
  throw new StoreError('LOCKED', `could not take the lock of ${dir}: it keeps changing hands`)
}

// The content goes to a private file first and is then linked into place: link() fails if the lock
// exists, so a reader never sees a lock file without its pid.
async function createExclusive(path: string, content: string): Promise<boolean> {
  const tmp = `${path}.${process.pid}.${randomUUID()}`
  try {
    await writeFile(tmp, content, { flag: 'wx' })
    try {
      await link(tmp, path)
      return true
    } catch (err) {
      if (isErrno(err, 'EEXIST')) return false
      if (!isErrno(err, 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS')) throw err
      // no hard links on this file system: fall back to an exclusive create
      await writeFile(path, content, { flag: 'wx' })
      return true
    }
  } catch (err) {
    if (isErrno(err, 'EEXIST')) return false
    throw new StoreError('IO_ERROR', `cannot create the lock file ${path}`, { cause: err })
  } finally {
    await unlink(tmp).catch(() => {})
  }
}

async function release(path: string, content: string): Promise<void> {
  held.delete(path)
  const current = await readFile(path, 'utf8').catch(() => undefined)
  if (current === content) await unlink(path).catch(() => {})
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return isErrno(err, 'EPERM')
  }
}

function locked(dir: string, owner: string): StoreError {
  return new StoreError('LOCKED', `the store directory ${dir} is in use by ${owner}`)
}

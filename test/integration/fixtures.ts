import { mkdtemp, rm, mkdir, writeFile, readFile, readdir, stat } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { randomFillSync, createHash } from 'node:crypto'
import { TrackerServer } from '../../src/tracker/index.js'
import type { Torrent } from '../../src/torrent/torrent.js'

export async function tempDir(prefix = 'swarmstream-test-'): Promise<{ path: string; cleanup(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix))
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) }
}

export function randomData(size: number): Uint8Array {
  const b = new Uint8Array(size)
  randomFillSync(b)
  return b
}

export async function writeRandomFile(path: string, size: number): Promise<Uint8Array> {
  const data = randomData(size)
  await mkdir(join(path, '..'), { recursive: true })
  await writeFile(path, data)
  return data
}

/** A free TCP port on 127.0.0.1 (for third-party peers that need a number up front). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const a = s.address()
      const port = typeof a === 'object' && a ? a.port : 0
      s.close(() => resolve(port))
    })
  })
}

/** sha256 of every file under a folder, by relative path: two trees are equal when these are. */
export async function treeDigest(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  async function walk(dir: string): Promise<void> {
    for (const name of (await readdir(dir)).sort()) {
      const p = join(dir, name)
      if ((await stat(p)).isDirectory()) await walk(p)
      else out[relative(root, p)] = createHash('sha256').update(await readFile(p)).digest('hex')
    }
  }
  await walk(root)
  return out
}

export async function fileDigest(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex')
}

/** Our own HTTP + UDP tracker on loopback. */
export async function startTracker(): Promise<{ http: string; udp: string; close(): Promise<void> }> {
  const server = new TrackerServer({ http: { port: 0, host: '127.0.0.1' }, udp: { port: 0, host: '127.0.0.1' }, ws: false, interval: 5 })
  const ports = await server.listen()
  return { http: `http://127.0.0.1:${ports.http}/announce`, udp: `udp://127.0.0.1:${ports.udp}`, close: () => server.close() }
}

/** Resolves when the torrent has every selected piece; rejects on its error or after `ms`. */
export function whenDone(t: Torrent, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (t.done && t.ready) { resolve(); return }
    const timer = setTimeout(() => reject(new Error(`${t.name} not done after ${ms} ms (progress ${t.progress})`)), ms)
    t.once('done', () => { clearTimeout(timer); resolve() })
    t.once('error', (e) => { clearTimeout(timer); reject(e) })
  })
}

/** Shared pieces of the web seed tests: test data on disk, clients, waiting on events. */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Client } from '../../src/client/index.node.js'
import type { Torrent } from '../../src/torrent/torrent.js'
import { randomData } from '../integration/fixtures.js'

export { tempDir, treeDigest, fileDigest, whenDone, randomData } from '../integration/fixtures.js'

/** A multi-file folder whose files straddle pieces, with names that need percent-encoding. */
export async function writeAlbum(root: string): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {
    'album/01 intro.bin': randomData(100_003),
    'album/sub/b#2 %.bin': randomData(250_001),
    'album/c.bin': randomData(70_000),
    'album/d.bin': randomData(700_000),
  }
  for (const [path, data] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true })
    await writeFile(join(root, path), data)
  }
  return files
}

export function leecher(): Client {
  return new Client({ port: false, trackers: false })
}

export function seeder(): Client {
  return new Client({ port: 0, host: '127.0.0.1', trackers: false })
}

/** fast retries, so that a failing web seed is dropped within the test */
export const QUICK_RETRY = { retryMs: 20, maxFailures: 3 }

/** Resolves with the error of the web seed `url` once the torrent drops it. */
export function whenDropped(t: Torrent, ms: number): Promise<{ url: string; why: Error }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no web seed dropped after ${ms} ms: ${JSON.stringify(t.webSeeds.list())}`)), ms)
    t.webSeeds.once('dropped', (url, why) => { clearTimeout(timer); resolve({ url, why }) })
  })
}

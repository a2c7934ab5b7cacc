/** --select: bare, it lists a torrent's files (fetching the metadata of a magnet link
 * first); with indexes, they are checked against the torrent once its files are known. */
import { UsageError, type NetworkOptions } from '../options.js'
import { cliClient, timeout, untilSignal } from '../session.js'
import { formatBytes } from '../progress.js'
import { MemoryStorage } from '../../storage/memory.js'
import type { Torrent } from '../../torrent/torrent.js'

/** Resolves with a UsageError if `select` names a file the torrent does not have (and
 * never otherwise). */
export function checkSelection(t: Torrent, select: number[] | undefined): Promise<UsageError> {
  return new Promise((resolve) => {
    if (!select) return
    t.once('metadata', () => {
      const n = t.files.length
      const bad = select.filter((i) => i >= n)
      if (bad.length > 0) resolve(new UsageError(`--select ${bad.join(',')}: ${t.name} has ${n} file${n === 1 ? '' : 's'} (0-${n - 1}); --select alone lists them`))
    })
  })
}

export async function listFiles(ids: string[], o: NetworkOptions & { timeout?: number }): Promise<number> {
  const client = cliClient(o)
  const signal = untilSignal()
  try {
    for (const id of ids) {
      // nothing is stored: the files are skipped and kept in memory
      const t = client.add(id, { deselect: true, verify: false, peers: o.peer ?? [], createStorage: (l) => new MemoryStorage(l), ...(o.announce ? { announce: o.announce } : {}) })
      if (!t.metainfo && !o.quiet) process.stderr.write('fetching metadata…\n')
      const got = await Promise.race([
        new Promise<'ok'>((res) => t.once('metadata', () => res('ok'))),
        t.whenReady().then(() => 'ok' as const, (err: Error) => err),
        signal.promise, timeout(o.timeout),
      ])
      if (got instanceof Error) { process.stderr.write(`error: ${got.message}\n`); return 1 }
      if (got === 'timeout') { process.stderr.write(`error: no metadata within ${o.timeout} s\n`); return 1 }
      if (got !== 'ok') return 130
      process.stdout.write(`${t.name} (${formatBytes(t.length)}, ${t.files.length} file${t.files.length === 1 ? '' : 's'}):\n`)
      for (const f of t.files) if (!f.padding) process.stdout.write(`  ${String(f.index).padStart(4)}  ${formatBytes(f.length).padStart(10)}  ${f.path}\n`)
      await t.destroy()
    }
    return 0
  } finally {
    signal.cancel()
    await client.destroy()
  }
}

/** `swarmstream downloadmeta <magnet...>`: fetches each torrent's metadata from peers
 * (BEP 9) and saves it as a .torrent file, downloading no file data. */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Command } from 'commander'
import { addNetworkOptions, parseSeconds, type NetworkOptions } from '../options.js'
import { cliClient, showWarnings, timeout, untilSignal } from '../session.js'
import { prepareFolder } from '../folders.js'
import { MemoryStorage } from '../../storage/memory.js'
import { sanitizePathComponent } from '../../metainfo/index.js'

interface MetaOptions extends NetworkOptions { out?: string; timeout?: number }

export function registerDownloadMeta(program: Command, setCode: (code: number) => void): void {
  const cmd = program.command('downloadmeta')
    .summary('save the .torrent of a magnet link')
    .description('Fetch the metadata of each magnet link (or info hash) from peers and save it as <name>.torrent, without downloading any file data.')
    .argument('<magnet...>', 'magnet links or info hashes')
    .option('-o, --out <dir>', 'folder for the .torrent files (default: the current folder)')
    .option('--timeout <seconds>', 'give up (exit 1) if the metadata does not come in time', parseSeconds)
  addNetworkOptions(cmd)
  cmd.action(async (ids: string[], o: MetaOptions) => setCode(await downloadMeta(ids, o)))
}

async function downloadMeta(ids: string[], o: MetaOptions): Promise<number> {
  const dir = await prepareFolder(o.out ?? '.')
  const client = cliClient(o)
  const signal = untilSignal()
  try {
    const torrents = ids.map((id) => client.add(id, {
      deselect: true, verify: false, peers: o.peer ?? [], createStorage: (l) => new MemoryStorage(l),
      ...(o.announce ? { announce: o.announce } : {}),
    }))
    const saved = torrents.map(async (t) => {
      showWarnings(t, o)
      await Promise.race([new Promise<void>((res) => t.once('metadata', () => res())), t.whenReady()])
      const file = join(dir, `${sanitizePathComponent(t.name) || t.infoHash}.torrent`)
      await writeFile(file, t.torrentFile!)
      process.stdout.write(`${o.quiet ? '' : `saved ${t.name}: `}${file}\n`)
      await t.destroy()
    })
    const outcome = await Promise.race([Promise.all(saved).then(() => 'done' as const, (err: Error) => err), signal.promise, timeout(o.timeout)])
    if (outcome instanceof Error) { process.stderr.write(`error: ${outcome.message}\n`); return 1 }
    if (outcome === 'timeout') { process.stderr.write(`error: no metadata within ${o.timeout} s\n`); return 1 }
    return outcome === 'done' ? 0 : 130
  } finally {
    signal.cancel()
    await client.destroy()
  }
}

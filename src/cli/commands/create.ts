import { writeFile } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import type { Command } from 'commander'
import { createTorrentFromPath, formatMagnet } from '../../metainfo/index.node.js'
import { UsageError } from '../options.js'

interface CreateOptions { announce?: string[]; out?: string; pieceLength?: number; private?: boolean; comment?: string; webSeed?: string[] }

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v]

export function registerCreate(program: Command, setCode: (code: number) => void): void {
  program.command('create')
    .summary('make a .torrent of a file or folder')
    .description('Hash a file or folder into a .torrent file (BEP 3; trackers as BEP 12 tiers, web seeds as BEP 19) and print its magnet link.')
    .argument('<path>', 'file or folder')
    .option('-a, --announce <url>', 'a tracker (repeatable; each its own tier)', collect)
    .option('-o, --out <file>', 'where to write it (default: <name>.torrent here)')
    .option('--piece-length <bytes>', 'piece size, at least 16384 (default: chosen for ~1000-2000 pieces)', (v) => {
      const n = Number(v)
      if (!(Number.isInteger(n) && n >= 16384)) throw new UsageError('--piece-length must be an integer of at least 16384')
      return n
    })
    .option('--private', 'private torrent (BEP 27: peers from trackers only)')
    .option('--comment <text>', 'a comment')
    .option('--web-seed <url>', 'a web seed URL (repeatable)', collect)
    .action(async (path: string, o: CreateOptions) => setCode(await createCommand(path, o)))
}

async function createCommand(path: string, o: CreateOptions): Promise<number> {
  const { torrent, metainfo } = await createTorrentFromPath(resolve(path), {
    ...(o.announce ? { announce: o.announce.map((u) => [u]) } : {}),
    ...(o.pieceLength ? { pieceLength: o.pieceLength } : {}),
    ...(o.private ? { private: true } : {}),
    ...(o.comment ? { comment: o.comment } : {}),
    ...(o.webSeed ? { urlList: o.webSeed } : {}),
  })
  const file = o.out ?? `${basename(resolve(path))}.torrent`
  await writeFile(file, torrent)
  process.stdout.write(`wrote ${file}\n`)
  process.stdout.write(formatMagnet({ infoHash: metainfo.infoHash, name: metainfo.name, trackers: metainfo.announce.flat() }) + '\n')
  return 0
}

import { writeFile } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { createTorrentFromPath, formatMagnet } from '../../metainfo/index.node.js'
import { parse, UsageError } from '../args.js'

export const createUsage = 'swarmstream create <path> [--announce <url>]... [-o <file.torrent>] [--piece-length <bytes>] [--private] [--comment <text>] [--web-seed <url>]...'

export async function createCommand(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parse(argv, {
    announce: { type: 'string', short: 'a', multiple: true },
    output: { type: 'string', short: 'o' },
    'piece-length': { type: 'string' },
    private: { type: 'boolean' },
    comment: { type: 'string' },
    'web-seed': { type: 'string', multiple: true },
  })
  const path = positionals[0]
  if (!path || positionals.length > 1) throw new UsageError(createUsage)
  const pieceLength = values['piece-length'] === undefined ? undefined : Number(values['piece-length'])
  if (pieceLength !== undefined && !(Number.isInteger(pieceLength) && pieceLength >= 16384)) throw new UsageError('--piece-length must be an integer of at least 16384')
  const { torrent, metainfo } = await createTorrentFromPath(resolve(path), {
    ...(values.announce ? { announce: values.announce.map((u) => [u]) } : {}),
    ...(pieceLength ? { pieceLength } : {}),
    ...(values.private ? { private: true } : {}),
    ...(values.comment ? { comment: values.comment } : {}),
    ...(values['web-seed'] ? { urlList: values['web-seed'] } : {}),
  })
  const file = values.output ?? `${basename(resolve(path))}.torrent`
  await writeFile(file, torrent)
  out.write(`wrote ${file}\n`)
  out.write(formatMagnet({ infoHash: metainfo.infoHash, name: metainfo.name, trackers: metainfo.announce.flat() }) + '\n')
  return 0
}

import { writeFile } from 'node:fs/promises'
import { formatMagnet } from '../../metainfo/index.js'
import { networkOptions, parse, UsageError } from '../args.js'
import { cliClient, peersOf, untilSignal } from '../session.js'
import { formatBytes } from '../progress.js'

export const seedUsage = 'swarmstream seed <path> [--torrent <file.torrent>] [--announce <url>]... [--port <n>] [--peer <host:port>]... [--encryption enabled|forced|disabled] [--save-torrent <file>] [--announce-every <s>] [--upload-limit <KB/s>]'

export async function seedCommand(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...networkOptions,
    torrent: { type: 'string', short: 't' },
    'save-torrent': { type: 'string' },
    'announce-every': { type: 'string' },
    'upload-limit': { type: 'string' },
  })
  const path = positionals[0]
  if (!path || positionals.length > 1) throw new UsageError(seedUsage)
  const client = cliClient(values)
  const signal = untilSignal()
  try {
    const { torrent, torrentFile, metainfo } = await client.seed(path, {
      ...(values.torrent ? { torrent: values.torrent } : {}),
      ...(values.announce ? { announce: values.announce.map((u) => [u]) } : {}),
      peers: peersOf(values),
      ...(values['upload-limit'] ? { uploadLimit: kilobytesPerSecond(values['upload-limit']) } : {}),
    })
    if (values['save-torrent']) await writeFile(values['save-torrent'], torrentFile)
    const failed = new Promise<Error>((res) => torrent.once('error', res))
    if (!torrent.ready) await Promise.race([new Promise((res) => torrent.once('ready', () => res(undefined))), failed])
    if (!torrent.done) {
      const pct = (torrent.progress * 100).toFixed(1)
      process.stderr.write(`error: the data at ${path} does not match the torrent (${pct}% verified)\n`)
      return 1
    }
    const magnet = formatMagnet({ infoHash: metainfo.infoHash, name: metainfo.name, trackers: metainfo.announce.flat() })
    out.write(`seeding ${metainfo.name} (${formatBytes(metainfo.length)}) on port ${client.port}\n${magnet}\n`)
    out.write('READY\n')
    const every = Number(values['announce-every'] ?? 0)
    const timer = every > 0 ? setInterval(() => torrent.announce(), every * 1000) : undefined
    torrent.on('wire', (_w, addr) => { if (!values.quiet) out.write(`peer connected: ${addr.host}:${addr.port}\n`) })
    const outcome = await Promise.race([signal.promise, failed])
    if (timer) clearInterval(timer)
    if (outcome instanceof Error) { process.stderr.write(`error: ${outcome.message}\n`); return 1 }
    return 0
  } finally {
    signal.cancel()
    await client.destroy()
  }
}

function kilobytesPerSecond(v: string): number {
  const n = Number(v)
  if (!(n > 0)) throw new UsageError(`invalid --upload-limit (KB/s): ${v}`)
  return n * 1000
}

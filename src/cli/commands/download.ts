import { resolve } from 'node:path'
import { networkOptions, parse, parseIndexList, UsageError } from '../args.js'
import { cliClient, peersOf, runFigures, showProgress, untilSignal } from '../session.js'
import { formatBytes } from '../progress.js'
import { streamDownload, streamOptions } from './serve.js'

export const downloadUsage = 'swarmstream download <file.torrent|magnet|infohash> [-o <dir>] [--port <n>] [--select <i,j,k-l>] [--keep-seeding] [--sequential] [--peer <host:port>]... [--web-seed <url>]... [--encryption enabled|forced|disabled] [--announce <url>]... [--no-dht] [--json] [--stream [--http-port <n>]] [--stdout] [--vlc|--mpv|--player <command>]'

export async function downloadCommand(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...networkOptions,
    output: { type: 'string', short: 'o' },
    select: { type: 'string', short: 's' },
    'keep-seeding': { type: 'boolean' },
    sequential: { type: 'boolean' },
    timeout: { type: 'string' },
    'web-seed': { type: 'string', multiple: true },
    ...streamOptions,
  })
  const id = positionals[0]
  if (!id || positionals.length > 1) throw new UsageError(downloadUsage)
  if (values.stream || values.stdout || values.vlc || values.mpv || values.player !== undefined) return streamDownload(id, values, out, 'download')
  const started = performance.now()
  const client = cliClient(values)
  const signal = untilSignal()
  try {
    const torrent = await client.add(id, {
      path: resolve(values.output ?? '.'),
      peers: peersOf(values),
      ...(values.announce ? { announce: values.announce.map((u) => [u]) } : {}),
      ...(values.select ? { select: parseIndexList(values.select) } : {}),
      ...(values.sequential ? { sequential: true } : {}),
      ...(values['web-seed'] ? { webSeeds: values['web-seed'] } : {}),
    })
    const quiet = values.quiet === true || values.json === true
    if (!quiet) {
      const describe = () => `${torrent.name} (${formatBytes(torrent.length)}, ${torrent.files.length} file${torrent.files.length === 1 ? '' : 's'})`
      torrent.on('metadata', () => out.write(`metadata: ${describe()}\n`))
      if (torrent.metainfo) out.write(`${describe()}\n`)
    }
    torrent.on('warning', (w) => { if (process.env.SWARMSTREAM_DEBUG) process.stderr.write(`warning: ${w.message}\n`) })
    const stopProgress = showProgress(torrent, !quiet)
    const failed = new Promise<Error>((res) => torrent.once('error', res))
    const done = new Promise<void>((res) => { if (torrent.done && torrent.ready) res(); else torrent.once('done', () => res()) })
    const timeoutMs = values.timeout ? Number(values.timeout) * 1000 : 0
    const timeout = timeoutMs > 0 ? new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), timeoutMs).unref()) : new Promise<never>(() => undefined)
    const outcome = await Promise.race([done.then(() => 'done' as const), failed, signal.promise, timeout])
    stopProgress()
    if (outcome instanceof Error) { process.stderr.write(`error: ${outcome.message}\n`); return 1 }
    if (outcome !== 'done') { process.stderr.write(outcome === 'timeout' ? 'error: timed out before the download finished\n' : 'interrupted\n'); return outcome === 'timeout' ? 1 : 130 }
    const figures = runFigures(started, torrent.wanted.total)
    if (values.json) out.write(JSON.stringify({ client: 'swarmstream', infoHash: torrent.infoHashHex, ...figures }) + '\n')
    else if (!values.quiet) out.write(`done: ${torrent.name}, ${formatBytes(figures.bytes ?? 0)} verified in ${figures.seconds} s (${figures.MBps} MB/s)\n`)
    if (values['keep-seeding']) {
      if (!quiet) out.write('seeding; Ctrl-C to stop\n')
      await signal.promise
    }
    return 0
  } finally {
    signal.cancel()
    await client.destroy()
  }
}

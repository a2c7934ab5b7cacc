/** Streaming from the command line: `serve` (an HTTP range server for one torrent), and the
 * streaming modes of `download` (--stream, --stdout, --vlc, --mpv, --player). */
import { resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { networkOptions, parse, parseIndexList, parsePort, UsageError } from '../args.js'
import { cliClient, peersOf, showProgress, untilSignal } from '../session.js'
import { formatBytes } from '../progress.js'
import { playerArgv, startPlayer } from '../player.js'
import type { Client } from '../../client/index.node.js'
import type { StreamServer } from '../../stream/http-server.node.js'
import type { Torrent } from '../../torrent/torrent.js'
import type { TorrentFile } from '../../torrent/files.js'

export const serveUsage = 'swarmstream serve <file.torrent|magnet|infohash> [--port <http port>] [--torrent-port <n>] [-o <dir>] [--select <i>] [--vlc|--mpv|--player <command>] [--peer <host:port>]...'

/** The default HTTP port; when taken (and not asked for explicitly) any free port is used. */
const DEFAULT_HTTP_PORT = 8000

export interface StreamValues {
  output?: string | undefined
  select?: string | undefined
  announce?: string[] | undefined
  peer?: string[] | undefined
  port?: string | undefined
  host?: string | undefined
  'no-trackers'?: boolean | undefined
  quiet?: boolean | undefined
  json?: boolean | undefined
  stream?: boolean | undefined
  stdout?: boolean | undefined
  'http-port'?: string | undefined
  vlc?: boolean | undefined
  mpv?: boolean | undefined
  player?: string | undefined
}

export const streamOptions = {
  stream: { type: 'boolean' },
  stdout: { type: 'boolean' },
  'http-port': { type: 'string' },
  vlc: { type: 'boolean' },
  mpv: { type: 'boolean' },
  player: { type: 'string' },
} as const

export async function serveCommand(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parse(argv, {
    ...networkOptions,
    ...streamOptions,
    'torrent-port': { type: 'string' },
    output: { type: 'string', short: 'o' },
    select: { type: 'string', short: 's' },
  })
  const id = positionals[0]
  if (!id || positionals.length > 1 || values.stdout) throw new UsageError(serveUsage)
  // here --port is the HTTP port (what this command is for); peers use --torrent-port
  const { port, 'torrent-port': torrentPort, 'http-port': httpPort, ...rest } = values
  return streamDownload(id, { ...rest, stream: true, port: torrentPort, 'http-port': port ?? httpPort }, out, 'serve')
}

/** A download in streaming order that serves, plays or prints one file as it arrives. */
export async function streamDownload(id: string, values: StreamValues, out: NodeJS.WritableStream, mode: 'download' | 'serve'): Promise<number> {
  const player = playerArgv(values)
  if (values.stdout && player) throw new UsageError('--stdout and a player do not go together')
  // with --stdout the file owns standard output: everything else goes to stderr
  const log = values.stdout ? process.stderr : out
  const quiet = values.quiet === true || values.json === true
  const client = cliClient(values)
  const signal = untilSignal()
  let server: StreamServer | undefined
  let stopPlayer = () => undefined as void
  try {
    const select = values.select ? parseIndexList(values.select) : undefined
    const torrent = await client.add(id, {
      path: resolve(values.output ?? '.'),
      peers: peersOf(values),
      sequential: true,
      ...(values.announce ? { announce: values.announce.map((u) => [u]) } : {}),
      ...(select ? { select } : {}),
    })
    torrent.on('warning', (w) => { if (process.env.SWARMSTREAM_DEBUG) process.stderr.write(`warning: ${w.message}\n`) })
    const failed = new Promise<Error>((res) => torrent.once('error', res))
    if (values.stream || player || mode === 'serve') {
      server = await listen(client, values['http-port'])
      if (!quiet) log.write(`index: ${server.origin}/\n`)
    }
    if (!torrent.metainfo) {
      if (!quiet) log.write('fetching metadata…\n')
      const got = await Promise.race([new Promise<'ok'>((res) => torrent.once('metadata', () => res('ok'))), failed, signal.promise])
      if (got instanceof Error) { process.stderr.write(`error: ${got.message}\n`); return 1 }
      if (got !== 'ok') return 130
    }
    const file = mainFile(torrent, select)
    if (!file) { process.stderr.write('error: the torrent has no file to stream\n'); return 1 }
    if (!quiet) log.write(`${torrent.name} (${formatBytes(torrent.length)}, ${torrent.files.length} files); streaming ${file.path} (${formatBytes(file.length)})\n`)
    const url = server?.urlOf(torrent, file)
    if (url) log.write(`${url}\n`)
    const stopProgress = showProgress(torrent, !quiet)
    const outcomes: Promise<string | Error>[] = [failed, signal.promise]
    if (values.stdout) outcomes.push(toStdout(file))
    if (player && url) {
      const p = startPlayer(player, url)
      stopPlayer = p.stop
      outcomes.push(p.exited.then((code) => `player exited (${code})`, (err: Error) => err))
    }
    if (mode === 'download' && !values.stdout && !player) {
      outcomes.push(new Promise<string>((res) => { if (torrent.done && torrent.ready) res('done'); else torrent.once('done', () => res('done')) }))
    }
    let outcome = await Promise.race(outcomes)
    if (outcome === 'done') {
      if (!quiet) log.write(`done: ${torrent.name}; still serving, Ctrl-C to stop\n`)
      outcome = await Promise.race([failed, signal.promise])
    }
    stopProgress()
    if (outcome instanceof Error) { process.stderr.write(`error: ${outcome.message}\n`); return 1 }
    if (outcome === 'SIGINT' || outcome === 'SIGTERM') return mode === 'serve' ? 0 : 130
    if (!quiet) log.write(`${outcome}\n`)
    return 0
  } finally {
    stopPlayer()
    signal.cancel()
    await server?.close()
    await client.destroy()
  }
}

/** The file to stream: the largest selected one (the largest of all without --select). */
export function mainFile(torrent: Torrent, select: number[] | undefined): TorrentFile | undefined {
  const wanted = new Set(select ?? [])
  let best: TorrentFile | undefined
  for (const f of torrent.files) {
    if (f.padding || (select && !wanted.has(f.index))) continue
    if (!best || f.length > best.length) best = f
  }
  return best
}

async function listen(client: Client, portFlag: string | undefined): Promise<StreamServer> {
  const port = parsePort(portFlag, DEFAULT_HTTP_PORT)
  const server = client.createServer({ port, host: '127.0.0.1' })
  try {
    await server.listen()
    return server
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || portFlag !== undefined) throw err
    const any = client.createServer({ port: 0, host: '127.0.0.1' })
    await any.listen()
    return any
  }
}

/** Writes the file to standard output in order, as its pieces arrive. */
async function toStdout(file: TorrentFile): Promise<string | Error> {
  try {
    await pipeline(file.createReadStream(), process.stdout, { end: false })
    return `wrote ${file.path} to standard output`
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    return e.code === 'EPIPE' ? 'standard output closed' : e
  }
}

/** Streaming from the command line: `serve` (an HTTP range server for one torrent), and the
 * streaming modes of `download` (--stream, --stdout, --vlc, --mpv, --player). Both keep
 * what they fetch in <tmp>/swarmstream unless -o says where. */
import { pipeline } from 'node:stream/promises'
import type { Command } from 'commander'
import { addHttpPortOption, addNetworkOptions, parseIndexList, UsageError, type NetworkOptions } from '../options.js'
import { cliClient, showProgress, showWarnings, untilSignal } from '../session.js'
import { formatBytes } from '../progress.js'
import { playerArgv, startPlayer } from '../player.js'
import { prepareFolder, STREAM_FOLDER } from '../folders.js'
import type { Client } from '../../client/index.node.js'
import type { StreamServer } from '../../stream/http-server.node.js'
import type { Torrent } from '../../torrent/torrent.js'
import type { TorrentFile } from '../../torrent/files.js'

/** The default HTTP port; when taken (and not asked for explicitly) any free port is used. */
const DEFAULT_HTTP_PORT = 8000

export interface StreamOptions {
  out?: string
  select?: string | true
  port?: number
  stream?: boolean
  stdout?: boolean
  vlc?: boolean
  mpv?: boolean
  player?: string
}

export function addStreamOptions(cmd: Command): Command {
  return cmd
    .option('--stream', 'serve the largest (or the selected) file over HTTP as it downloads')
    .option('--stdout', 'write the file to standard output, in order, as it downloads')
    .option('--vlc', 'play it in VLC')
    .option('--mpv', 'play it in mpv')
    .option('--player <command>', 'play it with this command (the URL is added last; no shell)')
}

export const isStreaming = (o: StreamOptions) => Boolean(o.stream || o.stdout || o.vlc || o.mpv || o.player !== undefined)

export function registerServe(program: Command, setCode: (code: number) => void): void {
  const cmd = program.command('serve')
    .summary('serve a torrent\'s files over HTTP as they download')
    .description('An HTTP server for one torrent (Range requests, an index page and /index.json), fetching what players ask for first. Files go to <tmp>/swarmstream unless -o says where.')
    .argument('<torrent>', 'magnet link, info hash or .torrent file')
    .option('-o, --out <dir>', 'folder to save into (default: <tmp>/swarmstream)')
    .option('-s, --select <index>', 'the file to print the URL of and hand a player (default: the largest)')
  addHttpPortOption(cmd)
  addNetworkOptions(cmd)
  cmd.option('--vlc', 'play it in VLC').option('--mpv', 'play it in mpv').option('--player <command>', 'play it with this command (the URL is added last; no shell)')
  cmd.action(async (id: string, o: NetworkOptions & StreamOptions) => setCode(await streamDownload(id, { ...o, stream: true }, 'serve')))
}

/** A download in streaming order that serves, plays or prints one file as it arrives. */
export async function streamDownload(id: string, o: NetworkOptions & StreamOptions, mode: 'download' | 'serve'): Promise<number> {
  const player = playerArgv(o)
  if (o.stdout && player) throw new UsageError('--stdout and a player do not go together')
  if (o.select === true) throw new UsageError('--select needs a file index here')
  const select = o.select ? parseIndexList(o.select) : undefined
  // with --stdout the file owns standard output: everything else goes to stderr
  const log = o.stdout ? process.stderr : process.stdout
  const quiet = o.quiet === true || o.json === true
  const path = await prepareFolder(o.out ?? STREAM_FOLDER)
  const client = cliClient(o)
  const signal = untilSignal()
  let server: StreamServer | undefined
  let stopPlayer = () => undefined as void
  try {
    const torrent = client.add(id, {
      path, peers: o.peer ?? [], sequential: true,
      ...(o.announce ? { announce: o.announce } : {}),
      ...(select ? { select } : {}),
    })
    showWarnings(torrent, o)
    const failed = new Promise<Error>((res) => torrent.once('error', res))
    if (o.stream || player || mode === 'serve') {
      server = await listen(client, o.port)
      if (!quiet) log.write(`index: ${server.origin}/ (files in ${path})\n`)
    }
    if (!torrent.metainfo) {
      if (!quiet) log.write('fetching metadata…\n')
      const got = await Promise.race([new Promise<'ok'>((res) => torrent.once('metadata', () => res('ok'))), failed, signal.promise])
      if (got instanceof Error) { process.stderr.write(`error: ${got.message}\n`); return 1 }
      if (got !== 'ok') return 130
    }
    const bad = (select ?? []).filter((i) => i >= torrent.files.length)
    if (bad.length > 0) throw new UsageError(`--select ${bad.join(',')}: ${torrent.name} has ${torrent.files.length} files (0-${torrent.files.length - 1})`)
    const file = mainFile(torrent, select)
    if (!file) { process.stderr.write('error: the torrent has no file to stream\n'); return 1 }
    if (!quiet) log.write(`${torrent.name} (${formatBytes(torrent.length)}, ${torrent.files.length} files); streaming ${file.path} (${formatBytes(file.length)})\n`)
    const url = server?.urlOf(torrent, file)
    if (url) log.write(`${url}\n`)
    const stopProgress = showProgress([torrent], !quiet)
    const outcomes: Promise<string | Error>[] = [failed, signal.promise]
    if (o.stdout) outcomes.push(toStdout(file))
    if (player && url) {
      const p = startPlayer(player, url)
      stopPlayer = p.stop
      outcomes.push(p.exited.then((code) => `player exited (${code})`, (err: Error) => err))
    }
    if (mode === 'download' && !o.stdout && !player) outcomes.push(torrent.whenDone().then(() => 'done', (err: Error) => err))
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

async function listen(client: Client, port: number | undefined): Promise<StreamServer> {
  const server = client.createServer({ port: port ?? DEFAULT_HTTP_PORT, host: '127.0.0.1' })
  try {
    await server.listen()
    return server
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port !== undefined) throw err
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

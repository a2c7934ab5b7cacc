/** `swarmstream download <torrent...>` (the default command): downloads one or several
 * torrents into a folder, each checked against its pieces; exits 0 once all are verified. */
import { existsSync } from 'node:fs'
import { Option, type Command } from 'commander'
import { parseInfoHash } from '../../metainfo/index.js'
import { addHttpPortOption, addNetworkOptions, parseIndexList, parseSeconds, UsageError, type NetworkOptions } from '../options.js'
import { cliClient, doneLine, runFigures, showProgress, showWarnings, timeout, untilSignal } from '../session.js'
import { formatBytes } from '../progress.js'
import { prepareFolder } from '../folders.js'
import { runHook } from '../hooks.js'
import { discoveryJson, noPeersReason } from '../why-no-peers.js'
import { addStreamOptions, isStreaming, streamDownload, type StreamOptions } from './serve.js'
import { listFiles, checkSelection } from './select.js'

export interface DownloadOptions extends NetworkOptions, StreamOptions {
  out?: string
  output?: string
  /** true: bare --select, list the files */
  select?: string | true
  keepSeeding?: boolean
  sequential?: boolean
  timeout?: number
  onDone?: string
  onExit?: string
  webSeed?: string[]
}

export function registerDownload(program: Command, setCode: (code: number) => void): void {
  const cmd = program.command('download', { isDefault: true })
    .summary('download torrents (the default: `swarmstream <magnet>` works too)')
    .description('Download one or more torrents into a folder. Every piece is checked; the command exits 0 once every selected file is verified on disk.')
    .argument('<torrent...>', 'magnet link, info hash or .torrent file (several at once)')
    .option('-o, --out <dir>', 'folder to save into (default: the current folder; when streaming: <tmp>/swarmstream)')
    .option('-s, --select [indexes]', 'download only these files (0,2,5-7); alone: list the files and exit')
    .option('--keep-seeding', 'seed after downloading, until Ctrl-C')
    .option('--sequential', 'fetch pieces in order')
    .option('--timeout <seconds>', 'give up (exit 1) if not done in time', parseSeconds)
    .option('--on-done <command>', 'run a command (no shell) when a torrent is done')
    .option('--on-exit <command>', 'run a command (no shell) before exiting')
    .option('--json', 'print one JSON line of figures per torrent when done')
    .option('--web-seed <url...>', 'web seed URLs (BEP 19) besides the torrent\'s url-list')
  cmd.addOption(new Option('--output <dir>').hideHelp())
  addNetworkOptions(cmd)
  addHttpPortOption(cmd)
  addStreamOptions(cmd)
  cmd.addHelpText('after', `
Examples:
  swarmstream 'magnet:?xt=urn:btih:…'             download into the current folder
  swarmstream download a.torrent b.torrent -o ~/dl
  swarmstream a.torrent --select                  list the files
  swarmstream a.torrent --select 0,3 --download-limit 2M
  swarmstream a.torrent --stream                  serve the largest file over HTTP as it arrives
  swarmstream a.torrent --on-done 'notify-send done'`)
  cmd.action(async (ids: string[], o: DownloadOptions) => setCode(await downloadCommand(ids, o)))
}

export async function downloadCommand(ids: string[], o: DownloadOptions): Promise<number> {
  // download is the default command: a mistyped command arrives here as a torrent id
  const word = ids.find((id) => /^[a-z][\w-]*$/i.test(id) && !existsSync(id) && !parseInfoHash(id))
  if (word) throw new UsageError(`${word} is neither a command nor a torrent (commands: download, downloadmeta, seed, serve, create, info, tracker, demo)`)
  const out = o.out ?? o.output
  if (o.select === true) return listFiles(ids, o)
  const select = typeof o.select === 'string' ? parseIndexList(o.select) : undefined
  if (select && ids.length > 1) throw new UsageError('--select picks files of one torrent: give one torrent with it')
  if (isStreaming(o)) {
    if (ids.length > 1) throw new UsageError('streaming (--stream, --stdout, a player) takes one torrent')
    return streamDownload(ids[0]!, { ...o, ...(out ? { out } : {}) }, 'download')
  }
  const path = await prepareFolder(out ?? '.')
  const started = performance.now()
  const client = cliClient(o)
  const signal = untilSignal()
  const log = (line: string) => { if (!o.quiet && !o.json) process.stdout.write(`${line}\n`) }
  const hooks: Promise<number>[] = []
  let stopProgress = () => undefined as void
  try {
    const torrents = ids.map((id) => client.add(id, {
      path, peers: o.peer ?? [],
      ...(o.announce ? { announce: o.announce } : {}),
      ...(select ? { select } : {}),
      ...(o.sequential ? { sequential: true } : {}),
      ...(o.webSeed ? { webSeeds: o.webSeed } : {}),
    }))
    const usage = torrents.map((t) => checkSelection(t, select))
    for (const t of torrents) {
      showWarnings(t, o)
      const describe = () => `${t.name} (${formatBytes(t.length)}, ${t.files.length} file${t.files.length === 1 ? '' : 's'})`
      t.once('metadata', () => log(describe()))
      t.once('done', () => {
        log(doneLine(t, (performance.now() - started) / 1000))
        if (o.json) process.stdout.write(JSON.stringify({ client: 'swarmstream', infoHash: t.infoHash, ...runFigures(started, t.wanted.total), discovery: discoveryJson(t) }) + '\n')
        if (o.onDone) hooks.push(runHook(o.onDone, t, log))
      })
    }
    stopProgress = showProgress(torrents, !o.quiet && !o.json)
    const outcome = await Promise.race([
      Promise.all(torrents.map((t) => t.whenDone())).then(() => 'done' as const, (err: Error) => err),
      ...usage, signal.promise, timeout(o.timeout),
    ])
    stopProgress()
    await Promise.all(hooks)
    if (outcome instanceof UsageError) throw outcome
    if (outcome instanceof Error) { process.stderr.write(`error: ${outcome.message}\n`); return 1 }
    if (outcome === 'timeout') {
      const why = torrents.map(noPeersReason).find((r) => r !== undefined)
      process.stderr.write(`error: timed out after ${o.timeout} s before the download finished${why ? ` (${why})` : ''}\n`)
      if (o.json) for (const t of torrents) process.stdout.write(JSON.stringify({ client: 'swarmstream', infoHash: t.infoHash, error: 'timeout', discovery: discoveryJson(t) }) + '\n')
      return 1
    }
    if (outcome !== 'done') { process.stderr.write('interrupted\n'); return 130 }
    if (o.keepSeeding) {
      log('seeding; Ctrl-C to stop')
      await signal.promise
    }
    return 0
  } finally {
    stopProgress()
    signal.cancel()
    if (o.onExit) await runHook(o.onExit, undefined, log)
    await client.destroy()
  }
}



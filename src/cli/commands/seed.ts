/** `swarmstream seed <path>`: seeds a file or folder (hashing it into a new torrent, or
 * checking it against a given .torrent) until Ctrl-C. */
import { writeFile } from 'node:fs/promises'
import { Option, type Command } from 'commander'
import { addNetworkOptions, parseSeconds, UsageError, type NetworkOptions } from '../options.js'
import { cliClient, showWarnings, untilSignal } from '../session.js'
import { formatBytes } from '../progress.js'

interface SeedOptions extends NetworkOptions {
  torrent?: string
  saveTorrent?: string
  announceEvery?: number
  port?: string
}

export function registerSeed(program: Command, setCode: (code: number) => void): void {
  const cmd = program.command('seed')
    .summary('seed a file or folder')
    .description('Seed a file or folder until Ctrl-C: hashed into a new torrent, or checked against --torrent first. Prints the magnet link, then READY.')
    .argument('<path>', 'file or folder to seed')
    .option('-t, --torrent <file>', 'an existing .torrent describing the data (checked before seeding)')
    .option('--save-torrent <file>', 'write the .torrent to this file')
    .option('--announce-every <seconds>', 'ask the trackers for peers this often', parseSeconds)
  addNetworkOptions(cmd)
  cmd.addOption(new Option('-p, --port <port>').hideHelp())
  cmd.action(async (path: string, o: SeedOptions) => setCode(await seedCommand(path, o)))
}

async function seedCommand(path: string, o: SeedOptions): Promise<number> {
  if (o.port !== undefined) throw new UsageError('seed serves no HTTP: -p/--port is the HTTP port everywhere; the peer port is --torrent-port')
  const client = cliClient(o)
  const signal = untilSignal()
  try {
    const torrent = client.seed(path, {
      ...(o.torrent ? { torrent: o.torrent } : {}),
      ...(o.announce ? { announce: o.announce } : {}),
      peers: o.peer ?? [],
    })
    showWarnings(torrent, o)
    const failed = new Promise<Error>((res) => torrent.once('error', res))
    const ready = await Promise.race([torrent.whenReady().then(() => 'ready' as const, (err: Error) => err), failed, signal.promise])
    if (ready instanceof Error) { process.stderr.write(`error: ${ready.message}\n`); return 1 }
    if (ready !== 'ready') return 130
    if (!torrent.done) {
      const pct = (torrent.progress * 100).toFixed(1)
      process.stderr.write(`error: the data at ${path} does not match the torrent (${pct}% verified)\n`)
      return 1
    }
    if (o.saveTorrent) await writeFile(o.saveTorrent, torrent.torrentFile!)
    process.stdout.write(`seeding ${torrent.name} (${formatBytes(torrent.length)}) on port ${client.port}\n${torrent.magnetURI}\n`)
    process.stdout.write('READY\n')
    const timer = o.announceEvery ? setInterval(() => torrent.reannounce(), o.announceEvery * 1000) : undefined
    torrent.on('wire', (_w, addr) => { if (!o.quiet) process.stdout.write(`peer connected: ${addr.host}:${addr.port}\n`) })
    const outcome = await Promise.race([signal.promise, failed])
    if (timer) clearInterval(timer)
    if (outcome instanceof Error) { process.stderr.write(`error: ${outcome.message}\n`); return 1 }
    return 0
  } finally {
    signal.cancel()
    await client.destroy()
  }
}

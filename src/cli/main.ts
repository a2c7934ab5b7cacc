#!/usr/bin/env node
/** The command line. commander parses, validates and writes the help of every command
 * (`swarmstream <command> --help`); `download` is the default command, so
 * `swarmstream <magnet>` works as with webtorrent-cli. Exit codes: 0 done, 1 failed,
 * 2 usage error, 130 interrupted. */
import { Command, CommanderError } from 'commander'
import { UsageError } from './options.js'
import { FolderError } from './folders.js'
import { registerCreate } from './commands/create.js'
import { registerInfo } from './commands/info.js'
import { registerSeed } from './commands/seed.js'
import { registerDownload } from './commands/download.js'
import { registerDownloadMeta } from './commands/downloadmeta.js'
import { registerDemo } from './commands/demo.js'
import { registerServe } from './commands/serve.js'
import { trackerCommand } from './tracker-command.js'
import { MetainfoError } from '../metainfo/index.js'
import { ClientError } from '../client/errors.js'

export const VERSION = '0.1.0'

function program(setCode: (code: number) => void): Command {
  const p = new Command('swarmstream')
    .description('A streaming BitTorrent client: TCP to the BitTorrent network, WebRTC to browsers.')
    .version(VERSION, '-v, --version')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) })
  registerDownload(p, setCode)
  registerDownloadMeta(p, setCode)
  registerSeed(p, setCode)
  registerServe(p, setCode)
  registerCreate(p, setCode)
  registerInfo(p, setCode)
  p.command('tracker').summary('run a tracker (HTTP, UDP, WebSocket); tracker --help for its options')
  registerDemo(p, setCode)
  // a mistake prints the command's usage line under the error
  for (const c of p.commands) c.showHelpAfterError(`usage: swarmstream ${c.name()} ${c.usage()}\n(swarmstream ${c.name()} --help for more)`)
  p.addHelpText('after', `
This build has no DHT and no local service discovery: peers come from trackers and
--peer only, so nothing is sent to public bootstrap nodes (--no-dht is accepted).
Sizes and rates are in KiB, MiB, GiB (powers of 1024).`)
  return p
}

export async function main(argv: string[]): Promise<number> {
  // the tracker parses its own options (and prints its own help)
  if (argv[0] === 'tracker') return trackerCommand(argv.slice(1))
  let code = 0
  const cli = program((c) => { code = c })
  if (argv.length === 0) { process.stderr.write(cli.helpInformation()); return 2 }
  try {
    await cli.parseAsync(argv, { from: 'user' })
    return code
  } catch (err) {
    return report(err, argv.includes('--verbose'))
  }
}

function report(err: unknown, verbose: boolean): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2
  if (err instanceof UsageError) { process.stderr.write(`error: ${err.message}\n`); return 2 }
  if (err instanceof MetainfoError) { process.stderr.write(`error: invalid torrent: ${err.message}\n`); return 1 }
  const e = err as NodeJS.ErrnoException
  if (err instanceof ClientError || err instanceof FolderError) process.stderr.write(`error: ${e.message}\n`)
  else process.stderr.write(`error: ${e.code === 'ENOENT' ? `no such file: ${e.path ?? ''}` : e.message}\n`)
  if (verbose) process.stderr.write(`${e.stack}\n`)
  return 1
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code }, (err) => { console.error(err); process.exitCode = 1 })

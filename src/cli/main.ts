#!/usr/bin/env node
import { UsageError } from './args.js'
import { createCommand, createUsage } from './commands/create.js'
import { infoCommand, infoUsage } from './commands/info.js'
import { seedCommand, seedUsage } from './commands/seed.js'
import { downloadCommand, downloadUsage } from './commands/download.js'
import { demoCommand, demoUsage } from './commands/demo.js'
import { serveCommand, serveUsage } from './commands/serve.js'
import { trackerCommand } from './tracker-command.js'
import { MetainfoError } from '../metainfo/index.js'

const usage = `swarmstream: a streaming BitTorrent client

  ${createUsage}
  ${infoUsage}
  ${seedUsage}
  ${downloadUsage}
  ${serveUsage}
  swarmstream tracker [--http <port>] [--udp <port>] [--ws <port>] [--host 127.0.0.1] [--workers <n>] [--redis <url>]
  ${demoUsage}

This build has no DHT and no local service discovery: peers come from trackers and
--peer only, so nothing is sent to public bootstrap nodes (--no-dht is accepted).
`

type Command = (argv: string[], out: NodeJS.WritableStream) => Promise<number>
const commands: Record<string, Command> = {
  create: createCommand,
  info: infoCommand,
  seed: seedCommand,
  download: downloadCommand,
  serve: serveCommand,
  demo: demoCommand,
  tracker: (argv) => trackerCommand(argv),
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') { process.stdout.write(usage); return name ? 0 : 2 }
  if (name === '--version' || name === '-v') { process.stdout.write('swarmstream 0.1.0\n'); return 0 }
  const command = commands[name]
  if (!command) { process.stderr.write(`unknown command: ${name}\n\n${usage}`); return 2 }
  try {
    return await command(rest, process.stdout)
  } catch (err) {
    if (err instanceof UsageError) { process.stderr.write(`${err.message}\n`); return 2 }
    if (err instanceof MetainfoError) { process.stderr.write(`error: invalid torrent: ${err.message}\n`); return 1 }
    const e = err as NodeJS.ErrnoException
    process.stderr.write(`error: ${e.code === 'ENOENT' ? `no such file: ${e.path ?? ''}` : e.message}\n`)
    if (process.env.SWARMSTREAM_DEBUG) process.stderr.write(`${e.stack}\n`)
    return 1
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code }, (err) => { console.error(err); process.exitCode = 1 })

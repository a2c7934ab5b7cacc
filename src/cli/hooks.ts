/** --on-done and --on-exit: a command run when a torrent finishes or the program ends.
 * It is split into words (as a shell would, player.ts) and spawned WITHOUT a shell, so
 * nothing in a torrent's name can become a command; the torrent is described in the
 * environment (SWARMSTREAM_NAME, SWARMSTREAM_INFOHASH, SWARMSTREAM_PATH). */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import type { Torrent } from '../torrent/torrent.js'
import { splitCommand } from './player.js'

export function runHook(command: string, torrent: Torrent | undefined, log: (line: string) => void): Promise<number> {
  const [cmd, ...args] = splitCommand(command)
  if (!cmd) return Promise.resolve(0)
  const env = { ...process.env }
  if (torrent) {
    env.SWARMSTREAM_NAME = torrent.name
    env.SWARMSTREAM_INFOHASH = torrent.infoHash
    env.SWARMSTREAM_PATH = join(torrent.path, torrent.name)
  }
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env, shell: false })
    child.once('error', (err: NodeJS.ErrnoException) => {
      log(`error: cannot run ${cmd}: ${err.code === 'ENOENT' ? 'command not found' : err.message}`)
      resolve(127)
    })
    child.once('exit', (code, sig) => resolve(code ?? (sig ? 128 : 1)))
  })
}

// Shared by the benches: the random data file and its .torrent (made once, kept in
// $TMPDIR/swarmstream-bench), and free loopback ports.
import { existsSync, statSync, openSync, writeSync, closeSync } from 'node:fs'
import { randomFillSync } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { createServer } from 'node:net'

/** Writes `sizeMiB` MiB of random bytes to `file` unless it is already there, and a torrent
 * of it with 1 MiB pieces made by our CLI (`cli` is dist/src/cli/main.js or a bundle of it). */
export function ensureBenchData(file, torrent, sizeMiB, cli) {
  if (!existsSync(file) || statSync(file).size !== sizeMiB * 1048576) {
    console.error(`generating ${sizeMiB} MiB of random data…`)
    const fd = openSync(file, 'w')
    const chunk = Buffer.alloc(16 * 1048576)
    for (let i = 0; i < sizeMiB; i += 16) { randomFillSync(chunk); writeSync(fd, chunk, 0, Math.min(16, sizeMiB - i) * 1048576) }
    closeSync(fd)
  }
  if (!existsSync(torrent)) execFileSync(process.execPath, [cli, 'create', file, '-o', torrent, '--piece-length', '1048576', '--announce', 'http://127.0.0.1:1/announce'], { stdio: 'ignore' })
}

/** A port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)) }) })
}

/** The streaming modes of the command line against a throttled seeder: --stdout, and
 * serve with a player (a fake one that fetches the URL, as VLC would). */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { randomData, tempDir } from '../integration/fixtures.js'
import { toHex } from '../../src/util/bytes.js'
import { splitCommand } from '../../src/cli/player.js'
import { slowSwarm } from './helpers.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

function cli(args: string[], timeoutMs = 40_000) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  const out: Buffer[] = []
  let err = ''
  child.stdout.on('data', (d: Buffer) => out.push(d))
  child.stderr.on('data', (d) => { err += d })
  const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { clearTimeout(kill); resolve(code) }))
  return { exited, stdout: () => Buffer.concat(out), stderr: () => err }
}

test('download --stdout writes the file to standard output, in order, progress on stderr', { timeout: 60_000 }, async () => {
  const data = randomData(1_500_000)
  const swarm = await slowSwarm({ 'clip.webm': data }, { rate: 3 * 1024 * 1024, pieceLength: 32768 })
  const dir = await tempDir()
  try {
    const torrentPath = join(dir.path, 'clip.torrent')
    await writeFile(torrentPath, swarm.torrentFile)
    const run = cli(['download', torrentPath, '--stdout', '--peer', `127.0.0.1:${swarm.proxyPort}`, '--port', '0', '--no-trackers', '-o', join(dir.path, 'dl')])
    const code = await run.exited
    assert.equal(code, 0, run.stderr())
    assert.equal(run.stdout().length, data.length)
    assert.ok(run.stdout().equals(Buffer.from(data)), 'standard output is exactly the file')
    assert.match(run.stderr(), /wrote clip\.webm to standard output/)
  } finally {
    await dir.cleanup()
    await swarm.close()
  }
})

test('serve <magnet> --player runs the player on the stream URL and exits with it', { timeout: 60_000 }, async () => {
  const data = randomData(800_000)
  const swarm = await slowSwarm({ 'song.mp3': data, 'small.txt': randomData(1000) }, { rate: 3 * 1024 * 1024, pieceLength: 16384, folder: 'album' })
  const dir = await tempDir()
  try {
    const out = join(dir.path, 'played.bin')
    const magnet = `magnet:?xt=urn:btih:${toHex(swarm.metainfo.infoHash)}&dn=album`
    const player = `${JSON.stringify(process.execPath)} test/stream/fake-player.mjs ${JSON.stringify(out)}`
    const run = cli(['serve', magnet, '--port', '0', '--torrent-port', '0', '--peer', `127.0.0.1:${swarm.proxyPort}`, '--no-trackers', '-o', join(dir.path, 'dl'), '--player', player])
    const code = await run.exited
    assert.equal(code, 0, run.stderr())
    assert.match(run.stdout().toString(), new RegExp(`http://127\\.0\\.0\\.1:\\d+/${toHex(swarm.metainfo.infoHash)}/\\d+/song\\.mp3`), `prints the URL of the largest file: ${run.stdout().toString()}`)
    assert.ok((await readFile(out)).equals(Buffer.from(data)), 'the player got the whole file')
  } finally {
    await dir.cleanup()
    await swarm.close()
  }
})

test('player commands split like a shell would, without running one', () => {
  assert.deepEqual(splitCommand(`curl -s -o 'my file' "a \\"b\\"" c\\ d`), ['curl', '-s', '-o', 'my file', 'a "b"', 'c d'])
  assert.deepEqual(splitCommand('  mpv   --fs '), ['mpv', '--fs'])
  assert.throws(() => splitCommand('vlc "unclosed'))
})

/** The command line as a user meets it: help on every command, downloads (the default
 * command, several at once, two processes at once), port flags, --select, hooks, the done
 * line, and errors that name their cause. A library seeder in this process serves the
 * data; each CLI run is a real process that dials it on 127.0.0.1. */
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { connect } from 'node:net'
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { swarmstream, run } from '../peers/process.js'
import { fileDigest, freePort, tempDir, writeRandomFile } from '../integration/fixtures.js'
import { Client } from '../../src/client/index.node.js'
import { encode } from '../../src/bencode/index.js'
import { parseTorrent } from '../../src/metainfo/index.js'
import type { Torrent } from '../../src/torrent/torrent.js'

let dir: { path: string; cleanup(): Promise<void> }
let seeder: Client
let album: Torrent, single: Torrent
let peer: string[]

before(async () => {
  dir = await tempDir()
  const folder = join(dir.path, 'seed', 'album')
  for (let i = 0; i < 5; i++) await writeRandomFile(join(folder, `track${i}.bin`), 40_000 + i * 1000)
  await writeRandomFile(join(dir.path, 'seed', 'one.bin'), 300_000)
  seeder = new Client({ port: 0, host: '127.0.0.1', trackers: false })
  album = await seeder.seed(folder, { pieceLength: 16384 }).whenReady()
  single = await seeder.seed(join(dir.path, 'seed', 'one.bin'), { pieceLength: 32768 }).whenReady()
  await writeFile(join(dir.path, 'album.torrent'), album.torrentFile!)
  await writeFile(join(dir.path, 'one.torrent'), single.torrentFile!)
  peer = ['--peer', `127.0.0.1:${seeder.port}`, '--no-trackers']
})

after(async () => {
  await seeder.destroy()
  await dir.cleanup()
})

const cli = (args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string) => run(swarmstream(args, { env, ...(cwd ? { cwd } : {}) }), 60_000)

test('every command answers --help and -h with its own usage, exit 0', { timeout: 120_000 }, async () => {
  const commands = ['download', 'downloadmeta', 'seed', 'serve', 'create', 'info', 'demo', 'tracker']
  const runs = await Promise.all([
    ...commands.map((c) => cli([c, '--help'])),
    cli(['download', '-h']), cli(['seed', '-h']), cli(['--help']),
  ])
  for (const [i, r] of runs.entries()) {
    const c = commands[i] ?? ['download', 'seed', ''][i - commands.length]!
    assert.equal(r.code, 0, `${c} --help: ${r.stderr}`)
    assert.match(r.stdout, new RegExp(`swarmstream ${c}`), `${c}: ${r.stdout}`)
  }
  const download = runs[0]!.stdout
  for (const flag of ['--quiet', '--host', '--timeout', '--no-trackers', '--torrent-port', '--port', '--select', '--on-done', '--download-limit', '--verbose']) {
    assert.ok(download.includes(flag), `download --help lists ${flag}`)
  }
})

test('the default command downloads; two downloads at once need no port flag; the done line tells what came', { timeout: 120_000 }, async () => {
  const a = join(dir.path, 'two-a'), b = join(dir.path, 'two-b')
  const [ra, rb] = await Promise.all([
    cli([join(dir.path, 'one.torrent'), '-o', a, ...peer, '--timeout', '50']),
    cli(['download', join(dir.path, 'one.torrent'), '-o', b, ...peer, '--timeout', '50']),
  ])
  for (const [r, out] of [[ra, a], [rb, b]] as const) {
    assert.equal(r.code, 0, r.stderr)
    assert.equal(await fileDigest(join(out, 'one.bin')), await fileDigest(join(dir.path, 'seed', 'one.bin')))
    assert.match(r.stdout, /done: one\.bin: 293\.0 KiB downloaded in [\d.]+ s \([\d.]+ (KiB|MiB)\/s\)/)
  }
  assert.doesNotMatch(ra.stderr + rb.stderr, /EADDRINUSE/)
  const again = await cli([join(dir.path, 'one.torrent'), '-o', a, ...peer])
  assert.equal(again.code, 0, again.stderr)
  assert.match(again.stdout, /done: one\.bin: all 293\.0 KiB were already there \(verified\)/, 're-checked data is not reported as downloaded')
  assert.doesNotMatch(again.stdout + again.stderr, /MB\/s|KB\/s/)
})

test('several torrents in one download; --select validated; bare --select lists the files', { timeout: 120_000 }, async () => {
  const out = join(dir.path, 'several')
  const both = await cli(['download', join(dir.path, 'one.torrent'), join(dir.path, 'album.torrent'), '-o', out, ...peer, '--timeout', '50'])
  assert.equal(both.code, 0, both.stderr)
  assert.deepEqual((await readdir(out)).sort(), ['album', 'one.bin'])
  assert.equal((await readdir(join(out, 'album'))).length, 5)

  const list = await cli([join(dir.path, 'album.torrent'), '--select'])
  assert.equal(list.code, 0, list.stderr)
  for (let i = 0; i < 5; i++) assert.match(list.stdout, new RegExp(`${i}\\s+[\\d.]+ KiB\\s+album/track${i}\\.bin`))

  const listMagnet = await cli([album.magnetURI, '--select', ...peer, '--timeout', '30'])
  assert.equal(listMagnet.code, 0, listMagnet.stderr)
  assert.match(listMagnet.stdout, /album\/track4\.bin/, 'a magnet link: the metadata is fetched first')

  const bad = await cli([join(dir.path, 'album.torrent'), '--select', '99', '-o', join(dir.path, 'bad-select'), ...peer])
  assert.equal(bad.code, 2)
  assert.match(bad.stderr, /--select 99: album has 5 files \(0-4\)/)
  assert.doesNotMatch(bad.stdout, /done/)

  const some = await cli([join(dir.path, 'album.torrent'), '--select', '1,3', '-o', join(dir.path, 'some'), ...peer, '--timeout', '50'])
  assert.equal(some.code, 0, some.stderr)
  assert.equal(await fileDigest(join(dir.path, 'some', 'album', 'track3.bin')), await fileDigest(join(dir.path, 'seed', 'album', 'track3.bin')))
})

test('--torrent-port is the peer port and -p/--port the HTTP port; streaming keeps files in the temp folder', { timeout: 120_000 }, async () => {
  const tmp = join(dir.path, 'tmp'), cwd = join(dir.path, 'cwd')
  await mkdir(tmp); await mkdir(cwd)
  const [http, torrentPort] = [await freePort(), await freePort()]
  const proc = swarmstream([join(dir.path, 'one.torrent'), '--stream', '-p', String(http), '--torrent-port', String(torrentPort), ...peer], { cwd, env: { TMPDIR: tmp } })
  try {
    await proc.waitFor(/still serving/, 50_000)
    assert.ok(proc.lines.some((l) => l.startsWith(`http://127.0.0.1:${http}/${single.infoHash}/0/one.bin`)), proc.lines.join('\n'))
    const res = await fetch(`http://127.0.0.1:${http}/index.json`)
    assert.equal(res.status, 200)
    await new Promise<void>((resolve, reject) => {
      const s = connect(torrentPort, '127.0.0.1', () => { s.destroy(); resolve() })
      s.once('error', reject)
    })
    assert.deepEqual(await readdir(cwd), [], 'nothing in the current folder')
    assert.equal(await fileDigest(join(tmp, 'swarmstream', 'one.bin')), await fileDigest(join(dir.path, 'seed', 'one.bin')))
  } finally { await proc.stop() }
  const seedPort = await cli(['seed', join(dir.path, 'seed', 'one.bin'), '--port', '7000'])
  assert.equal(seedPort.code, 2)
  assert.match(seedPort.stderr, /peer port is --torrent-port/)
})

test('--on-done and --on-exit run without a shell; downloadmeta saves the .torrent of a magnet', { timeout: 120_000 }, async () => {
  const out = join(dir.path, 'hooks')
  const doneFile = join(dir.path, 'done.txt'), exitFile = join(dir.path, 'exit.txt')
  const node = JSON.stringify(process.execPath)
  const write = (file: string, what: string) => `${node} -e "require('fs').writeFileSync(process.argv[1], ${what})" ${JSON.stringify(file)}`
  const r = await cli([join(dir.path, 'one.torrent'), '-o', out, ...peer, '--on-done', write(doneFile, "process.env.SWARMSTREAM_NAME + ' $HOME'"), '--on-exit', write(exitFile, "'bye'")])
  assert.equal(r.code, 0, r.stderr)
  assert.equal(await readFile(doneFile, 'utf8'), 'one.bin $HOME', 'no shell expanded anything')
  assert.equal(await readFile(exitFile, 'utf8'), 'bye')

  const meta = await cli(['downloadmeta', album.magnetURI, '-o', join(dir.path, 'meta'), ...peer, '--timeout', '30'])
  assert.equal(meta.code, 0, meta.stderr)
  const saved = parseTorrent(new Uint8Array(await readFile(join(dir.path, 'meta', 'album.torrent'))))
  assert.equal(saved.infoHashHex, album.infoHash)
  await assert.rejects(readdir(join(dir.path, 'meta', 'album')), 'no file data was downloaded')
})

test('errors name the real cause', { timeout: 120_000 }, async () => {
  const v2 = join(dir.path, 'v2.torrent')
  await writeFile(v2, encode({ info: { name: 'x', 'piece length': 16384, 'meta version': 2, 'file tree': { x: { '': { length: 1, 'pieces root': new Uint8Array(32) } } } } }))
  const [folder, readOnly, url, v2only, limit, unknown] = await Promise.all([
    cli(['info', join(dir.path, 'seed')]),
    cli([join(dir.path, 'one.torrent'), '-o', '/proc/swarmstream-cannot-be-here', ...peer]),
    cli(['download', 'http://127.0.0.1:1/x.torrent']),
    cli(['info', v2]),
    cli([join(dir.path, 'one.torrent'), '--download-limit', '0']),
    cli(['download', 'x', '--frobnicate']),
  ])
  assert.equal(folder.code, 1)
  assert.match(folder.stderr, /seed is a folder, not a \.torrent file \(to make a torrent of it: swarmstream create/)
  assert.equal(readOnly.code, 1)
  assert.match(readOnly.stderr, /cannot create the folder \/proc\/swarmstream-cannot-be-here: its parent cannot hold new folders/)
  assert.equal(url.code, 1)
  assert.match(url.stderr, /could not fetch http:\/\/127\.0\.0\.1:1\/x\.torrent: unreachable/)
  assert.equal(v2only.code, 1)
  assert.match(v2only.stderr, /v2-only torrent \(BEP 52\)/)
  assert.equal(limit.code, 2)
  assert.match(limit.stderr, /invalid rate: 0/)
  assert.equal(unknown.code, 2)
  assert.match(unknown.stderr, /unknown option '--frobnicate'[\s\S]*usage: swarmstream download/)
})

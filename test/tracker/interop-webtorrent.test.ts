/** Two `webtorrent` clients (separate Node processes, WebRTC via node-datachannel) find each
 * other through our WebSocket tracker and transfer a file. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync, readFileSync, rmSync, mkdirSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { TrackerServer } from '../../src/tracker/index.js'

const WT = fileURLToPath(new URL('../peers/tracker-wt.mjs', import.meta.url))

/** The skip reason when node-datachannel (webtorrent's WebRTC in Node) cannot load. */
async function webrtcMissing(): Promise<string | undefined> {
  try {
    const name = 'node-datachannel'
    const m = (await import(name)) as { PeerConnection?: unknown; default?: { PeerConnection?: unknown } }
    return m.PeerConnection || m.default?.PeerConnection ? undefined : 'node-datachannel has no PeerConnection'
  } catch (err) {
    return `node-datachannel cannot load: ${(err as Error).message}`
  }
}
const skip = await webrtcMissing()

function run(args: string[]) {
  const child = spawn(process.execPath, [WT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (d) => { out += d })
  child.stderr.on('data', (d) => { out += d })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, exited, output: () => out }
}

test('webtorrent ↔ webtorrent over WebRTC, signaled by our WebSocket tracker', { skip, timeout: 60_000 }, async () => {
  const server = new TrackerServer({ udp: false })
  const ports = await server.listen()
  let offers = 0
  server.on('announce', (a) => { if (a.kind === 'ws') offers++ })
  const dir = mkdtempSync(join(tmpdir(), 'trk-wt-'))
  const data = randomBytes(2 * 1024 * 1024)
  mkdirSync(join(dir, 'seed')); writeFileSync(join(dir, 'seed', 'clip.bin'), data)
  const torrent = join(dir, 'clip.torrent')
  const seeder = run(['seed', join(dir, 'seed', 'clip.bin'), `ws://127.0.0.1:${ports.ws}`, torrent])
  let leecher: ReturnType<typeof run> | undefined
  try {
    const end = Date.now() + 20_000
    while (!/READY/.test(seeder.output()) && Date.now() < end) await new Promise((r) => setTimeout(r, 100))
    assert.match(seeder.output(), /READY/, 'seeder ready')
    leecher = run(['leech', torrent, join(dir, 'leech'), '45'])
    const code = await leecher.exited
    assert.equal(code, 0, `leecher finished:\n${leecher.output()}\nseeder:\n${seeder.output()}`)
    assert.ok(readFileSync(join(dir, 'leech', 'clip.bin')).equals(data), 'identical bytes')
    assert.ok(offers >= 2, 'both announced over WebSocket')
  } finally {
    for (const p of [seeder, leecher]) {
      if (!p || p.child.exitCode !== null) continue
      p.child.kill('SIGTERM')
      const t = setTimeout(() => p.child.kill('SIGKILL'), 3000)
      await p.exited
      clearTimeout(t)
    }
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

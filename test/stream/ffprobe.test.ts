/** Real players' access patterns: ffprobe reads small videos (made here with ffmpeg) over
 * HTTP from a torrent that is still downloading from a throttled seeder. An mp4 with its
 * index (moov) at the end makes ffprobe seek to the end first. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { readFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { tempDir } from '../integration/fixtures.js'
import { slowSwarm } from './helpers.js'

const run = promisify(execFile)
const missing = ['ffmpeg', 'ffprobe'].filter((c) => spawnSync(c, ['-version']).error !== undefined)
const skip = missing.length > 0 ? `${missing.join(' and ')} not installed (Debian: apt-get install ffmpeg)` : false

const source = ['-f', 'lavfi', '-i', 'testsrc=duration=10:size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=10']
const videos = [
  { name: 'front.mp4', args: ['-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '2500k', '-c:a', 'aac', '-movflags', '+faststart'], codecs: ['h264', 'aac'] },
  { name: 'moov-at-end.mp4', args: ['-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '2500k', '-c:a', 'aac'], codecs: ['h264', 'aac'] },
  { name: 'clip.webm', args: ['-vf', 'noise=alls=20:allf=t', '-c:v', 'libvpx', '-b:v', '2M', '-deadline', 'realtime', '-cpu-used', '8', '-c:a', 'libopus'], codecs: ['vp8', 'opus'] },
]

for (const video of videos) {
  test(`ffprobe reads ${video.name} over HTTP, fetching only part of it`, { skip, timeout: 90_000 }, async () => {
    const dir = await tempDir()
    const path = join(dir.path, video.name)
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...source, ...video.args, path], { timeout: 60_000 })
    const data = new Uint8Array(await readFile(path))
    // Nothing selected: only what ffprobe reads (and a small readahead) is fetched, so on
    // this slow peer no other request is in flight ahead of its seeks. ffprobe is told to
    // probe little (by default it reads 5 s of media).
    const swarm = await slowSwarm({ [video.name]: data }, { rate: Math.ceil(data.length / 12), pieceLength: 16384, select: [] })
    const server = swarm.leecher.createServer({ readahead: 64 * 1024 })
    try {
      await server.listen()
      if (!swarm.torrent.ready) await new Promise<void>((r) => swarm.torrent.once('ready', () => r()))
      const url = server.urlOf(swarm.torrent, swarm.torrent.files[0])
      const { stdout } = await run('ffprobe', ['-v', 'error', '-probesize', '65536', '-analyzeduration', '500000', '-show_entries', 'format=duration:stream=codec_name', '-of', 'json', url], { timeout: 30_000 })
      const progress = swarm.torrent.files[0]!.progress
      const probe = JSON.parse(stdout) as { streams: { codec_name: string }[]; format: { duration: string } }
      assert.deepEqual(probe.streams.map((s) => s.codec_name).sort(), [...video.codecs].sort())
      assert.ok(Math.abs(Number(probe.format.duration) - 10) < 0.5, `duration ${probe.format.duration}`)
      assert.ok(progress < 0.8, `ffprobe needed only part of the file (${(progress * 100).toFixed(0)}% of it is here)`)
    } finally {
      await server.close()
      await swarm.close()
      await dir.cleanup()
    }
  })
}

import { createHash, randomFillSync } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '../../client/index.node.js'
import { TrackerServer } from '../../tracker/index.js'
import { formatMagnet } from '../../metainfo/index.js'
import { parse } from '../args.js'
import { formatBytes } from '../progress.js'
import { runFigures, showProgress } from '../session.js'

export const demoUsage = 'swarmstream demo [--size <MiB>] [--keep]   (a local swarm on 127.0.0.1: tracker, seeder, downloader)'

/** A whole swarm on this machine, nothing beyond 127.0.0.1: our tracker, a seeder of a
 * freshly generated file, and a downloader that starts from a magnet link alone, fetches the
 * metadata from the seeder, downloads, and checks the bytes. */
export async function demoCommand(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values } = parse(argv, { size: { type: 'string' }, keep: { type: 'boolean' } }, false)
  const size = Math.round(Number(values.size ?? 256) * 1024 * 1024)
  if (!(size > 0)) throw new Error('--size must be a positive number of MiB')
  const dir = await mkdtemp(join(tmpdir(), 'swarmstream-demo-'))
  const tracker = new TrackerServer({ http: { port: 0, host: '127.0.0.1' }, udp: false, ws: false })
  const seeder = new Client({ port: 0, host: '127.0.0.1', dht: false, lsd: false })
  const leecher = new Client({ port: 0, host: '127.0.0.1', dht: false, lsd: false })
  try {
    const ports = await tracker.listen()
    const announce = `http://127.0.0.1:${ports.http}/announce`
    out.write(`tracker   ${announce}\n`)

    const source = join(dir, 'seed', 'demo.bin')
    await mkdir(join(dir, 'seed'))
    const data = new Uint8Array(size)
    randomFillSync(data)
    await writeFile(source, data)
    const expected = createHash('sha256').update(data).digest('hex')
    out.write(`seeder    generated ${formatBytes(size)} of random data, sha256 ${expected.slice(0, 16)}…\n`)

    const { metainfo } = await seeder.seed(source, { announce: [[announce]] })
    const magnet = formatMagnet({ infoHash: metainfo.infoHash, name: metainfo.name, trackers: [announce] })
    out.write(`seeder    port ${seeder.port}, ${metainfo.pieceCount} pieces of ${formatBytes(metainfo.pieceLength)}\n`)
    out.write(`magnet    ${magnet}\n`)

    const started = performance.now()
    const torrent = await leecher.add(magnet, { path: join(dir, 'download') })
    torrent.once('metadata', () => out.write(`leecher   metadata fetched from a peer after ${((performance.now() - started) / 1000).toFixed(2)} s\n`))
    const stop = showProgress(torrent, true)
    await new Promise<void>((resolve, reject) => {
      torrent.once('done', () => resolve())
      torrent.once('error', reject)
      setTimeout(() => reject(new Error('demo download did not finish in 5 minutes')), 300_000).unref()
    })
    stop()
    const figures = runFigures(started, size)
    const got = await sha256File(join(dir, 'download', 'demo.bin'))
    const ok = got === expected
    out.write(`leecher   ${formatBytes(size)} in ${figures.seconds} s = ${figures.MBps} MB/s (process: ${figures.cpu_s} CPU s, peak RSS ${figures.peak_rss_mb} MB)\n`)
    out.write(`verified  ${ok ? 'OK: the downloaded file is identical (sha256 match)' : `MISMATCH: got ${got}`}\n`)
    return ok ? 0 : 1
  } finally {
    await leecher.destroy()
    await seeder.destroy()
    await tracker.close()
    if (!values.keep) await rm(dir, { recursive: true, force: true })
    else out.write(`kept      ${dir}\n`)
  }
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256')
    createReadStream(path).on('data', (c) => h.update(c)).on('end', () => resolve(h.digest('hex'))).on('error', reject)
  })
}

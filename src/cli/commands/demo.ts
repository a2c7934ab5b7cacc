import { createHash, randomFillSync } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '../../client/index.node.js'
import { TrackerServer } from '../../tracker/index.js'
import type { Command } from 'commander'
import { formatMagnet } from '../../metainfo/index.js'
import { UsageError } from '../options.js'
import { formatBytes } from '../progress.js'
import { runFigures, showProgress } from '../session.js'

export function registerDemo(program: Command, setCode: (code: number) => void): void {
  program.command('demo')
    .summary('a whole swarm on 127.0.0.1: tracker, seeder, downloader')
    .description('Runs our tracker, a seeder of freshly generated random data and a downloader that starts from a magnet link alone, all on 127.0.0.1 (nothing leaves this machine), then checks the downloaded bytes.')
    .option('--size <MiB>', 'how much data (default 256)', (v) => {
      const n = Number(v)
      if (!(n > 0)) throw new UsageError('--size must be a positive number of MiB')
      return n
    })
    .option('--keep', 'keep the files (their folder is printed)')
    .action(async (o: { size?: number; keep?: boolean }) => setCode(await demoCommand(o, process.stdout)))
}

/** A whole swarm on this machine, nothing beyond 127.0.0.1: our tracker, a seeder of a
 * freshly generated file, and a downloader that starts from a magnet link alone, fetches the
 * metadata from the seeder, downloads, and checks the bytes. */
export async function demoCommand(values: { size?: number; keep?: boolean }, out: NodeJS.WritableStream): Promise<number> {
  const size = Math.max(1, Math.round((values.size ?? 256) * 1024 * 1024))
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

    const seeding = await seeder.seed(source, { announce: [announce] }).whenReady()
    const metainfo = seeding.metainfo!
    const magnet = formatMagnet({ infoHash: metainfo.infoHash, name: metainfo.name, trackers: [announce] })
    out.write(`seeder    port ${seeder.port}, ${metainfo.pieceCount} pieces of ${formatBytes(metainfo.pieceLength)}\n`)
    out.write(`magnet    ${magnet}\n`)

    const started = performance.now()
    const torrent = leecher.add(magnet, { path: join(dir, 'download') })
    torrent.once('metadata', () => out.write(`leecher   metadata fetched from a peer after ${((performance.now() - started) / 1000).toFixed(2)} s\n`))
    const stop = showProgress([torrent], true)
    await new Promise<void>((resolve, reject) => {
      torrent.once('done', () => resolve())
      torrent.once('error', reject)
      setTimeout(() => reject(new Error('demo download did not finish in 5 minutes')), 300_000).unref()
    })
    stop()
    const figures = runFigures(started, size)
    const got = await sha256File(join(dir, 'download', 'demo.bin'))
    const ok = got === expected
    out.write(`leecher   ${formatBytes(size)} in ${figures.seconds} s = ${figures.MiBps} MiB/s (process: ${figures.cpu_s} CPU s, peak RSS ${formatBytes((figures.peak_rss_mb ?? 0) * 1024 * 1024)})\n`)
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

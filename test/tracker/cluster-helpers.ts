/** Processes for the cluster tests: a throwaway Redis (no persistence, temp dir, loopback),
 * the tracker CLI, and webtorrent peers. Everything is stopped by PID. */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { start, swarmstream, type Running } from '../peers/process.js'

export async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as { port: number }).port
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

export interface TestRedis { url: string; port: number; proc: Running; restart(): Promise<void>; kill(): Promise<void>; stop(): Promise<void> }

/** `redis-server` on 127.0.0.1 with nothing saved; resolves once it accepts connections. */
export async function startRedis(port?: number): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'trk-redis-'))
  const p = port ?? await freePort()
  const launch = async (): Promise<Running> => {
    const proc = start('redis-server', ['--save', '', '--appendonly', 'no', '--port', String(p), '--bind', '127.0.0.1', '--dir', dir, '--daemonize', 'no'])
    await proc.waitFor(/Ready to accept connections/, 15_000)
    return proc
  }
  const r: TestRedis = {
    url: `redis://127.0.0.1:${p}`, port: p, proc: await launch(),
    // SIGKILL: the instances see a crash, not a polite shutdown.
    kill: async () => { r.proc.proc.kill('SIGKILL'); await r.proc.exited },
    restart: async () => { r.proc = await launch() },
    stop: async () => { await r.proc.stop(); rmSync(dir, { recursive: true, force: true }) },
  }
  return r
}

/** The `swarmstream tracker` command; resolves with its HTTP port once it serves. */
export async function startTrackerCli(args: string[]): Promise<{ proc: Running; http: number; udp: number | undefined }> {
  const proc = swarmstream(['tracker', ...args])
  const line = await proc.waitFor(/^stats: http:\/\/127\.0\.0\.1:\d+/, 30_000)
  const http = Number(/:(\d+)\//.exec(line)![1])
  const udpLine = proc.lines.find((l) => l.startsWith('udp://'))
  return { proc, http, udp: udpLine ? Number(/:(\d+)$/.exec(udpLine)![1]) : undefined }
}

const WT = fileURLToPath(new URL('../peers/tracker-wt.mjs', import.meta.url))

/** One webtorrent client per process (its WebRTC cleanup ends every connection of the process). */
export function webtorrent(args: string[]): Running {
  return start(process.execPath, [WT, ...args])
}

/** The skip reason when node-datachannel (webtorrent's WebRTC in Node) cannot load. */
export async function webrtcMissing(): Promise<string | undefined> {
  try {
    const name = 'node-datachannel'
    const m = (await import(name)) as { PeerConnection?: unknown; default?: { PeerConnection?: unknown } }
    return m.PeerConnection || m.default?.PeerConnection ? undefined : 'node-datachannel has no PeerConnection'
  } catch (err) {
    return `node-datachannel cannot load: ${(err as Error).message}`
  }
}

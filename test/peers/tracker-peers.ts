/** Spawners for third-party peers used by the tracker interop tests: libtorrent (through
 * lt.py) and Transmission (transmission-cli). Every switch that would reach beyond the
 * machine is off; everything binds 127.0.0.1. Processes are ended by their own PID only. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const LT_SCRIPT = fileURLToPath(new URL('./lt.py', import.meta.url))
export const PY = '/usr/bin/python3'

/** Why the libtorrent / Transmission tests cannot run here, or undefined when they can. */
export function missingPeers(): string | undefined {
  if (!existsSync(PY) || spawnSync(PY, ['-c', 'import libtorrent'], { timeout: 10_000 }).status !== 0) return 'python3-libtorrent is not installed'
  if (spawnSync('transmission-cli', ['--version'], { timeout: 10_000 }).error) return 'transmission-cli is not installed'
  return undefined
}

export interface Peer {
  child: ChildProcess
  output(): string
  waitFor(re: RegExp, timeoutMs: number): Promise<boolean>
  exited: Promise<number | null>
  stop(): Promise<void>
}

function wrap(child: ChildProcess): Peer {
  let out = ''
  child.stdout?.on('data', (d) => { out += d })
  child.stderr?.on('data', (d) => { out += d })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  let done = false
  void exited.then(() => { done = true })
  return {
    child, exited,
    output: () => out,
    async waitFor(re, timeoutMs) {
      const end = Date.now() + timeoutMs
      while (Date.now() < end && !done) { if (re.test(out)) return true; await new Promise((r) => setTimeout(r, 100)) }
      return re.test(out)
    },
    async stop() {
      if (done) return
      child.kill('SIGTERM')
      const t = setTimeout(() => child.kill('SIGKILL'), 3000)
      await exited
      clearTimeout(t)
    },
  }
}

export function makeTorrent(file: string, torrent: string, tracker: string): string {
  const r = spawnSync(PY, [LT_SCRIPT, 'make', file, torrent, '--tracker', tracker], { encoding: 'utf8', timeout: 30_000 })
  if (r.status !== 0) throw new Error(`making the torrent failed: ${r.stderr}`)
  return r.stdout.trim()
}

export function libtorrent(mode: 'seed' | 'leech', torrent: string, dir: string, port: number, extra: string[] = []): Peer {
  return wrap(spawn(PY, [LT_SCRIPT, mode, torrent, dir, '--port', String(port), ...extra], { stdio: ['ignore', 'pipe', 'pipe'] }))
}

/** transmission-cli 3.00 as seeder (`-v` verifies the data first) or leecher. Settings lock it
 * down: no DHT, LPD, PEX, port mapping or blocklist; peer socket on 127.0.0.1; no RPC. */
export function transmission(mode: 'seed' | 'leech', torrent: string, dir: string, port: number, confDir: string): Peer {
  mkdirSync(confDir, { recursive: true })
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(confDir, 'settings.json'), JSON.stringify({
    'dht-enabled': false, 'lpd-enabled': false, 'pex-enabled': false, 'port-forwarding-enabled': false,
    'blocklist-enabled': false, 'utp-enabled': false, encryption: 0,
    'bind-address-ipv4': '127.0.0.1', 'bind-address-ipv6': '::1',
    'peer-port': port, 'peer-port-random-on-start': false,
    'rpc-enabled': false, 'download-dir': dir, 'incomplete-dir-enabled': false, 'watch-dir-enabled': false,
    'download-queue-enabled': false, 'seed-queue-enabled': false, 'ratio-limit-enabled': false,
    'idle-seeding-limit-enabled': false, 'speed-limit-down-enabled': false, 'speed-limit-up-enabled': false,
    'rename-partial-files': true, 'message-level': 1,
  }, null, 1))
  const args = ['-g', confDir, '-w', dir, '-p', String(port), '-M', '-et', '-B', ...(mode === 'seed' ? ['-v'] : []), torrent]
  return wrap(spawn('transmission-cli', args, { stdio: ['ignore', 'pipe', 'pipe'] }))
}

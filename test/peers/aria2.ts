import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'
import { start, type Running } from './process.js'

/** aria2 (Debian `aria2`, scripts/setup.sh installs it). */
export const hasAria2 = (() => {
  try { execFileSync('aria2c', ['--version'], { stdio: 'ignore' }); return true } catch { return false }
})()

/** Everything that would reach beyond the machine off: DHT (v4 and v6), LSD, PEX; no
 * preallocation; `requireCrypto` is --bt-require-crypto (MSE with RC4 both ways). */
function common(port: number, requireCrypto: boolean): string[] {
  return [
    '--enable-dht=false', '--enable-dht6=false', '--bt-enable-lpd=false', '--enable-peer-exchange=false',
    `--listen-port=${port}`, '--summary-interval=0', '--console-log-level=notice', '--file-allocation=none',
    `--bt-require-crypto=${requireCrypto}`, ...(requireCrypto ? ['--bt-min-crypto-level=arc4'] : []),
    '--no-conf', '--bt-tracker-connect-timeout=2', '--bt-tracker-timeout=5',
  ]
}

/** aria2 seeding `torrent` from `dataDir` until stopped; print "listening on TCP port" once it verified the data. */
export function aria2Seed(torrent: string, dataDir: string, port: number, requireCrypto: boolean): Running {
  return start('aria2c', [...common(port, requireCrypto), '-V', '--seed-ratio=0.0', '-d', resolve(dataDir), resolve(torrent)])
}

/** aria2 downloading `torrent` (peers from its trackers) into `outDir`; exits 0 when done. */
export function aria2Leech(torrent: string, outDir: string, port: number, requireCrypto: boolean): Running {
  return start('aria2c', [...common(port, requireCrypto), '--seed-time=0', '-d', resolve(outDir), resolve(torrent)])
}

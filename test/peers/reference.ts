import { mkdirSync, writeFileSync, existsSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { join, resolve } from 'node:path'
import { start, run, ROOT, type Running } from './process.js'

/** libtorrent 2.0 through Debian's python3-libtorrent (importable only from /usr/bin/python3). */
export const hasLibtorrent = (() => {
  try { execFileSync('/usr/bin/python3', ['-c', 'import libtorrent'], { stdio: 'ignore' }); return true } catch { return false }
})()
export const hasTransmission = (() => {
  try { execFileSync('sh', ['-c', 'command -v transmission-cli && command -v transmission-daemon && command -v transmission-remote'], { stdio: 'ignore' }); return true } catch { return false }
})()

const LT = join(ROOT, 'test/peers/lt.py')

export function libtorrentSeed(torrent: string, dir: string, port: number, extra: string[] = []): Running {
  return start('/usr/bin/python3', [LT, 'seed', torrent, dir, '--port', String(port), '--quiet', ...extra])
}

export function libtorrentLeech(torrent: string, dir: string, port: number, extra: string[] = []): Running {
  return start('/usr/bin/python3', [LT, 'leech', torrent, dir, '--port', String(port), '--quiet', ...extra])
}

/** settings.json for Transmission 3: DHT, LPD, PEX, UPnP/NAT-PMP and blocklists off,
 * TCP only, plaintext preferred (`encryption`: 0 prefer plaintext, 1 prefer MSE, 2 require MSE),
 * everything bound to loopback. */
function transmissionSettings(confDir: string, peerPort: number, rpcPort: number, downloadDir: string, encryption = 0): void {
  mkdirSync(confDir, { recursive: true })
  mkdirSync(downloadDir, { recursive: true })
  writeFileSync(join(confDir, 'settings.json'), JSON.stringify({
    'dht-enabled': false, 'lpd-enabled': false, 'pex-enabled': false, 'port-forwarding-enabled': false,
    'blocklist-enabled': false, 'utp-enabled': false, encryption,
    'bind-address-ipv4': '127.0.0.1', 'bind-address-ipv6': '::1',
    'peer-port': peerPort, 'peer-port-random-on-start': false,
    'rpc-enabled': true, 'rpc-bind-address': '127.0.0.1', 'rpc-port': rpcPort, 'rpc-authentication-required': false,
    'rpc-whitelist-enabled': true, 'rpc-whitelist': '127.0.0.1', 'rpc-host-whitelist-enabled': false,
    'download-dir': downloadDir, 'incomplete-dir-enabled': false, 'watch-dir-enabled': false,
    'start-added-torrents': true, 'download-queue-enabled': false, 'seed-queue-enabled': false,
    'queue-stalled-enabled': false, 'ratio-limit-enabled': false, 'idle-seeding-limit-enabled': false,
    'speed-limit-down-enabled': false, 'speed-limit-up-enabled': false, 'alt-speed-enabled': false,
    'peer-limit-global': 200, 'peer-limit-per-torrent': 60, preallocation: 1, 'message-level': 1,
    'cache-size-mb': 4, 'scrape-paused-torrents-enabled': false,
  }, null, 1))
}

/** transmission-daemon seeding `torrent` from `dataDir`; resolves once it is checked and seeding. */
export async function transmissionSeed(torrent: string, dataDir: string, peerPort: number, scratch: string, encryption = 0): Promise<Running> {
  const rpc = peerPort + 1000
  const conf = join(scratch, `tr-seed-${peerPort}`)
  transmissionSettings(conf, peerPort, rpc, resolve(dataDir), encryption)
  const daemon = start('transmission-daemon', ['-f', '-g', conf, '--log-error'])
  const remote = (...args: string[]) => run(start('transmission-remote', [`127.0.0.1:${rpc}`, ...args]), 10_000)
  const deadline = Date.now() + 60_000
  for (;;) {
    if (Date.now() > deadline) { await daemon.stop(); throw new Error('transmission-daemon did not start') }
    const r = await remote('-l').catch(() => ({ code: 1 }))
    if (r.code === 0) break
    await new Promise((res) => setTimeout(res, 200))
  }
  await remote('-a', resolve(torrent), '-w', resolve(dataDir))
  for (;;) {
    if (Date.now() > deadline) { await daemon.stop(); throw new Error('transmission did not finish checking') }
    const r = await remote('-t', 'all', '-l')
    if ('stdout' in r && /100%.*(Seeding|Idle)/.test(r.stdout)) return daemon
    await new Promise((res) => setTimeout(res, 200))
  }
}

/** transmission-cli downloading `torrent` into `outDir`; its done-script stops it, so the
 * process exits 0 once the download completes. */
export function transmissionLeech(torrent: string, outDir: string, peerPort: number, scratch: string, encryption = 0): Running {
  const conf = join(scratch, `tr-leech-${peerPort}`)
  transmissionSettings(conf, peerPort, peerPort + 1000, resolve(outDir), encryption)
  const doneScript = join(conf, 'done.sh')
  writeFileSync(doneScript, `#!/bin/sh\ntouch "${conf}/done"\nkill -INT $PPID\n`, { mode: 0o755 })
  return start('transmission-cli', ['-g', conf, '-w', resolve(outDir), '-p', String(peerPort), '-M', '-et', '-B', '-f', doneScript, resolve(torrent)])
}

export const transmissionFinished = (scratch: string, peerPort: number) => existsSync(join(scratch, `tr-leech-${peerPort}`, 'done'))

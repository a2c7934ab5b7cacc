/** coturn (Debian `coturn`) on 127.0.0.1 as a TURN relay, with one static user. */
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { start } from '../peers/process.js'
import { freePort } from '../integration/fixtures.js'

export const turnSkipReason = (() => {
  try { execFileSync('sh', ['-c', 'command -v turnserver'], { stdio: 'ignore' }); return undefined } catch { return 'turnserver (Debian coturn) is not installed' }
})()

export interface Turn { iceServers: RTCIceServer[]; log(): string[]; stop(): Promise<void> }

export async function startTurn(): Promise<Turn> {
  const port = await freePort()
  const dir = await mkdtemp(join(tmpdir(), 'ss-turn-'))
  const relayBase = 40000 + (port % 20000)
  const proc = start('turnserver', [
    '--lt-cred-mech', '--user', 'u:p', '--realm', 'r',
    '--listening-ip', '127.0.0.1', '--relay-ip', '127.0.0.1', '--listening-port', String(port),
    '--min-port', String(relayBase), '--max-port', String(relayBase + 200),
    '--no-tls', '--no-dtls', '--allow-loopback-peers', '--no-cli', '-n', '-v',
    '--db', join(dir, 'turndb'), '--log-file', 'stdout', '--no-stun-backward-compatibility',
  ])
  try {
    await proc.waitFor(/Total General servers/, 15_000)
    await new Promise((r) => setTimeout(r, 300))
  } catch (err) {
    await proc.stop()
    await rm(dir, { recursive: true, force: true })
    throw err
  }
  return {
    iceServers: [{ urls: `turn:127.0.0.1:${port}?transport=udp`, username: 'u', credential: 'p' }],
    log: () => proc.lines,
    async stop() { await proc.stop(); await rm(dir, { recursive: true, force: true }) },
  }
}

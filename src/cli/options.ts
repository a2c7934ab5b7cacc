/** Options and value parsers the commands share (commander does the parsing and the help). */
import type { Command } from 'commander'
import type { PeerAddress } from '../transport/types.js'
import { ENCRYPTION_POLICIES, type EncryptionPolicy } from '../client/encryption.js'
import { parseHostPort } from '../util/host-port.js'

/** A mistake in the command line: printed with a hint, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

const collect = <T>(parse: (v: string) => T) => (v: string, prev: T[] | undefined): T[] => [...(prev ?? []), parse(v)]

export function parsePort(v: string): number {
  const n = Number(v)
  if (!/^\d+$/.test(v) || n > 65535) throw new UsageError(`invalid port: ${v} (want 0..65535; 0 picks a free one)`)
  return n
}

export function parsePeer(v: string): PeerAddress {
  const a = parseHostPort(v)
  if (!a) throw new UsageError(`invalid peer address (want host:port): ${v}`)
  return a
}

/** A rate in bytes/s from KiB/s (a bare number) or with a unit: 500K, 2M, 1G; -1: no limit. */
export function parseRate(v: string): number {
  if (v.trim() === '-1') return -1
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b(?:\/s)?)?$/i.exec(v.trim())
  const unit = { '': 1024, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m?.[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g']
  const n = m ? Number(m[1]) * unit : NaN
  if (!(n >= 1)) throw new UsageError(`invalid rate: ${v} (KiB/s, or with a unit: 500K, 2M; -1 for no limit)`)
  return Math.round(n)
}

export function parseSeconds(v: string): number {
  const n = Number(v)
  if (!(n > 0)) throw new UsageError(`invalid number of seconds: ${v}`)
  return n
}

/** File indexes: "0,2,5-7". */
export function parseIndexList(v: string): number[] {
  const out: number[] = []
  for (const part of v.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim())
    if (!m) throw new UsageError(`invalid file index list: ${v} (want e.g. 0,2,5-7)`)
    const a = Number(m[1]), b = m[2] === undefined ? a : Number(m[2])
    if (b < a || b - a > 100_000) throw new UsageError(`invalid range: ${part}`)
    for (let i = a; i <= b; i++) out.push(i)
  }
  return out
}

function checkHostPort(v: string): string {
  if (!parseHostPort(v)) throw new UsageError(`invalid DHT node (want host:port): ${v}`)
  return v
}

export function parseEncryption(v: string): EncryptionPolicy {
  if (!(ENCRYPTION_POLICIES as readonly string[]).includes(v)) throw new UsageError(`invalid --encryption (want ${ENCRYPTION_POLICIES.join('|')}): ${v}`)
  return v as EncryptionPolicy
}

/** What every command that talks to peers accepts. */
export interface NetworkOptions {
  torrentPort?: number
  host?: string
  announce?: string[]
  peer?: PeerAddress[]
  trackers: boolean
  dht: boolean
  /** DHT entry points, host:port (default: the public routers) */
  dhtBootstrap?: string[]
  lsd: boolean
  encryption: EncryptionPolicy
  downloadLimit?: number
  uploadLimit?: number
  quiet?: boolean
  verbose?: boolean
  json?: boolean
}

export function addNetworkOptions(cmd: Command): Command {
  return cmd
    .option('--torrent-port <port>', 'port peers connect to (default 6881, or any free one when taken)', parsePort)
    .option('--host <address>', 'address to accept peers on', '0.0.0.0')
    .option('-a, --announce <url>', 'a tracker to announce to (repeatable)', collect(String))
    .option('--peer <host:port>', 'a peer to dial directly (repeatable)', collect(parsePeer))
    .option('--no-trackers', 'announce to no tracker, not even the torrent\'s own')
    .option('--no-dht', 'no DHT: find peers through trackers (and --peer) only')
    .option('--dht-bootstrap <host:port>', 'a DHT node to join through, instead of the public routers (repeatable)', collect(checkHostPort))
    .option('--no-lsd', 'no local service discovery (BEP 14 multicast on the LAN)')
    .option('--encryption <policy>', 'MSE/PE on TCP: enabled (accept both, dial encrypted first), forced, disabled', parseEncryption, 'enabled')
    .option('--download-limit <rate>', 'most bytes received per second: KiB/s, or 500K, 2M (-1: no limit)', parseRate)
    .option('--upload-limit <rate>', 'most bytes sent per second: KiB/s, or 500K, 2M (-1: no limit)', parseRate)
    .option('-q, --quiet', 'print only errors (and what was asked for)')
    .option('--verbose', 'print peer warnings and the stack of errors')
}

/** `-p/--port` is the HTTP port wherever there is one; the peer port is --torrent-port. */
export function addHttpPortOption(cmd: Command): Command {
  return cmd.option('-p, --port <port>', 'HTTP port to stream on (default 8000, or any free one when taken)', parsePort)
}

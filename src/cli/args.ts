import { parseArgs, type ParseArgsConfig } from 'node:util'

type Options = NonNullable<ParseArgsConfig['options']>
import type { PeerAddress } from '../transport/types.js'
import { ENCRYPTION_POLICIES, type EncryptionPolicy } from '../client/encryption.js'

export class UsageError extends Error {
  override name = 'UsageError'
}

/** node:util parseArgs with usage errors we can print. */
export function parse<T extends Options>(argv: string[], options: T, positionals = true): ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: boolean; strict: true }>> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: positionals, strict: true })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

/** Options every networked command shares. */
export const networkOptions = {
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  announce: { type: 'string', short: 'a', multiple: true },
  peer: { type: 'string', multiple: true },
  'no-dht': { type: 'boolean' },
  /** DHT entry points, host:port (default: the public routers) */
  'dht-bootstrap': { type: 'string', multiple: true },
  'no-lsd': { type: 'boolean' },
  'no-trackers': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  json: { type: 'boolean' },
  /** MSE/PE on TCP: enabled (default), forced, disabled */
  encryption: { type: 'string' },
} as const

export function parsePort(v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`invalid port: ${v}`)
  return n
}

export function parseEncryption(v: string | undefined): EncryptionPolicy {
  if (v === undefined) return 'enabled'
  if (!(ENCRYPTION_POLICIES as readonly string[]).includes(v)) throw new UsageError(`invalid --encryption (want ${ENCRYPTION_POLICIES.join('|')}): ${v}`)
  return v as EncryptionPolicy
}

export function parsePeer(v: string): PeerAddress {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(v) ?? /^([^:]+):(\d+)$/.exec(v)
  const port = m ? Number(m[2]) : NaN
  if (!m || !(port > 0 && port < 65536)) throw new UsageError(`invalid peer address (want host:port): ${v}`)
  return { host: m[1]!, port }
}

export function parseIndexList(v: string): number[] {
  const out: number[] = []
  for (const part of v.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim())
    if (!m) throw new UsageError(`invalid index list: ${v}`)
    const a = Number(m[1]), b = m[2] === undefined ? a : Number(m[2])
    if (b < a || b - a > 100_000) throw new UsageError(`invalid range: ${part}`)
    for (let i = a; i <= b; i++) out.push(i)
  }
  return out
}

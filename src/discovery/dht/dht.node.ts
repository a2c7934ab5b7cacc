/** Node glue for the DHT: DNS for bootstrap names, a socket of its own when the caller has
 * no shared one, and the routing-table snapshot on disk (written atomically). */
import { lookup as dnsLookup } from 'node:dns/promises'
import { readFile, rename, writeFile } from 'node:fs/promises'
import { UdpMux } from '../../transport/udp-mux.node.js'
import { Dht, type DhtOptions } from './dht.js'
import { parseDhtState, type DhtState } from './snapshot.js'
import type { Contact } from './types.js'

/** IPv4 addresses of a host name (bootstrap routers). */
export async function resolveIPv4(host: string): Promise<string[]> {
  const all = await dnsLookup(host, { all: true, family: 4 })
  return all.map((a) => a.address)
}

/** A Dht on a channel the caller owns (the client's shared UdpMux), with DNS filled in. */
export function createDht(opts: DhtOptions): Dht {
  return new Dht({ resolve: resolveIPv4, ...opts })
}

/** A Dht on a UDP socket of its own (benches, tools); destroy it with `close()`. */
export async function bindDht(opts: Omit<DhtOptions, 'channel'> & { port?: number; host?: string }): Promise<{ dht: Dht; mux: UdpMux; close(): Promise<void> }> {
  const mux = await UdpMux.bind(opts.port ?? 0, opts.host ?? '0.0.0.0')
  const dht = createDht({ ...opts, channel: mux.channel('dht') })
  return { dht, mux, close: async () => { dht.destroy(); await mux.close() } }
}

/** Writes `dht.toJSON()` to `file` through a temporary file and a rename, so a crash never
 * leaves half a snapshot. */
export async function saveDhtState(file: string, state: DhtState): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify(state))
  await rename(tmp, file)
}

/** Reads a snapshot back as Dht options; undefined when the file is missing or damaged. */
export async function loadDhtState(file: string): Promise<{ nodeId: Uint8Array; nodes: Contact[] } | undefined> {
  let text: string
  try { text = await readFile(file, 'utf8') } catch { return undefined }
  if (text.length > 1_000_000) return undefined
  try { return parseDhtState(JSON.parse(text)) } catch { return undefined }
}

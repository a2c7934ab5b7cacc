/** The Node client's DHT node: one UDP socket (shared with uTP through the platform's
 * UdpMux), bootstrap names resolved, and the routing table saved between runs so a restart
 * does not start from the routers. */
import { DEFAULT_BOOTSTRAP_NODES, clockTimers, createDht, loadDhtState, saveDhtState, type Dht } from '../discovery/dht/index.node.js'
import type { UdpMux } from '../transport/udp-mux.node.js'
import type { PeerAddress } from '../transport/types.js'
import type { Clock } from '../util/clock.js'
import type { DhtClientOptions } from './client.js'

export async function startNodeDht(mux: UdpMux, clock: Clock, options: DhtClientOptions): Promise<{ dht: Dht; close(): Promise<void> }> {
  const saved = options.stateFile ? await loadDhtState(options.stateFile) : undefined
  const bootstrap = options.bootstrap ? options.bootstrap.map(parseHostPort) : DEFAULT_BOOTSTRAP_NODES
  const dht = createDht({
    channel: mux.channel('dht'), ...saved, bootstrap,
    ...(options.readOnly ? { readOnly: true } : {}), ...(options.bep42 ? { bep42: true } : {}),
    now: () => clock.now(), timers: clockTimers(clock),
  })
  dht.on('warning', () => undefined)
  void dht.bootstrap().catch(() => undefined)
  return {
    dht,
    close: async () => {
      if (options.stateFile) await saveDhtState(options.stateFile, dht.toJSON()).catch(() => undefined)
      dht.destroy()
    },
  }
}

/** "host:port" (IPv6 as "[::1]:6881") to an address; throws on anything else. */
export function parseHostPort(s: string): PeerAddress {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(s.trim())
  const port = Number(m?.[3])
  if (!m || !(port > 0 && port < 65536)) throw new Error(`not host:port: ${s}`)
  return { host: m[1] ?? m[2]!, port }
}

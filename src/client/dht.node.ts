/** The Node client's DHT node: one UDP socket (shared with uTP through the platform's
 * UdpMux), bootstrap names resolved, and the routing table saved between runs so a restart
 * does not start from the routers. */
import { DEFAULT_BOOTSTRAP_NODES, clockTimers, createDht, loadDhtState, saveDhtState, type Dht } from '../discovery/dht/index.node.js'
import type { UdpMux } from '../transport/udp-mux.node.js'
import { parseHostPort } from '../util/host-port.js'
import type { Clock } from '../util/clock.js'
import type { DhtClientOptions } from './client.js'

export async function startNodeDht(mux: UdpMux, clock: Clock, options: DhtClientOptions): Promise<{ dht: Dht; close(): Promise<void> }> {
  const saved = options.stateFile ? await loadDhtState(options.stateFile) : undefined
  const bootstrap = options.bootstrap ? options.bootstrap.map((b) => {
    const a = parseHostPort(b)
    if (!a) throw new Error(`not a DHT node address (want host:port): ${b}`)
    return a
  }) : DEFAULT_BOOTSTRAP_NODES
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

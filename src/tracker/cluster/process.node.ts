import { TrackerServer, type ListeningPorts, type TrackerServerOptions } from '../server.node.js'
import type { ClusterLink } from './messages.js'
import type { TrackerProcessConfig } from './config.js'

/** Builds one tracker process from its config: the server, and its cluster link when it has
 * one (a worker's primary, or Redis). */
export async function startTrackerProcess(
  config: TrackerProcessConfig, opts: { origin?: string; link?: ClusterLink; key?: Uint8Array; log: (line: string) => void },
): Promise<{ server: TrackerServer; ports: ListeningPorts }> {
  let link = opts.link
  if (!link && config.redis) {
    const { RedisLink } = await import('./redis-link.node.js')
    link = new RedisLink(config.redis, opts.origin ?? randomOrigin(), { prefix: config.redisPrefix })
  }
  const allowed = config.allow && new Set(config.allow)
  const serverOpts: TrackerServerOptions = {
    ...(config.http !== undefined ? { http: config.http } : {}),
    ...(config.udp !== undefined ? { udp: config.udp } : {}),
    ...(config.ws !== undefined ? { ws: config.ws } : {}),
    ...(config.interval !== undefined ? { interval: config.interval } : {}),
    ...(config.limits ? { limits: config.limits } : {}),
    trustProxy: config.trustProxy ?? false,
    ...(allowed ? { allowList: (hex: string) => allowed.has(hex) } : {}),
    ...(link ? { cluster: link } : {}),
    ...(opts.key ? { connectionIdKey: opts.key } : {}),
  }
  const server = new TrackerServer(serverOpts)
  server.on('error', (err) => opts.log(`tracker error: ${err.message}`))
  server.on('warning', (m) => opts.log(`tracker warning: ${m}`))
  try {
    return { server, ports: await server.listen() }
  } catch (err) {
    await server.close()
    throw err
  }
}

export function randomOrigin(): string {
  return Array.from(globalThis.crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, '0')).join('')
}

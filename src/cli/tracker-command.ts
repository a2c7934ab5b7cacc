import { parseArgs } from 'node:util'
import { availableParallelism } from 'node:os'
import type { Endpoint } from '../tracker/index.js'
import type { TrackerProcessConfig } from '../tracker/cluster/config.js'

const USAGE = `usage: swarmstream tracker [--http <port>] [--udp <port>] [--ws <port>] [--host 127.0.0.1]
                          [--interval <s>] [--trust-proxy] [--allow <hex,...>] [--quiet]
                          [--workers <n>] [--redis redis://host:port] [--redis-prefix <p>]
  With no --http/--udp/--ws: HTTP and UDP on 8000, WebSocket on the HTTP port.
  --ws equal to --http serves both on one port.
  --workers: processes sharing the ports and the swarms (default: one per core).
  --redis: share swarms and relay WebRTC offers with every tracker using that Redis.
  Stats: /stats, /stats.json and Prometheus /metrics on the HTTP port.`

/** `swarmstream tracker`: runs the tracker until SIGINT/SIGTERM, then closes cleanly. */
export async function trackerCommand(argv: string[], signal?: AbortSignal): Promise<number> {
  let values
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        http: { type: 'string' }, udp: { type: 'string' }, ws: { type: 'string' },
        host: { type: 'string', default: '127.0.0.1' }, interval: { type: 'string' },
        'trust-proxy': { type: 'boolean', default: false }, allow: { type: 'string' },
        quiet: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false },
        workers: { type: 'string' }, redis: { type: 'string' }, 'redis-prefix': { type: 'string' },
      },
      strict: true, allowPositionals: false,
    }))
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`)
    return 2
  }
  if (values.help) { console.log(USAGE); return 0 }

  const port = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined
    const n = Number(v)
    if (!/^\d+$/.test(v) || n > 65535) throw new Error(`--${name}: not a port: ${v}`)
    return n
  }
  let opts: TrackerProcessConfig
  let workers: number
  try {
    const host = values.host
    const anyGiven = values.http !== undefined || values.udp !== undefined || values.ws !== undefined
    const http = port('http', values.http) ?? (anyGiven ? undefined : 8000)
    const udp = port('udp', values.udp) ?? (anyGiven ? undefined : 8000)
    const ws = port('ws', values.ws)
    const ep = (p: number | undefined): Endpoint | false => p === undefined ? false : { port: p, host }
    opts = {
      http: ep(http), udp: ep(udp),
      ws: ws === undefined ? (http === undefined ? false : 'http') : ws === http ? 'http' : { port: ws, host },
      trustProxy: values['trust-proxy'],
    }
    workers = values.workers === undefined ? availableParallelism() : Number(values.workers)
    if (!Number.isInteger(workers) || workers < 1 || workers > 256) throw new Error(`--workers: not a number of processes: ${values.workers}`)
    if (values.redis !== undefined) {
      if (!/^rediss?:\/\/[^\s/]+/.test(values.redis)) throw new Error(`--redis: not a redis:// URL: ${values.redis}`)
      opts.redis = values.redis
      if (values['redis-prefix'] !== undefined) opts.redisPrefix = values['redis-prefix']
    }
    if (values.interval !== undefined) {
      const s = Number(values.interval)
      if (!Number.isInteger(s) || s < 1) throw new Error(`--interval: not a positive number of seconds: ${values.interval}`)
      opts.interval = s
    }
    if (values.allow !== undefined) {
      const allowed = new Set(values.allow.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean))
      for (const h of allowed) if (!/^[0-9a-f]{40}$/.test(h)) throw new Error(`--allow: not a 40-char hex info hash: ${h}`)
      opts.allow = [...allowed]
    }
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`)
    return 2
  }

  const log = (line: string): void => console.error(line)
  let ports: { http?: number; udp?: number; ws?: number }
  let stop: () => Promise<void>
  try {
    if (workers > 1) {
      const { runTrackerCluster } = await import('../tracker/cluster/cluster.node.js')
      const c = await runTrackerCluster(opts, workers, log)
      ports = c.ports
      stop = () => c.stop()
    } else {
      const { startTrackerProcess } = await import('../tracker/cluster/process.node.js')
      const { server, ports: p } = await startTrackerProcess(opts, { log })
      if (!values.quiet) server.on('rejected', (r) => console.error(`rejected ${r.kind} ${r.ip}: ${r.reason}`))
      ports = p
      stop = () => server.close()
    }
  } catch (err) {
    console.error('tracker: cannot listen:', (err as Error).message)
    return 1
  }
  const host = values.host.includes(':') ? `[${values.host}]` : values.host
  if (ports.http !== undefined) console.log(`http://${host}:${ports.http}/announce`)
  if (ports.udp !== undefined) console.log(`udp://${host}:${ports.udp}`)
  if (ports.ws !== undefined) console.log(`ws://${host}:${ports.ws}`)
  if (ports.http !== undefined) console.log(`stats: http://${host}:${ports.http}/stats`)
  if (workers > 1 || opts.redis) console.log(`${workers} worker${workers > 1 ? 's' : ''}${opts.redis ? ', swarms shared through Redis' : ''}`)

  await new Promise<void>((resolve) => {
    const done = (): void => {
      process.off('SIGINT', done); process.off('SIGTERM', done); signal?.removeEventListener('abort', done)
      resolve()
    }
    process.on('SIGINT', done); process.on('SIGTERM', done)
    signal?.addEventListener('abort', done)
  })
  await stop()
  return 0
}

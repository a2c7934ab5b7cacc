import cluster, { type Worker } from 'node:cluster'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { WORKER_ENV, isControl, type TrackerProcessConfig, type WorkerEnv } from './config.js'
import { IpcHub } from './ipc-link.node.js'
import { randomOrigin } from './process.node.js'

/** `--workers N`: N tracker processes on the same ports. Node 20 has no SO_REUSEPORT
 * (`reusePort` arrived in 22.12), so the cluster module shares the sockets: the primary
 * accepts TCP connections and hands them to workers in turn; the UDP socket is one handle
 * every worker reads. Swarms are shared by mirroring (see sync.ts) through the primary, which
 * only switches messages, or through Redis when configured. A worker that dies is replaced. */

export interface ClusterHandle {
  ports: { http?: number; udp?: number; ws?: number }
  readonly workers: number
  /** closes every worker */
  stop(): Promise<void>
}

/** How many times in a minute workers may die before the cluster stops replacing them. */
const MAX_RESTARTS_PER_MINUTE = 10

export async function runTrackerCluster(config: TrackerProcessConfig, workers: number, log: (line: string) => void): Promise<ClusterHandle> {
  if (!cluster.isPrimary) throw new Error('runTrackerCluster runs in the primary process')
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js'
  cluster.setupPrimary({ exec: fileURLToPath(new URL(`./worker-main.node${ext}`, import.meta.url)), execArgv: workerExecArgv(), args: [] })
  const instance = randomOrigin()
  const key = randomBytes(32).toString('hex')
  const hub = new IpcHub()
  const live = new Set<Worker>()
  const restarts: number[] = []
  let stopping = false
  let generation = 0

  const fork = (index: number): Promise<ClusterHandle['ports']> => {
    const env: WorkerEnv = { config, origin: `${instance}.${index}.${generation++}`, key }
    const w = cluster.fork({ [WORKER_ENV]: JSON.stringify(env) })
    live.add(w)
    hub.add(w)
    w.on('exit', (code, signal) => {
      live.delete(w)
      hub.remove(w)
      if (stopping) return
      const now = Date.now()
      restarts.push(now)
      while (restarts.length > 0 && restarts[0]! < now - 60_000) restarts.shift()
      if (restarts.length > MAX_RESTARTS_PER_MINUTE) { log(`tracker worker ${index} died (${signal ?? code}); too many restarts, not replacing it`); return }
      log(`tracker worker ${index} died (${signal ?? code}); starting another`)
      setTimeout(() => { if (!stopping) fork(index).catch((err: Error) => log(`tracker worker ${index}: ${err.message}`)) }, 500).unref()
    })
    return new Promise((resolve, reject) => {
      const onMessage = (m: unknown): void => {
        if (!isControl(m) || m.ctl !== 'listening') return
        w.off('message', onMessage); w.off('exit', onExit)
        resolve(m.ports)
      }
      const onExit = (code: number): void => { w.off('message', onMessage); reject(new Error(`worker exited (${code}) before listening`)) }
      w.on('message', onMessage)
      w.once('exit', onExit)
    })
  }

  const stop = async (): Promise<void> => {
    stopping = true
    await Promise.all([...live].map((w) => new Promise<void>((resolve) => {
      if (w.isDead()) return resolve()
      const t = setTimeout(() => w.process.kill('SIGKILL'), 5000)
      w.once('exit', () => { clearTimeout(t); resolve() })
      try { w.send({ ctl: 'close' }) } catch { w.process.kill('SIGTERM') }
    })))
  }

  try {
    // The first worker binds; the others share its sockets (the primary keys them by the
    // address asked for, so port 0 gives every worker the same random port).
    const ports = await fork(0)
    await Promise.all(Array.from({ length: workers - 1 }, (_, i) => fork(i + 1)))
    return { ports, get workers() { return live.size }, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

/** Node's own flags for the workers (loaders, heap sizes), without an `-e`/`-p` script. */
function workerExecArgv(): string[] {
  const out: string[] = []
  const args = process.execArgv
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a === '-e' || a === '--eval' || a === '-p' || a === '--print') { i++; continue }
    if (/^(--eval|--print)=/.test(a)) continue
    out.push(a)
  }
  return out
}

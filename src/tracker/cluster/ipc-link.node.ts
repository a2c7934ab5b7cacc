import type { Worker } from 'node:cluster'
import type { Batch, ClusterLink, LinkHandlers, OriginReport, Relay } from './messages.js'

/** Workers of one machine (`--workers N`) talk through their primary over the cluster IPC
 * channel: the primary (IpcHub) forwards batches and reports to every other worker and
 * relays to the worker named. Each worker keeps the whole mirror itself, so the primary
 * holds no swarm state and a restarted worker is refilled by the others. */

export type HubMessage =
  | { ss: 'hello'; o: string }
  | { ss: 'batch'; b: Batch }
  | { ss: 'relay'; to: string; r: Relay }
  | { ss: 'report'; r: OriginReport }
  | { ss: 'gone'; o: string }
  | { ss: 'resync' }

const isHubMessage = (m: unknown): m is HubMessage => typeof m === 'object' && m !== null && typeof (m as { ss?: unknown }).ss === 'string'

/** The worker's side. */
export class IpcLink implements ClusterLink {
  #h: LinkHandlers | undefined
  readonly #onMessage = (m: unknown): void => {
    const h = this.#h
    if (!h || !isHubMessage(m)) return
    switch (m.ss) {
      case 'batch': h.batch(m.b); break
      case 'relay': h.relay(m.r); break
      case 'report': h.report(m.r); break
      case 'gone': h.gone(m.o); break
      case 'resync': h.resync(); break
      default: break
    }
  }

  constructor(readonly origin: string) {}

  get connected(): boolean { return process.connected === true }

  async start(h: LinkHandlers): Promise<void> {
    this.#h = h
    process.on('message', this.#onMessage)
    this.#send({ ss: 'hello', o: this.origin })
    h.resync()
  }

  publish(b: Batch): void { this.#send({ ss: 'batch', b }) }
  relay(to: string, r: Relay): void { this.#send({ ss: 'relay', to, r }) }
  heartbeat(r: OriginReport): void { this.#send({ ss: 'report', r }) }

  async close(): Promise<void> {
    process.off('message', this.#onMessage)
    this.#h = undefined
  }

  #send(m: HubMessage): void {
    if (!process.connected || !process.send) return
    try { process.send(m) } catch { /* the primary is gone: we are about to be ended too */ }
  }
}

/** The primary's side: a switchboard, no state but who is who. */
export class IpcHub {
  readonly #byOrigin = new Map<string, Worker>()
  readonly #origins = new Map<Worker, string>()

  /** Routes what `worker` sends from now on. */
  add(worker: Worker): void {
    worker.on('message', (m: unknown) => { if (isHubMessage(m)) this.#route(worker, m) })
  }

  /** A worker exited: the others forget its peers. */
  remove(worker: Worker): void {
    const o = this.#origins.get(worker)
    this.#origins.delete(worker)
    if (o === undefined) return
    if (this.#byOrigin.get(o) === worker) this.#byOrigin.delete(o)
    this.#broadcast(worker, { ss: 'gone', o })
  }

  get size(): number { return this.#byOrigin.size }

  #route(from: Worker, m: HubMessage): void {
    switch (m.ss) {
      case 'hello':
        this.#origins.set(from, m.o)
        this.#byOrigin.set(m.o, from)
        // A newcomer knows nobody: everyone else sends their full state again.
        this.#broadcast(from, { ss: 'resync' })
        break
      case 'batch': case 'report': this.#broadcast(from, m); break
      case 'relay': {
        const to = this.#byOrigin.get(m.to)
        if (to) send(to, m)
        break
      }
      default: break
    }
  }

  #broadcast(from: Worker, m: HubMessage): void {
    for (const w of this.#byOrigin.values()) if (w !== from) send(w, m)
  }
}

function send(w: Worker, m: HubMessage): void {
  if (!w.isConnected()) return
  try { w.send(m) } catch { /* exiting */ }
}

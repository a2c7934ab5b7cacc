import { Worker } from 'node:worker_threads'
import { createHash } from 'node:crypto'
import type { Hasher } from './hasher.js'

// The worker is plain CommonJS evaluated from a string, so it runs the same from the
// TypeScript sources and from dist/. It hashes the buffer it is given and hands it back.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads')
const { createHash } = require('node:crypto')
parentPort.on('message', (m) => {
  const digest = new Uint8Array(createHash('sha1').update(m.data).digest())
  parentPort.postMessage({ id: m.id, digest, data: m.data }, [m.data.buffer])
})`

interface Pending { resolve(r: { digest: Uint8Array; data: Uint8Array }): void; reject(e: Error): void }

/** SHA-1 on a worker thread: hashing a piece (about 1.5 ms per MiB here) no longer stalls the
 * thread that reads sockets, so the second core hashes while the first keeps the link full.
 * Piece buffers are transferred there and back, never copied. */
export class WorkerHasher implements Hasher {
  readonly #workers: Worker[] = []
  readonly #pending = new Map<number, Pending>()
  #next = 0
  #turn = 0
  #closed = false

  constructor(threads = 1) {
    for (let i = 0; i < threads; i++) {
      const w = new Worker(WORKER_SOURCE, { eval: true })
      w.unref()
      w.on('message', (m: { id: number; digest: Uint8Array; data: Uint8Array }) => {
        const p = this.#pending.get(m.id)
        this.#pending.delete(m.id)
        if (this.#pending.size === 0) for (const x of this.#workers) x.unref()
        p?.resolve({ digest: m.digest, data: m.data })
      })
      w.on('error', (err) => { for (const p of this.#pending.values()) p.reject(err); this.#pending.clear() })
      this.#workers.push(w)
    }
  }

  async sha1(data: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(createHash('sha1').update(data).digest())
  }

  sha1Owned(data: Uint8Array): Promise<{ digest: Uint8Array; data: Uint8Array }> {
    // Small buffers, or views into a bigger buffer we must not move: hash right here.
    const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer
    if (this.#closed || data.length < 65536 || !whole) {
      return Promise.resolve({ digest: new Uint8Array(createHash('sha1').update(data).digest()), data })
    }
    const id = this.#next++
    const worker = this.#workers[this.#turn++ % this.#workers.length]!
    worker.ref() // pending work keeps the process alive; an idle worker does not
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject })
      worker.postMessage({ id, data }, [data.buffer as ArrayBuffer])
    })
  }

  async close(): Promise<void> {
    this.#closed = true
    for (const p of this.#pending.values()) p.reject(new Error('hasher closed'))
    this.#pending.clear()
    await Promise.all(this.#workers.map((w) => w.terminate()))
  }
}

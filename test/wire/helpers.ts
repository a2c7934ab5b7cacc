import { Emitter } from '../../src/util/emitter.js'
import type { Duplex } from '../../src/transport/types.js'
import { duplexPair } from '../helpers/duplex-pair.js'
import { Wire, type WireOptions, type WireEvents, type UtMetadata, type UtMetadataEvents } from '../../src/wire/index.js'
import type { WireExtension } from '../../src/wire/index.js'

export const INFO_HASH = new Uint8Array(20).fill(0xab)
export const ID_A = new Uint8Array(20).fill(0x0a)
export const ID_B = new Uint8Array(20).fill(0x0b)

/** Resolves with the next emission of `event`, or rejects after `ms`. */
export function next<K extends keyof WireEvents>(emitter: Wire, event: K, ms?: number): Promise<WireEvents[K]>
export function next<K extends keyof UtMetadataEvents>(emitter: UtMetadata, event: K, ms?: number): Promise<UtMetadataEvents[K]>
export function next(emitter: Wire | UtMetadata, event: string, ms = 2000): Promise<unknown[]> {
  const em = emitter as unknown as Emitter<Record<string, unknown[]>>
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { em.off(event, on); reject(new Error(`timed out waiting for ${event}`)) }, ms)
    const on = (...args: unknown[]) => { clearTimeout(timer); em.off(event, on); resolve(args) }
    em.on(event, on)
  })
}

/** Two wires over an in-memory pair, set up but not yet handshaken. */
export function wirePair(opts: WireOptions = {}, extsA: WireExtension[] = [], extsB: WireExtension[] = []): [Wire, Wire] {
  const [x, y] = duplexPair()
  const a = new Wire(x, opts), b = new Wire(y, opts)
  for (const e of extsA) a.use(e)
  for (const e of extsB) b.use(e)
  return [a, b]
}

/** a dials b: a sends its handshake first, b answers on seeing a's (the inbound flow). */
export async function handshaken(a: Wire, b: Wire, flags = { fast: true, extended: true }): Promise<void> {
  b.once('handshake', () => b.handshake(INFO_HASH, ID_B, flags))
  const done = Promise.all([next(a, 'handshake'), next(b, 'handshake')])
  a.handshake(INFO_HASH, ID_A, flags)
  await done
}

/** A Duplex that records what is written and lets a test play the remote peer. */
export class FakeDuplex extends Emitter<{ data: [Uint8Array]; drain: []; close: []; error: [Error] }> {
  written: Uint8Array[] = []
  writeResult = true
  destroyed = false
  write(chunk: Uint8Array): boolean { this.written.push(chunk.slice()); return this.writeResult }
  destroy(): void { if (!this.destroyed) { this.destroyed = true; queueMicrotask(() => this.emit('close')) } }
  // The Duplex type's optional `off` is stricter than Emitter's; the shape fits at runtime.
  get duplex(): Duplex { return this as unknown as Duplex }
  /** Everything written so far as one buffer. */
  bytes(): Uint8Array { return Uint8Array.from(this.written.flatMap((c) => [...c])) }
}

export const tick = (): Promise<void> => new Promise((r) => setImmediate(r))

/** Active Node timers, to show a closed wire leaves none behind. */
export const timerCount = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length

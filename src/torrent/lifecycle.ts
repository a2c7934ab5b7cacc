/** A torrent's state, changed in one place and read-only outside:
 *
 *   metadata → checking → downloading ⇄ seeding
 *
 * with three overlays: `paused` (the user stopped it; it resumes where it was), `error`
 * (storage failed: nothing more happens until it is removed) and `destroyed`. */
import { Emitter } from '../util/emitter.js'

export type TorrentState = 'metadata' | 'checking' | 'downloading' | 'seeding' | 'paused' | 'error' | 'destroyed'
type Progress = 'metadata' | 'checking' | 'downloading' | 'seeding'

const ORDER: Record<Progress, number> = { metadata: 0, checking: 1, downloading: 2, seeding: 2 }

export class Lifecycle extends Emitter<{ state: [state: TorrentState, previous: TorrentState] }> {
  #progress: Progress = 'metadata'
  #paused = false
  #error: Error | undefined
  #destroyed = false

  get state(): TorrentState {
    return this.#destroyed ? 'destroyed' : this.#error ? 'error' : this.#paused ? 'paused' : this.#progress
  }

  /** where the torrent is along metadata → checking → downloading/seeding, paused or not */
  get progress(): Progress { return this.#progress }
  get error(): Error | undefined { return this.#error }
  get paused(): boolean { return this.#paused }
  get destroyed(): boolean { return this.#destroyed }
  /** running: neither paused, failed nor destroyed */
  get live(): boolean { return !this.#paused && !this.#error && !this.#destroyed }

  /** Moves along the progress line; never back to metadata or checking. */
  advance(to: Progress): void {
    if (ORDER[to] < ORDER[this.#progress]) throw new Error(`a torrent cannot go from ${this.#progress} back to ${to}`)
    this.#change(() => { this.#progress = to })
  }

  pause(on: boolean): void { this.#change(() => { this.#paused = on }) }
  fail(err: Error): void { if (!this.#error) this.#change(() => { this.#error = err }) }
  destroy(): void { this.#change(() => { this.#destroyed = true }) }

  #change(apply: () => void): void {
    if (this.#destroyed) return
    const before = this.state
    apply()
    const after = this.state
    if (after !== before) this.emit('state', after, before)
  }
}

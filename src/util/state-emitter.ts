/** An emitter whose state events are never missed: for an event that says "this is now so"
 * ('ready', 'done'...), a listener added while it is so is called as well, once, on the next
 * microtask. So `const t = client.add(id); …await something…; t.on('done', fn)` works
 * whether or not the torrent finished in between. */
import { Emitter, type EventMap } from './emitter.js'

type AnyListener = (...args: unknown[]) => void

export abstract class StateEmitter<Events extends EventMap> extends Emitter<Events> {
  readonly #replays = new Set<{ event: keyof Events; fn: AnyListener }>()

  /** The arguments the event would carry now when its state holds; undefined otherwise or
   * for events that are not states. */
  protected abstract stateNow<K extends keyof Events>(event: K): Events[K] | undefined

  override on<K extends keyof Events>(event: K, fn: (...args: Events[K]) => void): this {
    super.on(event, fn)
    if (this.stateNow(event) !== undefined) {
      const entry = { event, fn: fn as unknown as AnyListener }
      this.#replays.add(entry)
      queueMicrotask(() => {
        if (!this.#replays.delete(entry)) return
        const args = this.stateNow(event)
        if (args !== undefined) fn(...args)
      })
    }
    return this
  }

  override off<K extends keyof Events>(event: K, fn: (...args: Events[K]) => void): this {
    for (const r of this.#replays) if (r.event === event && r.fn === (fn as unknown as AnyListener)) this.#replays.delete(r)
    return super.off(event, fn)
  }

  override emit<K extends keyof Events>(event: K, ...args: Events[K]): boolean {
    // the real event reaches every listener: a replay still pending would be a second call
    for (const r of this.#replays) if (r.event === event) this.#replays.delete(r)
    return super.emit(event, ...args)
  }

  override removeAllListeners(): void {
    this.#replays.clear()
    super.removeAllListeners()
  }
}

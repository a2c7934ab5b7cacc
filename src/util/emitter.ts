/** A small typed event emitter that runs in Node and in browsers alike.
 * `Events` maps each event name to its listener's argument tuple. */
export type EventMap = { [event: string]: unknown[] }
type Listener<A extends unknown[]> = (...args: A) => void
type AnyListener = (...args: unknown[]) => void

export class Emitter<Events extends EventMap> {
  #listeners = new Map<keyof Events, AnyListener[]>()

  on<K extends keyof Events>(event: K, fn: Listener<Events[K]>): this {
    const list = this.#listeners.get(event)
    if (list) list.push(fn as unknown as AnyListener)
    else this.#listeners.set(event, [fn as unknown as AnyListener])
    return this
  }

  once<K extends keyof Events>(event: K, fn: Listener<Events[K]>): this {
    const wrapped = (...args: Events[K]) => { this.off(event, wrapped); fn(...args) }
    return this.on(event, wrapped)
  }

  off<K extends keyof Events>(event: K, fn: Listener<Events[K]>): this {
    const list = this.#listeners.get(event)
    if (!list) return this
    const i = list.indexOf(fn as unknown as AnyListener)
    if (i >= 0) list.splice(i, 1)
    if (list.length === 0) this.#listeners.delete(event)
    return this
  }

  /** Returns whether anyone listened. An 'error' nobody listens to is thrown, as in Node. */
  emit<K extends keyof Events>(event: K, ...args: Events[K]): boolean {
    const list = this.#listeners.get(event)
    if (!list || list.length === 0) {
      if (event === 'error') throw args[0] instanceof Error ? args[0] : new Error(String(args[0]))
      return false
    }
    for (const fn of [...list]) fn(...args)
    return true
  }

  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.length ?? 0
  }

  removeAllListeners(): void {
    this.#listeners.clear()
  }
}

/** Time, injected: everything whose behaviour depends on time (timeouts, keep-alives,
 * rechoking, announce intervals, rates) reads it from a Clock, so tests drive a fake one
 * and run in milliseconds without sleeping. */
export interface Timer {
  cancel(): void
  /** Lets a Node process exit while this timer is pending (no-op elsewhere). */
  unref(): Timer
}

export interface Clock {
  /** milliseconds, as Date.now() */
  now(): number
  setTimeout(fn: () => void, ms: number): Timer
  setInterval(fn: () => void, ms: number): Timer
}

type NativeHandle = ReturnType<typeof setTimeout> & { unref?: () => void }

function wrap(handle: NativeHandle, clear: (h: NativeHandle) => void): Timer {
  const timer: Timer = {
    cancel: () => clear(handle),
    unref: () => { handle.unref?.(); return timer },
  }
  return timer
}

/** The real clock: Date.now and the platform's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => wrap(setTimeout(fn, ms) as NativeHandle, (h) => clearTimeout(h)),
  setInterval: (fn, ms) => wrap(setInterval(fn, ms) as NativeHandle, (h) => clearInterval(h)),
}

/** A promise that resolves after `ms` on `clock` (or at once when aborted: it never rejects). */
export function delay(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) { resolve(); return }
    const onAbort = () => { t.cancel(); resolve() }
    const t = clock.setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve() }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** Waiting on a torrent: for an event (ready, a piece, done), failing when the torrent
 * fails, is removed, or the caller gives up. */
import type { Emitter } from '../util/emitter.js'
import { StreamError } from './readers.js'
import type { TorrentEvents } from './types.js'
import type { TorrentState } from './lifecycle.js'

interface Waitable extends Pick<Emitter<TorrentEvents>, 'on' | 'off'> {
  readonly destroyed: boolean
  readonly error: Error | undefined
}

export function untilEvent(t: Waitable, event: 'ready' | 'piece' | 'done', signal?: AbortSignal, accept?: (index: number) => boolean): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (t.destroyed) { reject(new StreamError('the torrent was removed')); return }
    if (t.error) { reject(t.error); return }
    if (signal?.aborted) { reject(signal.reason instanceof Error ? signal.reason : new StreamError('aborted')); return }
    const finish = (err?: Error) => {
      t.off(event, onEvent).off('close', onClose).off('state', onState)
      signal?.removeEventListener('abort', onAbort)
      if (err) reject(err); else resolve()
    }
    const onEvent = (index?: number) => { if (!accept || (index !== undefined && accept(index))) finish() }
    const onClose = () => finish(new StreamError('the torrent was removed'))
    const onState = (state: TorrentState) => { if (state === 'error') finish(t.error) }
    const onAbort = () => finish(signal?.reason instanceof Error ? signal.reason : new StreamError('aborted'))
    t.on(event, onEvent).on('close', onClose).on('state', onState)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

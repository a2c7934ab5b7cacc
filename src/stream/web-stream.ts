/** A file range as a web ReadableStream (browsers, service workers, Node's fetch world). */
import type { TorrentFile } from '../torrent/files.js'
import { readFileRange, type FileReadOptions } from './file-reader.js'

export function fileWebStream(file: TorrentFile, opts: FileReadOptions = {}): ReadableStream<Uint8Array> {
  const abort = new AbortController()
  const outer = opts.signal
  const onOuterAbort = () => abort.abort(outer?.reason)
  outer?.addEventListener('abort', onOuterAbort, { once: true })
  const chunks = readFileRange(file, { ...opts, signal: abort.signal })
  const cleanup = () => outer?.removeEventListener('abort', onOuterAbort)
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const r = await chunks.next()
        if (r.done) { cleanup(); controller.close() } else controller.enqueue(r.value)
      } catch (err) {
        cleanup()
        controller.error(err)
      }
    },
    cancel() {
      cleanup()
      // abort first: the generator may be waiting for a piece and only then run its finally
      abort.abort()
      void chunks.return(undefined).catch(() => undefined)
    },
  }, { highWaterMark: 1 })
}

/** An async generator as a web ReadableStream (browsers, service workers, Node's fetch
 * world), pulled one chunk at a time; cancelling it aborts the generator. */
export function toWebStream(open: (signal: AbortSignal) => AsyncGenerator<Uint8Array, void, undefined>, outer?: AbortSignal): ReadableStream<Uint8Array> {
  const abort = new AbortController()
  const onOuterAbort = () => abort.abort(outer?.reason)
  outer?.addEventListener('abort', onOuterAbort, { once: true })
  const chunks = open(abort.signal)
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

/** Playing torrent files in the page: `file.streamTo(video)` points a media element at a
 * URL the streaming service worker answers from the torrent (seeking works: the element's
 * Range requests become stream readers, which move the torrent's priority window). Where no
 * service worker can run, it waits for the whole file and plays a Blob URL instead. */
import type { FileAdapters, StreamToOptions, TorrentFile } from '../torrent/files.js'
import { contentTypeOf } from '../util/mime.js'
import { parseRange } from './range.js'
import { streamPath, type ChunkMessage, type PortCommand, type RangeAnswer, type RangeRequest } from './sw-protocol.js'

/** Files the page agreed to serve, by `infohash/index`: nothing else is reachable. */
const served = new Map<string, TorrentFile>()
let listening = false
let workerReady: Promise<boolean> | undefined

function listen(): void {
  if (listening) return
  listening = true
  navigator.serviceWorker.addEventListener('message', (event: MessageEvent) => {
    const req = event.data as RangeRequest | undefined
    const port = event.ports[0]
    if (req?.type !== 'swarmstream-range' || !port) return
    answerRange(req, port)
  })
}

function answerRange(req: RangeRequest, port: MessagePort): void {
  const file = served.get(`${req.infoHash}/${req.index}`)
  if (!file) { port.postMessage({ ok: false, status: 404 } satisfies RangeAnswer); port.close(); return }
  const range = parseRange(req.range ?? undefined, file.length)
  if (range.kind === 'unsatisfiable') { port.postMessage({ ok: false, status: 416, size: file.length } satisfies RangeAnswer); port.close(); return }
  const start = range.kind === 'partial' ? range.start : 0
  const end = range.kind === 'partial' ? range.end : file.length - 1
  port.postMessage({ ok: true, size: file.length, contentType: contentTypeOf(file.name), start, end, partial: range.kind === 'partial' } satisfies RangeAnswer)
  let chunks: AsyncGenerator<Uint8Array, void, undefined> | undefined
  port.onmessage = async (m: MessageEvent<PortCommand>) => {
    if (m.data === 'cancel') { await chunks?.return(undefined); port.close(); return }
    try {
      chunks ??= file.chunks({ start, end, chunkSize: 256 * 1024 })
      const r = await chunks.next()
      port.postMessage((r.done ? { done: true } : { chunk: r.value }) satisfies ChunkMessage)
    } catch (err) {
      port.postMessage({ error: (err as Error).message } satisfies ChunkMessage)
    }
  }
}

/** Registers the worker once and waits (a few seconds at most) until it controls the page. */
function ensureWorker(url: string): Promise<boolean> {
  workerReady ??= (async () => {
    const sw = globalThis.navigator?.serviceWorker
    if (!sw || !globalThis.isSecureContext) return false
    try {
      listen()
      await sw.register(url)
      await sw.ready
      if (sw.controller) return true
      return await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), 5000)
        sw.addEventListener('controllerchange', () => { clearTimeout(t); resolve(true) }, { once: true })
      })
    } catch {
      return false
    }
  })()
  return workerReady
}

/** Plays a file in a media element: through the service worker, or a Blob URL. */
async function streamTo(file: TorrentFile, media: HTMLMediaElement, opts: StreamToOptions): Promise<{ url: string; via: 'service-worker' | 'blob' }> {
  if (!opts.blobOnly && await ensureWorker(opts.serviceWorker ?? '/swarmstream-sw.js')) {
    served.set(`${file.infoHash}/${file.index}`, file)
    const url = streamPath(file.infoHash, file.index, file.name)
    media.src = url
    return { url, via: 'service-worker' }
  }
  const url = URL.createObjectURL(await file.blob())
  media.src = url
  return { url, via: 'blob' }
}

export const browserFileAdapters: FileAdapters = { streamTo }

/** Functions that run inside the page (serialized by Playwright: self-contained, no imports).
 * `window.Swarmstream` is the ESM bundle. */

type S = typeof import('../../src/browser.js')
interface PageWindow { Swarmstream: S; client?: InstanceType<S['Client']>; result?: unknown }

export interface DownloadArgs { torrent: number[]; iceServers?: RTCIceServer[]; relay?: boolean; timeoutMs: number }

/** Adds the torrent, waits for it, returns the SHA-256 of the bytes read back from storage. */
export async function pageDownload(a: DownloadArgs): Promise<{ sha256: string; wires: number }> {
  const w = globalThis as unknown as PageWindow
  const S = w.Swarmstream
  const client = w.client ??= new S.Client({
    webrtc: { iceServers: a.iceServers ?? [], ...(a.relay ? { iceTransportPolicy: 'relay' as const } : {}) },
    signaling: { minIntervalMs: 2000 },
  })
  let store: InstanceType<S['MemoryStorage']> | undefined
  const t = await client.add(new Uint8Array(a.torrent), { createStorage: (l) => (store = new S.MemoryStorage(l)) })
  let wires = 0
  t.on('wire', () => { wires++ })
  await new Promise<void>((resolve, reject) => {
    if (t.done && t.ready) { resolve(); return }
    const timer = setTimeout(() => reject(new Error(`browser download not done (progress ${t.progress}, peers ${t.numPeers})`)), a.timeoutMs)
    t.once('done', () => { clearTimeout(timer); resolve() })
  })
  const m = t.metainfo!
  const all = new Uint8Array(m.length)
  for (let i = 0; i < m.pieceCount; i++) {
    const start = i * m.pieceLength
    all.set(await store!.read(i, 0, Math.min(m.pieceLength, m.length - start)), start)
  }
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', all))
  return { sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join(''), wires }
}

export interface SeedArgs { size: number; announce: string; name: string; iceServers?: RTCIceServer[]; relay?: boolean }

/** Makes a file of pseudo-random bytes in the page and seeds it; returns the .torrent and the data's SHA-256. */
export async function pageSeed(a: SeedArgs): Promise<{ torrent: number[]; sha256: string }> {
  const w = globalThis as unknown as PageWindow
  const S = w.Swarmstream
  const client = w.client ??= new S.Client({
    webrtc: { iceServers: a.iceServers ?? [], ...(a.relay ? { iceTransportPolicy: 'relay' as const } : {}) },
    signaling: { minIntervalMs: 2000 },
  })
  const data = new Uint8Array(a.size)
  for (let off = 0; off < data.length; off += 65536) crypto.getRandomValues(data.subarray(off, Math.min(data.length, off + 65536)))
  const file = new File([data], a.name)
  const { torrentFile } = await client.seed([file], { announce: [[a.announce]] }).whenReady()
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data))
  return { torrent: [...torrentFile!], sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join('') }
}

export async function pageDestroy(): Promise<number> {
  const w = globalThis as unknown as PageWindow
  await w.client?.destroy()
  return w.client?.signaling.socketCount ?? 0
}

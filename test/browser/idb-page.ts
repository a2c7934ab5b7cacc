/** Runs inside the page (serialized by Playwright: self-contained, no imports). */
type S = typeof import('../../src/browser.js')
interface PageWindow { Swarmstream: S }

export interface IdbArgs { torrent: number[]; timeoutMs: number; phase: 'download' | 'reopen' }

/** 'download': fetches the torrent into IndexedDB and returns the SHA-256 read back from it.
 * 'reopen': a fresh client with no peers: what verification finds already stored. */
export async function pageIdb(a: IdbArgs): Promise<{ sha256: string; progress: number }> {
  const S = (globalThis as unknown as PageWindow).Swarmstream
  const client = new S.Client({ webrtc: { iceServers: [] }, signaling: { minIntervalMs: 2000 }, store: 'indexeddb', ...(a.phase === 'reopen' ? { trackers: false } : {}) })
  try {
    const t = await client.add(new Uint8Array(a.torrent))
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ${a.phase === 'download' ? 'done' : 'ready'} (progress ${t.progress}, peers ${t.numPeers})`)), a.timeoutMs)
      const ok = () => { clearTimeout(timer); resolve() }
      if (a.phase === 'download') { if (t.done && t.ready) ok(); else t.once('done', ok) } else if (t.ready) ok(); else t.once('ready', ok)
    })
    const m = t.metainfo!
    const all = new Uint8Array(m.length)
    if (t.progress === 1) {
      const store = new S.IdbStorage({ pieceLength: m.pieceLength, length: m.length, files: m.files }, m.infoHashHex)
      for (let i = 0; i < m.pieceCount; i++) {
        const start = i * m.pieceLength
        all.set(await store.read(i, 0, Math.min(m.pieceLength, m.length - start)), start)
      }
      await store.close()
    }
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', all))
    return { sha256: [...digest].map((b) => b.toString(16).padStart(2, '0')).join(''), progress: t.progress }
  } finally {
    await client.destroy()
  }
}

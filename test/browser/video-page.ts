/** Runs inside the page (serialized by Playwright: self-contained, no imports). */
type S = typeof import('../../src/browser.js')
interface PageWindow { Swarmstream: S; client?: InstanceType<S['Client']> }

export interface PlayArgs { torrent: number[]; timeoutMs: number; blobOnly?: boolean }
export interface PlayResult { via: string; playedTo: number; seekTo: number; resumedAt: number; progressAfterSeek: number; rangeRequests: number }

/** Adds the torrent, plays its file in a muted <video> through the service worker until past
 * 2 s, seeks to the middle and waits until it plays a second past that. */
export async function pagePlayVideo(a: PlayArgs): Promise<PlayResult> {
  const w = globalThis as unknown as PageWindow
  const S = w.Swarmstream
  const client = w.client ??= new S.Client({ webrtc: { iceServers: [] }, signaling: { minIntervalMs: 2000 } })
  let rangeRequests = 0
  navigator.serviceWorker?.addEventListener('message', (e: MessageEvent) => { if ((e.data as { type?: string })?.type === 'swarmstream-range') rangeRequests++ })
  const t = await client.add(new Uint8Array(a.torrent))
  const deadline = Date.now() + a.timeoutMs
  const until = async (what: string, ok: () => boolean) => {
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (progress ${t.progress}, peers ${t.numPeers}, video t=${video.currentTime} state ${video.readyState} err ${video.error?.message ?? ''})`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  const video = document.createElement('video')
  video.muted = true
  document.body.append(video)
  await until('metadata', () => t.files.length > 0)
  const file = t.files[0]!
  const { via } = await file.streamTo(video, { serviceWorker: '/swarmstream-sw.js', blobOnly: a.blobOnly ?? false })
  await video.play()
  await until('playback past 2 s', () => video.currentTime > 2)
  const playedTo = video.currentTime
  const seekTo = Math.floor(video.duration / 2)
  video.currentTime = seekTo
  await until('playback past the seek point', () => video.currentTime > seekTo + 1 && !video.seeking)
  return { via, playedTo, seekTo, resumedAt: video.currentTime, progressAfterSeek: t.progress, rangeRequests }
}

// WebRTC throughput on loopback, one run: (1) raw node-datachannel data channel, Node to
// Node; (2) our wire over WebRTC, Node to Node (a whole torrent through our tracker);
// (3) Node to Chromium (the browser bundle downloading from a Node seed).
// Run inside the loopback namespace as root:
//   unshare -n sh -c 'ip link set lo up; node --import tsx bench/webrtc/throughput.ts [MiB]'
// HWM=<bytes> tries another data channel high-water mark for our side (default 1 MiB).
import { MemoryStorage } from '../../src/storage/memory.js'
import { loadNodeRTCPeerConnection } from '../../src/transport/webrtc/node.node.js'
import { hybridClient, memoryTorrent, randomBytesOf, seedFromMemory, startWsTracker, whenDone } from '../../test/webrtc/helpers.js'
import { launchBrowser, skipReason } from '../../test/browser/harness.js'
import { pageDownload } from '../../test/browser/page-scripts.js'

const MiB = 1024 * 1024
const size = Number(process.argv[2] ?? 64) * MiB

/** Raw node-datachannel (its RTCPeerConnection polyfill, nothing of ours): the same bytes in
 * 16 KiB messages, the size of BitTorrent blocks, with bufferedAmount backpressure. */
async function raw(): Promise<number> {
  const PC = await loadNodeRTCPeerConnection()
  const cfg = { iceServers: [], bindAddress: '127.0.0.1' } as RTCConfiguration
  const a = new PC(cfg), b = new PC(cfg)
  const gathered = (pc: RTCPeerConnection) => new Promise<void>((r) => {
    if (pc.iceGatheringState === 'complete') r()
    else pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') r() })
  })
  const ch = a.createDataChannel('raw')
  await a.setLocalDescription(await a.createOffer()); await gathered(a)
  await b.setRemoteDescription(a.localDescription!)
  await b.setLocalDescription(await b.createAnswer()); await gathered(b)
  await a.setRemoteDescription(b.localDescription!)
  const rx = await new Promise<RTCDataChannel>((r) => { b.ondatachannel = (e) => r(e.channel) })
  if (ch.readyState !== 'open') await new Promise((r) => { ch.onopen = r })
  const block = randomBytesOf(16 * 1024 + 13)
  let got = 0
  const t0 = performance.now()
  const done = new Promise<void>((resolve) => { rx.onmessage = (e: MessageEvent<ArrayBuffer>) => { got += e.data.byteLength; if (got >= size) resolve() } })
  ch.bufferedAmountLowThreshold = 512 * 1024
  let sent = 0
  const pump = () => { while (sent < size && ch.bufferedAmount < 1024 * 1024) { ch.send(block as Uint8Array<ArrayBuffer>); sent += block.length } }
  ch.onbufferedamountlow = pump
  pump()
  await done
  const s = (performance.now() - t0) / 1000
  ch.close(); a.close(); b.close()
  return size / MiB / s
}

async function ours(): Promise<number> {
  const tracker = await startWsTracker()
  const hwm = Number(process.env.HWM ?? 0) || undefined
  const sig = hwm ? { webrtc: { extraConfig: { bindAddress: '127.0.0.1' }, highWaterMark: hwm } } : {}
  const seeder = hybridClient({ port: false }, sig), leecher = hybridClient({ port: false }, sig)
  const data = randomBytesOf(size)
  const { metainfo } = await memoryTorrent(data, [tracker.url], 'bench.bin', 256 * 1024)
  await seedFromMemory(seeder.client, metainfo, data)
  const t = await leecher.client.add(metainfo, { createStorage: (l) => new MemoryStorage(l), verify: false })
  let t0 = 0
  t.once('wire', () => { t0 = performance.now() })
  await whenDone(t, 300_000, seeder, leecher)
  const s = (performance.now() - t0) / 1000
  await Promise.all([seeder.client.destroy(), leecher.client.destroy()])
  await tracker.close()
  return size / MiB / s
}

async function chromium(): Promise<number | string> {
  if (skipReason) return skipReason
  const tracker = await startWsTracker()
  const seeder = hybridClient({ port: false })
  const browser = await launchBrowser()
  try {
    const bsize = Math.min(size, 64 * MiB)
    const data = randomBytesOf(bsize)
    const { metainfo, torrent } = await memoryTorrent(data, [tracker.url], 'bench.bin', 256 * 1024)
    await seedFromMemory(seeder.client, metainfo, data)
    const page = await browser.page()
    const t0 = performance.now()
    await page.evaluate(pageDownload, { torrent: [...torrent], timeoutMs: 300_000 })
    return bsize / MiB / ((performance.now() - t0) / 1000) // includes connection setup and the final hash
  } finally {
    await seeder.client.destroy()
    await browser.close()
    await tracker.close()
  }
}

const rawRate = await raw()
const oursRate = await ours()
const browserRate = await chromium()
console.log(JSON.stringify({
  MiB: size / MiB,
  raw_node_datachannel_MiBps: +rawRate.toFixed(1),
  ours_node_to_node_MiBps: +oursRate.toFixed(1),
  ratio: +(oursRate / rawRate).toFixed(2),
  node_to_chromium_MiBps: typeof browserRate === 'number' ? +browserRate.toFixed(1) : browserRate,
}))

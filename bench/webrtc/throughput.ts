// WebRTC throughput on loopback, one run: (1) raw node-datachannel data channel, Node to
// Node; (2) our wire over WebRTC, Node to Node (a whole torrent through our tracker);
// (3) Node to Chromium (the browser bundle downloading from a Node seed).
// Run inside the loopback namespace as root:
//   unshare -n sh -c 'ip link set lo up; node --import tsx bench/webrtc/throughput.ts [MiB]'
import { MemoryStorage } from '../../src/storage/memory.js'
import { RtcPeer, type ChannelDuplex } from '../../src/transport/webrtc/index.js'
import { nodeWebRtc } from '../../src/transport/webrtc/node.node.js'
import { hybridClient, LOOPBACK_RTC, memoryTorrent, randomBytesOf, seedFromMemory, startWsTracker, whenDone } from '../../test/webrtc/helpers.js'
import { launchBrowser, skipReason } from '../../test/browser/harness.js'
import { pageDownload } from '../../test/browser/page-scripts.js'

const MiB = 1024 * 1024
const size = Number(process.argv[2] ?? 64) * MiB

/** Raw data channel: the same bytes in 16 KiB messages (the size of BitTorrent blocks), with
 * the same backpressure (bufferedAmount high-water mark, bufferedamountlow). */
async function raw(): Promise<number> {
  const rtc = nodeWebRtc(LOOPBACK_RTC)
  const { peer: a, sdp: offer } = await RtcPeer.offer(rtc)
  const { peer: b, sdp: answer } = await RtcPeer.answer(offer, rtc)
  const open = (p: RtcPeer) => new Promise<ChannelDuplex>((resolve) => p.once('connect', resolve))
  const [da, db] = await Promise.all([open(a), open(b), a.accept(answer)])
  const block = randomBytesOf(16 * 1024 + 13)
  let got = 0
  const t0 = performance.now()
  const done = new Promise<void>((resolve) => db.on('data', (c) => { got += c.length; if (got >= size) resolve() }))
  let sent = 0
  const pump = () => { while (sent < size) { sent += block.length; if (!da.write(block)) return } }
  da.on('drain', pump)
  pump()
  await done
  const s = (performance.now() - t0) / 1000
  da.destroy(); db.destroy()
  return size / MiB / s
}

async function ours(): Promise<number> {
  const tracker = await startWsTracker()
  const seeder = hybridClient({ port: false }), leecher = hybridClient({ port: false })
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

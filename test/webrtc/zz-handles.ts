import { MemoryStorage } from '../../src/storage/memory.js'
import { hybridClient, memoryTorrent, randomBytesOf, seedFromMemory, startWsTracker, whenDone } from './helpers.js'
const tracker = await startWsTracker()
import { RTCPeerConnection as PC } from 'node-datachannel/polyfill'
const live = new Set<string>()
let n = 0
class Tracked extends PC {
  id = `pc${n++}`
  constructor(c?: RTCConfiguration) { super(c as never); live.add(this.id); console.log('new', this.id, new Error().stack?.split('\n')[3]) }
  override close() { live.delete(this.id); super.close() }
}
const webrtc = { extraConfig: { bindAddress: '127.0.0.1' }, RTCPeerConnection: Tracked as never }
const seeder = hybridClient({ trackers: true, port: false }, { webrtc })
const leecher = hybridClient({ trackers: true, port: false }, { webrtc })
const data = randomBytesOf(256 * 1024)
const { metainfo } = await memoryTorrent(data, [tracker.url])
await seedFromMemory(seeder.client, metainfo, data)
const leech = await leecher.client.add(metainfo, { createStorage: (layout) => new MemoryStorage(layout) })
await whenDone(leech, 45_000)
await Promise.all([seeder.client.destroy(), leecher.client.destroy()])
await tracker.close()
console.log('destroyed', [...live])
setTimeout(() => {
  const p = process as unknown as { _getActiveHandles(): unknown[]; _getActiveRequests(): unknown[] }
  console.log(p._getActiveHandles().map((h) => (h as object).constructor.name), p._getActiveRequests().length)
}, 2000).unref()

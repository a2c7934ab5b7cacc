import { MemoryStorage } from '../../src/storage/memory.js'
import { hybridClient, memoryTorrent, randomBytesOf, seedFromMemory, startWsTracker, whenDone } from './helpers.js'
const tracker = await startWsTracker()
const seeder = hybridClient({ trackers: true, port: false })
const leecher = hybridClient({ trackers: true, port: false })
const data = randomBytesOf(1024 * 1024)
const { metainfo } = await memoryTorrent(data, [tracker.url])
const seed = await seedFromMemory(seeder.client, metainfo, data)
const leech = await leecher.client.add(metainfo, { createStorage: (layout) => new MemoryStorage(layout) })
await whenDone(leech, 45_000)
console.log('seed destroyed?', seed.destroyed, seeder.client.torrents.size)
await Promise.all([seeder.client.destroy(), leecher.client.destroy()])
console.log('after', seed.destroyed, seeder.signaling.sessions.size, seeder.signaling.socketCount, leecher.signaling.sessions.size)
await tracker.close()

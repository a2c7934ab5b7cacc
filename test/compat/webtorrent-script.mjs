// A script written for the `webtorrent` package, as its README teaches: seed a file with a
// flat announce list, add its magnet link with a callback, listen for 'done', read the file
// with createReadStream. test/compat/webtorrent-compat.test.ts runs this very file twice:
// with webtorrent, and with `webtorrent` resolved to swarmstream (as-swarmstream.mjs).
//   node webtorrent-script.mjs <file to seed> <download folder> <tracker announce URL>
import { createHash } from 'node:crypto'
import WebTorrent from 'webtorrent'

const [file, out, tracker] = process.argv.slice(2)
const opts = { dht: false, lsd: false, utPex: false, natUpnp: false, natPmp: false, webSeeds: false, utp: false }
const seeder = new WebTorrent(opts)
const leecher = new WebTorrent(opts)
const fail = (err) => { console.error(err); process.exit(1) }
seeder.on('error', fail)
leecher.on('error', fail)
setTimeout(() => fail(new Error('not done in 60 s')), 60_000).unref()

const result = {}
seeder.seed(file, { announce: [tracker] }, (seeded) => {
  result.infoHashIsHex = /^[0-9a-f]{40}$/.test(seeded.infoHash)
  result.seederTorrents = seeder.torrents.length
  result.magnetHasTracker = seeded.magnetURI.includes(encodeURIComponent(tracker))
  leecher.add(seeded.magnetURI, { path: out }, (torrent) => {
    result.sameInfoHash = torrent.infoHash === seeded.infoHash
    result.files = torrent.files.map((f) => [f.name, f.length])
    result.path = torrent.path === out
    torrent.on('done', async () => {
      result.progress = torrent.progress
      result.downloaded = torrent.downloaded === torrent.length
      result.received = torrent.received > 0
      result.timeRemaining = torrent.timeRemaining
      result.wiresIsArray = Array.isArray(torrent.wires)
      result.leecherTorrents = leecher.torrents.length
      result.got = (await leecher.get(seeded.magnetURI)) === torrent
      const hash = createHash('sha256')
      torrent.files[0].createReadStream()
        .on('data', (chunk) => hash.update(chunk))
        .on('error', fail)
        .on('end', () => {
          result.sha256 = hash.digest('hex')
          seeder.destroy(() => leecher.destroy(() => {
            console.log(JSON.stringify(result))
            process.exit(0)
          }))
        })
    })
  })
})

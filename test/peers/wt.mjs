#!/usr/bin/env node
// wt.mjs — WebTorrent (npm webtorrent 3.x, Node) seeder / leecher / streamer for loopback tests.
//
//   node wt.mjs seed   TORRENT DATA_DIR --port 6881          # verifies data, prints READY, seeds until killed
//   node wt.mjs leech  TORRENT OUT_DIR  --port 6882 [--timeout 300]   # exits 0 when done, prints JSON
//   (leech --linger: keep seeding after completion until killed; used by swarm.sh)
//   node wt.mjs stream TORRENT OUT_DIR  --port 6882 --http 8001        # leech + webtorrent HTTP server (Range)
//
// Network lockdown (constructor options of `new WebTorrent`):
//   dht: false                 no DHT (the default bootstraps from public nodes)
//   lsd: false                 no BEP14 local service discovery multicast (239.192.152.143:6771)
//   natUpnp: false, natPmp: false   no SSDP multicast / NAT-PMP to the default gateway
//   utPex: false               no ut_pex extension
//   tracker: {}                trackers allowed, but the only announce URL is the one in the .torrent
//                              (ours on 127.0.0.1); we also pass announce: [] and never set
//                              globalThis.WEBTORRENT_ANNOUNCE (which would add public wss:// trackers)
//   webSeeds: false            ignore url-list web seeds
// NOTE: webtorrent-cli exposes NONE of these switches (it always enables DHT/LSD/UPnP/NAT-PMP/PEX);
//       scripts/webtorrent-cli-local.sh patches a copy of its cmd.js instead.
// NOTE: webtorrent's TCP listener binds all interfaces (no hostname option) -> run inside the netns.
// Knobs: --enc enables MSE/PE (secure: 1, the webtorrent default); default here is plaintext.
//        --secure N sets it explicitly: 0 plaintext, 1 PE preferred, 2 PE with RC4 only.
//        --utp enables uTP (webtorrent then tries uTP FIRST for IPv4 and falls back to TCP;
//        default here is TCP only, for clean comparisons).
import fs from 'node:fs'
// webtorrent comes from this project's devDependencies,
// and the result line also reports peak RSS.
const { default: WebTorrent } = await import('webtorrent')

const T0 = performance.now()
const args = process.argv.slice(2)
const [mode, torrentPath, dir] = args
const opt = (name, def) => { const i = args.indexOf('--' + name); return i >= 0 ? args[i + 1] : def }
const flag = name => args.includes('--' + name)
const port = Number(opt('port', 6881))
const timeout = Number(opt('timeout', 600)) * 1000
const quiet = flag('quiet')
const log = (...x) => { if (!quiet) console.error(`[wt ${mode} ${((performance.now() - T0) / 1000).toFixed(2)}s]`, ...x) }

const client = new WebTorrent({
  dht: false, lsd: false, natUpnp: false, natPmp: false, utPex: false,
  tracker: {}, webSeeds: false,
  utp: flag('utp'),
  // secure: protocol encryption (MSE/PE). webtorrent 3 DEFAULT is 1 = "PE with plaintext fallback", but in
  // practice an outgoing PE handshake that the remote drops (libtorrent with pe_disabled) is just retried with
  // PE again -> never connects. 0 = plain BitTorrent handshake (what we benchmark). --enc sets 1.
  secure: Number(opt('secure', flag('enc') ? 1 : 0)),
  torrentPort: port
})
client.on('error', e => { console.error('client error', e); process.exit(3) })

const torrent = client.add(torrentPath.startsWith('magnet:') ? torrentPath : fs.readFileSync(torrentPath), { path: dir, announce: [] })
torrent.on('warning', w => log('warning', w.message || w))
// --peer PORT: dial 127.0.0.1:PORT directly (no tracker round trip)
if (opt('peer')) torrent.on('infoHash', () => torrent.addPeer('127.0.0.1:' + opt('peer')))
torrent.on('error', e => { console.error('torrent error', e); process.exit(3) })
torrent.on('wire', (w, addr) => log('wire', addr))
let tFirst = null
torrent.on('download', () => { if (tFirst === null) tFirst = performance.now() })

const timer = setTimeout(() => { console.log('TIMEOUT', JSON.stringify({ progress: torrent.progress })); process.exit(2) }, timeout)

if (mode === 'seed') {
  clearTimeout(timer)
  torrent.on('done', () => {
    log('seeding; verified in', ((performance.now() - T0) / 1000).toFixed(2), 's'); console.log('READY')
    // --announce-every N: re-announce so we learn (and dial) peers that cannot dial us, e.g. Transmission,
    // which never connects out to 127.x addresses.
    const every = Number(opt('announce-every', 0))
    if (every > 0) setInterval(() => torrent.discovery?.tracker?.update(), every * 1000)
  })
} else {
  if (mode === 'stream') {
    const httpPort = Number(opt('http', 8001))
    const inst = client.createServer({}, 'node')        // same server webtorrent-cli uses
    inst.server.listen(httpPort, '127.0.0.1', () => log('http server on 127.0.0.1:' + httpPort))
    torrent.on('ready', () => {
      const f = torrent.files[0]
      console.log('STREAM_URL http://127.0.0.1:' + httpPort + f.streamURL)
    })
  }
  torrent.on('done', () => {
    const t = (performance.now() - T0) / 1000
    const ru = process.resourceUsage()
    console.log(JSON.stringify({
      client: 'webtorrent-' + WebTorrent.VERSION, wall_s: +t.toFixed(3),
      first_payload_s: tFirst ? +((tFirst - T0) / 1000).toFixed(3) : null,
      bytes: torrent.length, MBps: +(torrent.length / 1e6 / t).toFixed(1),
      peers_seen: torrent.numPeers, cpu_s: +((ru.userCPUTime + ru.systemCPUTime) / 1e6).toFixed(2),
      peak_rss_mb: +(ru.maxRSS / 1024).toFixed(1)
    }))
    if ((mode === 'leech' && !flag('linger')) || flag('exit-when-done')) { clearTimeout(timer); client.destroy(() => process.exit(0)); setTimeout(() => process.exit(0), 3000).unref() }
  })
}
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => { client.destroy(() => process.exit(0)); setTimeout(() => process.exit(0), 2000).unref() })

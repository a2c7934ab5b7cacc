#!/usr/bin/env node
// tracker-wt.mjs — the `webtorrent` npm client (v3, Node; WebRTC through node-datachannel) as a
// WebSocket-tracker peer for the tracker tests.
//
//   node tracker-wt.mjs seed  FILE WS_URL OUT_TORRENT   # writes the .torrent, prints READY, seeds until killed
//   node tracker-wt.mjs leech TORRENT DIR [TIMEOUT_S]   # exits 0 when complete, prints a JSON line
//
// Lockdown: dht, lsd, natUpnp, natPmp, utPex, webSeeds off; uTP off; the only tracker is the
// WebSocket URL given (ours on 127.0.0.1). WebRTC: no STUN/TURN servers (simple-peer's defaults
// are public ones) and bindAddress 127.0.0.1, because libjuice skips loopback interfaces when
// gathering candidates and the test namespace has nothing else: without it no candidate exists.
import fs from 'node:fs'
import WebTorrent from 'webtorrent'

const [mode, a1, a2, a3] = process.argv.slice(2)
const rtcConfig = { iceServers: [], bindAddress: '127.0.0.1' }
const client = new WebTorrent({
  dht: false, lsd: false, natUpnp: false, natPmp: false, utPex: false, webSeeds: false, utp: false,
  tracker: { rtcConfig }, torrentPort: 0, secure: 0,
})
client.on('error', (e) => { console.error('client error', e.message); process.exit(3) })
const quit = (code) => { client.destroy(() => process.exit(code)); setTimeout(() => process.exit(code), 2000).unref() }
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => quit(0))

if (mode === 'seed') {
  client.seed(a1, { announce: [a2] }, (torrent) => {
    fs.writeFileSync(a3, torrent.torrentFile)
    torrent.on('wire', (_w, addr) => console.error('wire', addr))
    console.log('READY', torrent.infoHash)
  })
} else {
  const timeout = Number(a3 ?? 60) * 1000
  const timer = setTimeout(() => { console.log('TIMEOUT'); quit(2) }, timeout)
  const t0 = performance.now()
  const torrent = client.add(fs.readFileSync(a1), { path: a2 })
  torrent.on('warning', (w) => console.error('warning', w.message ?? w))
  torrent.on('wire', (_w, addr) => console.error('wire', addr))
  torrent.on('done', () => {
    clearTimeout(timer)
    console.log(JSON.stringify({ client: 'webtorrent-' + WebTorrent.VERSION, wall_s: +((performance.now() - t0) / 1000).toFixed(3), bytes: torrent.length, peers: torrent.numPeers }))
    quit(0)
  })
}

// Child process: WebSocket tracker peers.
//   load-ws.mjs hold PORT COUNT SEED     open COUNT sockets, announce once each (no offers), report
//                                        'ready', keep them until told to 'close' over IPC
//   load-ws.mjs relay PORT SAMPLES SEED [SENDER_PORT]
//                                        one offerer + 10 answerers in a fresh swarm; measures the
//                                        time from sending an announce with 1 offer to its arrival
//                                        (the offerer on SENDER_PORT: another instance of a cluster)
import WebSocket from 'ws'
const [mode, portS, countS, seedS, senderPortS] = process.argv.slice(2)
const port = Number(portS), count = Number(countS), seed = Number(seedS)
const url = `ws://127.0.0.1:${port}`
const bin = (s) => s.padEnd(20, '.').slice(0, 20)
const open = (to = url) => new Promise((resolve, reject) => {
  const ws = new WebSocket(to, { perMessageDeflate: false })
  ws.once('open', () => resolve(ws)); ws.once('error', reject)
})
const announce = (ws, infoHash, peerId, extra = {}) => ws.send(JSON.stringify({
  action: 'announce', info_hash: infoHash, peer_id: peerId, uploaded: 0, downloaded: 0, left: 100, numwant: 0, event: 'started', ...extra,
}))

if (mode === 'hold') {
  const sockets = []
  let answered = 0
  const BATCH = 100
  for (let i = 0; i < count; i += BATCH) {
    const batch = await Promise.all(Array.from({ length: Math.min(BATCH, count - i) }, () => open()))
    for (const [k, ws] of batch.entries()) {
      const n = i + k
      ws.on('message', () => { answered++ })
      announce(ws, bin(`bench-ws-${n % 100}`), bin(`-WS${seed}-${n}`))
      sockets.push(ws)
    }
  }
  const end = Date.now() + 30_000
  while (answered < count && Date.now() < end) await new Promise((r) => setTimeout(r, 50))
  process.send({ ready: sockets.length, answered })
  process.on('message', (m) => {
    if (m !== 'close') return
    for (const ws of sockets) ws.terminate()
    setTimeout(() => process.exit(0), 200)
  })
} else {
  const infoHash = bin(`bench-relay-${seed}`)
  const receivers = await Promise.all(Array.from({ length: 10 }, () => open()))
  let pending = null
  for (const [i, ws] of receivers.entries()) {
    ws.on('message', (d) => { const m = JSON.parse(d); if (m.offer && pending) { const p = pending; pending = null; p(performance.now()) } })
    announce(ws, infoHash, bin(`-RX-${i}`))
  }
  const sender = await open(senderPortS ? `ws://127.0.0.1:${senderPortS}` : url)
  sender.on('message', () => {})
  await new Promise((r) => setTimeout(r, 300))
  const lat = []
  for (let i = 0; i < count; i++) {
    const got = new Promise((resolve) => { pending = resolve; setTimeout(() => resolve(null), 2000) })
    const t0 = performance.now()
    announce(sender, infoHash, bin('-TX-'), { event: undefined, numwant: 1, offers: [{ offer_id: bin(`o${i}`), offer: { type: 'offer', sdp: 'v=0\r\n' + 'a=x\r\n'.repeat(100) } }] })
    const t1 = await got
    if (t1 !== null) lat.push(t1 - t0)
  }
  lat.sort((a, b) => a - b)
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]
  process.send({ samples: lat.length, p50: q(0.5), p99: q(0.99) })
  for (const ws of [...receivers, sender]) ws.terminate()
  setTimeout(() => process.exit(0), 100)
}

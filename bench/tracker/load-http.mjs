// Child process: HTTP announce load over raw keep-alive TCP connections (cheap for the client,
// so the server is what saturates), each keeping DEPTH requests in flight (HTTP/1.1 pipelining).
// Usage: load-http.mjs PORT CONNS SECONDS SEED [DEPTH]
import net from 'node:net'
const [port, conns, seconds, seed, depthArg] = process.argv.slice(2).map(Number)
const depth = depthArg || 1
const TORRENTS = 200, PEERS = 500
const pct = (buf) => [...buf].map((b) => '%' + b.toString(16).padStart(2, '0')).join('')
const id = (kind, n) => { const b = Buffer.alloc(20); b.write(kind); b.writeUInt32BE(n, 16); return pct(b) }
let i = seed * 7919
function nextRequest() {
  i++
  const t = i % TORRENTS, p = (i * 31) % PEERS
  const path = `/announce?info_hash=${id('bench-torrent', t)}&peer_id=${id('-BN0001-' + seed, p)}&port=${6000 + p}&uploaded=0&downloaded=0&left=${p % 5 === 0 ? 0 : 1000}&compact=1&numwant=50${i % 50 === 0 ? '&event=started' : ''}`
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`
}
let done = 0, errors = 0, failures = 0
const end = Date.now() + seconds * 1000
function open() {
  const s = net.connect(port, '127.0.0.1')
  let buf = Buffer.alloc(0)
  let drained = 0
  s.setNoDelay(true)
  s.on('connect', () => { let r = ''; for (let k = 0; k < depth; k++) r += nextRequest(); s.write(r) })
  s.on('data', (d) => {
    buf = buf.length ? Buffer.concat([buf, d]) : d
    for (;;) {
      const h = buf.indexOf('\r\n\r\n')
      if (h < 0) return
      const head = buf.subarray(0, h).toString('latin1')
      const m = /content-length:\s*(\d+)/i.exec(head)
      const len = m ? Number(m[1]) : 0
      if (buf.length < h + 4 + len) return
      if (buf.subarray(h + 4, h + 4 + len).includes('failure reason')) failures++
      buf = buf.subarray(h + 4 + len)
      done++
      if (Date.now() < end) s.write(nextRequest())
      else if (++drained === depth) { s.destroy(); finish() }
    }
  })
  s.on('error', () => { errors++; finish() })
}
let open_ = conns
function finish() { if (--open_ === 0) { process.send({ done, errors, failures }); process.exit(0) } }
for (let c = 0; c < conns; c++) open()
setTimeout(() => { process.send({ done, errors, failures, timedOut: true }); process.exit(0) }, seconds * 1000 + 5000).unref()

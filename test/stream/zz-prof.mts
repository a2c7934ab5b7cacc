import { Client } from '../../src/client/index.node.js'
import { rmSync } from 'node:fs'
const sp = Number(process.argv[2]), hash = process.argv[3]
for (let k = 0; k < 2; k++) {
rmSync('/tmp/prof-out', { recursive: true, force: true })
const t0 = performance.now()
const log = (m: string) => console.log((performance.now() - t0).toFixed(0), m)
const c = new Client({ port: 0, host: '127.0.0.1', trackers: false })
const pc = c.platform.connect!
c.platform.connect = async (a, s) => { log('dial'); const r = await pc(a, s); log('connected'); return r }
await c.ready(); log('client ready')
const t = await c.add(`magnet:?xt=urn:btih:${hash}&x.pe=127.0.0.1:${sp}`, { path: '/tmp/prof-out', sequential: true })
log('added')
t.on('wire', (w) => { log('wire'); w.on('extended-handshake', () => log('ext hs')) }); t.on('metadata', () => log('metadata')); t.on('ready', () => log('ready'))
let n = 0; t.on('piece', (i) => { if (n++ < 2) log(`piece ${i}`) })
await new Promise((r) => t.once('piece', r))
await c.destroy()
}

// A stand-in for VLC in tests: fetches the URL it is given (as a player would) into a file.
// Usage: node fake-player.mjs <out-file> <url>
import { get } from 'node:http'
import { createWriteStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'

const [out, url] = process.argv.slice(2)
const res = await new Promise((resolve, reject) => get(url, resolve).on('error', reject).setTimeout(30_000, function () { this.destroy(new Error('timeout')) }))
if (res.statusCode !== 200) { console.error(`fake player: HTTP ${res.statusCode}`); process.exit(1) }
await pipeline(res, createWriteStream(out))

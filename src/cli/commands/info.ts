import type { Command } from 'commander'
import { formatMagnet, parseInfoHash, parseMagnet } from '../../metainfo/index.js'
import { parseTorrentId } from '../../client/torrent-id.js'
import { readTorrentFile } from '../../client/node-platform.node.js'
import { toHex } from '../../util/bytes.js'
import { formatBytes } from '../progress.js'

export function registerInfo(program: Command, setCode: (code: number) => void): void {
  program.command('info')
    .summary('show what a .torrent or magnet link holds')
    .description('Print a torrent\'s name, info hash, size, pieces, trackers and files (a magnet link: what it names).')
    .argument('<torrent>', '.torrent file, magnet link or info hash')
    .option('--json', 'as one JSON object')
    .action(async (id: string, o: { json?: boolean }) => setCode(await infoCommand(id, o)))
}

async function infoCommand(id: string, o: { json?: boolean }): Promise<number> {
  const out = process.stdout
  if (id.startsWith('magnet:') || parseInfoHash(id)) {
    const m = id.startsWith('magnet:') ? parseMagnet(id) : { infoHash: parseInfoHash(id)!, trackers: [], webSeeds: [], peers: [] }
    if (o.json) out.write(JSON.stringify({ ...m, infoHash: toHex(m.infoHash) }) + '\n')
    else {
      out.write(`info hash: ${toHex(m.infoHash)}\n`)
      if ('name' in m && m.name) out.write(`name:      ${m.name}\n`)
      for (const t of m.trackers) out.write(`tracker:   ${t}\n`)
      for (const w of m.webSeeds) out.write(`web seed:  ${w}\n`)
      for (const p of m.peers) out.write(`peer:      ${p.host}:${p.port}\n`)
      out.write('(metadata comes from peers: swarmstream downloadmeta saves it as a .torrent)\n')
    }
    return 0
  }
  // the same reading as download's: folders, missing files and URLs get errors that say so
  const m = (await parseTorrentId(id, { readTorrentFile })).metainfo!
  const magnet = formatMagnet({ infoHash: m.infoHash, name: m.name, trackers: m.announce.flat() })
  if (o.json) {
    out.write(JSON.stringify({
      infoHash: m.infoHashHex, name: m.name, length: m.length, pieceLength: m.pieceLength, pieces: m.pieceCount,
      private: m.private, announce: m.announce, urlList: m.urlList, comment: m.comment, createdBy: m.createdBy,
      creationDate: m.creationDate, files: m.files.map((f) => ({ path: f.pathString, length: f.length, padding: f.padding })), magnet,
    }) + '\n')
    return 0
  }
  out.write(`name:       ${m.name}\n`)
  out.write(`info hash:  ${m.infoHashHex}\n`)
  out.write(`size:       ${formatBytes(m.length)} (${m.length} bytes)\n`)
  out.write(`pieces:     ${m.pieceCount} × ${formatBytes(m.pieceLength)}\n`)
  if (m.private) out.write('private:    yes (BEP 27: trackers only)\n')
  if (m.comment) out.write(`comment:    ${m.comment}\n`)
  if (m.createdBy) out.write(`created by: ${m.createdBy}\n`)
  m.announce.forEach((tier, i) => out.write(`tier ${i}:     ${tier.join(' ')}\n`))
  for (const u of m.urlList) out.write(`web seed:   ${u}\n`)
  out.write(`files (${m.files.length}):\n`)
  m.files.forEach((f, i) => out.write(`  ${String(i).padStart(3)}  ${formatBytes(f.length).padStart(10)}  ${f.pathString}${f.padding ? ' (padding)' : ''}\n`))
  out.write(`magnet:     ${magnet}\n`)
  return 0
}

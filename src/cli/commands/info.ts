import { readFile } from 'node:fs/promises'
import { formatMagnet, parseInfoHash, parseMagnet, parseTorrent } from '../../metainfo/index.js'
import { toHex } from '../../util/bytes.js'
import { parse, UsageError } from '../args.js'
import { formatBytes } from '../progress.js'

export const infoUsage = 'swarmstream info <file.torrent|magnet|infohash> [--json]'

export async function infoCommand(argv: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' } })
  const id = positionals[0]
  if (!id || positionals.length > 1) throw new UsageError(infoUsage)
  if (id.startsWith('magnet:') || parseInfoHash(id)) {
    const m = id.startsWith('magnet:') ? parseMagnet(id) : { infoHash: parseInfoHash(id)!, trackers: [], webSeeds: [], peers: [] }
    if (values.json) out.write(JSON.stringify({ ...m, infoHash: toHex(m.infoHash) }) + '\n')
    else {
      out.write(`info hash: ${toHex(m.infoHash)}\n`)
      if ('name' in m && m.name) out.write(`name:      ${m.name}\n`)
      for (const t of m.trackers) out.write(`tracker:   ${t}\n`)
      for (const w of m.webSeeds) out.write(`web seed:  ${w}\n`)
      for (const p of m.peers) out.write(`peer:      ${p.host}:${p.port}\n`)
      out.write('(metadata comes from peers once the download starts)\n')
    }
    return 0
  }
  const m = parseTorrent(new Uint8Array(await readFile(id)))
  const magnet = formatMagnet({ infoHash: m.infoHash, name: m.name, trackers: m.announce.flat() })
  if (values.json) {
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

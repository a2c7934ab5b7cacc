/** A .torrent file (BEP 3) for metainfo we hold: the info dictionary byte for byte as it
 * came (its SHA-1 is the info hash), wrapped with the trackers (BEP 12) and web seeds (BEP 19). */
import { encode } from '../bencode/index.js'
import type { Metainfo } from './types.js'

const utf8 = new TextEncoder()

export function encodeTorrentFile(m: Metainfo): Uint8Array {
  // keys in byte order (BEP 3): announce, announce-list, comment, created by, creation date, info, url-list
  const before: [string, Parameters<typeof encode>[0] | undefined][] = [
    ['announce', m.announce[0]?.[0]],
    ['announce-list', m.announce.length > 1 || (m.announce[0]?.length ?? 0) > 1 ? m.announce : undefined],
    ['comment', m.comment],
    ['created by', m.createdBy],
    ['creation date', m.creationDate],
  ]
  const parts: Uint8Array[] = [utf8.encode('d')]
  for (const [key, value] of before) if (value !== undefined) parts.push(encode(key), encode(value))
  parts.push(encode('info'), m.infoBytes)
  if (m.urlList.length > 0) parts.push(encode('url-list'), encode(m.urlList))
  parts.push(utf8.encode('e'))
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.length }
  return out
}

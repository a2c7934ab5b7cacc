import type { Metainfo } from '../metainfo/index.js'
import type { Storage, StorageLayout } from '../storage/types.js'
import { verifyStorage } from '../storage/verify.js'
import { Bitfield } from '../util/bitfield.js'
import type { TorrentContext } from './context.js'

export interface OpenedStorage {
  storage: Storage
  /** pieces already there: all of them when seeding fresh data, else what verification found */
  have: Bitfield | 'all'
}

/** Opens a torrent's storage and finds out what it already holds. Data just hashed into a
 * new torrent is trusted; anything else is verified piece by piece, so a restarted download
 * resumes where it stopped and a seeder never serves bytes that do not match. */
export async function openStorage(ctx: TorrentContext, metainfo: Metainfo, opts: {
  path: string
  seeding?: boolean | undefined
  verify?: boolean | undefined
  createStorage?: ((layout: StorageLayout) => Storage) | undefined
  /** the files the user wants (the others are not created) */
  selected: (fileIndex: number) => boolean
  signal: AbortSignal
}): Promise<OpenedStorage> {
  const layout: StorageLayout = { pieceLength: metainfo.pieceLength, length: metainfo.length, files: metainfo.files }
  const storage = opts.createStorage?.(layout) ?? ctx.createStorage(layout, opts.path, metainfo.infoHashHex)
  await storage.setSelection?.(opts.selected)
  if (opts.seeding) return { storage, have: 'all' }
  if (opts.verify === false) return { storage, have: new Bitfield(metainfo.pieceCount) }
  const have = await verifyStorage(storage, { ...layout, pieceHashes: metainfo.pieceHashes }, ctx.hasher, { signal: opts.signal })
  // Empty files hold no piece, so no write would ever create them.
  await (storage as Storage & { ensureEmptyFiles?(): Promise<void> }).ensureEmptyFiles?.()
  return { storage, have }
}

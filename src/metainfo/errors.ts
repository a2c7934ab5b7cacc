/** Anything wrong with a .torrent file, an info dictionary, a magnet link or torrent
 * creation input. Parsers throw only this, so callers can drop one bad input cleanly. */
export class MetainfoError extends Error {
  override name = 'MetainfoError'
}

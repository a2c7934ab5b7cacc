/** Counters a DHT keeps about what it received, for diagnostics and tests. */
export interface DhtStats {
  received: number
  /** over the size limit, dropped unread */
  oversized: number
  /** not KRPC: bad bencode or missing fields */
  malformed: number
  /** responses with no outstanding query of that id from that address */
  unmatched: number
  /** queries dropped by the per-IP limit */
  rateLimited: number
  queriesAnswered: number
  /** announce_peer refused (bad token, bad arguments) */
  announcesRefused: number
  announcesStored: number
}

export const emptyStats = (): DhtStats => ({
  received: 0, oversized: 0, malformed: 0, unmatched: 0, rateLimited: 0, queriesAnswered: 0, announcesRefused: 0, announcesStored: 0,
})

/** Tracker tiers (BEP 12) as callers give them: one URL, a flat list (each URL a tier of its
 * own, as WebTorrent and create-torrent read it), or tiers. Empty and repeated URLs go. */
export type AnnounceList = string | readonly (string | readonly string[])[]

export function toTiers(announce: AnnounceList | undefined): string[][] {
  if (announce === undefined) return []
  const list = typeof announce === 'string' ? [announce] : announce
  return uniqueTiers(list.map((t) => typeof t === 'string' ? [t] : [...t]))
}

export function uniqueTiers(tiers: readonly (readonly string[])[]): string[][] {
  const seen = new Set<string>()
  const out: string[][] = []
  for (const tier of tiers) {
    if (!Array.isArray(tier)) throw new TypeError('announce: want a URL, a list of URLs, or a list of tiers (lists of URLs)')
    const urls = tier.filter((u) => typeof u === 'string' && u !== '' && !seen.has(u))
    for (const u of urls) seen.add(u)
    if (urls.length > 0) out.push(urls)
  }
  return out
}

/** HTTP Range requests (RFC 9110 §14): one byte range per request. */

export type RangeResult =
  /** no Range header, another unit, or several ranges (answered with the whole file: 200) */
  | { kind: 'whole' }
  | { kind: 'partial'; start: number; end: number }
  /** malformed or unsatisfiable bytes range: 416 with `Content-Range: bytes *\/size` */
  | { kind: 'unsatisfiable' }

export function parseRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined) return { kind: 'whole' }
  const m = /^\s*bytes\s*=\s*(.*)$/i.exec(header)
  if (!m) return { kind: 'whole' } // other units are ignored (§14.2)
  const specs = m[1]!.split(',').map((s) => s.trim()).filter((s) => s.length > 0)
  if (specs.length !== 1) return specs.length === 0 ? { kind: 'unsatisfiable' } : { kind: 'whole' }
  const spec = /^(\d*)-(\d*)$/.exec(specs[0]!)
  if (!spec || (spec[1] === '' && spec[2] === '')) return { kind: 'unsatisfiable' }
  if (spec[1] === '') {
    // suffix range: the last n bytes
    const n = Number(spec[2])
    if (!(n > 0) || size === 0) return { kind: 'unsatisfiable' }
    return { kind: 'partial', start: Math.max(0, size - n), end: size - 1 }
  }
  const start = Number(spec[1])
  const end = spec[2] === '' ? size - 1 : Math.min(Number(spec[2]), size - 1)
  if (!Number.isSafeInteger(start) || start >= size || end < start) return { kind: 'unsatisfiable' }
  return { kind: 'partial', start, end }
}

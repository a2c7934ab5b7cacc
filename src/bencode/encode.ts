import type { BValue } from './types.js'

/** Values accepted by the encoder: decoded values plus the conveniences of plain strings
 * (UTF-8 encoded), booleans-free plain objects and undefined entries (skipped). */
export type Encodable =
  | number
  | string
  | Uint8Array
  | readonly Encodable[]
  | ReadonlyMap<string, Encodable | undefined>
  | { readonly [key: string]: Encodable | undefined }

const utf8 = new TextEncoder()

/** Encodes canonically: dictionary keys sorted as raw bytes (BEP 3). Map keys are binary
 * strings (as the decoder produces); plain-object keys are UTF-8 text. */
export function encode(value: Encodable | BValue): Uint8Array {
  const parts: Uint8Array[] = []
  let size = 0
  const push = (b: Uint8Array) => { parts.push(b); size += b.length }
  const ascii = (s: string) => push(utf8.encode(s))
  write(value)

  function write(v: Encodable | BValue): void {
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new TypeError(`bencode integers must be safe integers, got ${v}`)
      ascii(`i${v}e`)
    } else if (typeof v === 'string') {
      const b = utf8.encode(v)
      ascii(`${b.length}:`); push(b)
    } else if (v instanceof Uint8Array) {
      ascii(`${v.length}:`); push(v)
    } else if (Array.isArray(v)) {
      ascii('l'); for (const item of v as readonly Encodable[]) write(item); ascii('e')
    } else if (v instanceof Map) {
      const entries = [...(v as ReadonlyMap<string, Encodable | undefined>)]
        .filter((e): e is [string, Encodable] => e[1] !== undefined)
        .map(([k, val]) => [binaryBytes(k), val] as const)
      writeDict(entries)
    } else {
      const entries = Object.entries(v as { [key: string]: Encodable | undefined })
        .filter((e): e is [string, Encodable] => e[1] !== undefined)
        .map(([k, val]) => [utf8.encode(k), val] as const)
      writeDict(entries)
    }
  }

  function writeDict(entries: (readonly [Uint8Array, Encodable])[]): void {
    entries.sort((a, b) => compareBytes(a[0], b[0]))
    ascii('d')
    for (const [k, val] of entries) { ascii(`${k.length}:`); push(k); write(val) }
    ascii('e')
  }

  const out = new Uint8Array(size)
  let off = 0
  for (const p of parts) { out.set(p, off); off += p.length }
  return out
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

/** Inverse of binaryString: one byte per char. */
export function binaryBytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff
  return b
}

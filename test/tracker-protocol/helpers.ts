/** Deterministic randomness and ids for the codec tests: failures repeat. */
export function prng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function randomBytes(rand: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n)
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256)
  return b
}

/** A 20-byte binary string with every kind of byte over the runs: NUL, %, &, =, +, high bytes. */
export function randomId(rand: () => number): string {
  let s = ''
  for (let i = 0; i < 20; i++) s += String.fromCharCode(Math.floor(rand() * 256))
  return s
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
export const latin1 = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'))

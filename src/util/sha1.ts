/** SHA-1 (FIPS 180-4) in plain TypeScript, synchronous, for small inputs such as the info
 * dictionary whose hash names a torrent. Bulk piece hashing uses the platform's native
 * hasher (see Hasher in ./hasher.ts). */
export function sha1(data: Uint8Array): Uint8Array {
  const ml = data.length
  const withPad = ((ml + 8) >>> 6) + 1 << 6
  const buf = new Uint8Array(withPad)
  buf.set(data)
  buf[ml] = 0x80
  const view = new DataView(buf.buffer)
  view.setUint32(withPad - 8, Math.floor(ml / 0x20000000), false)
  view.setUint32(withPad - 4, (ml * 8) >>> 0, false)
  let h0 = 0x67452301, h1 = 0xefcdab89, h2 = 0x98badcfe, h3 = 0x10325476, h4 = 0xc3d2e1f0
  const w = new Uint32Array(80)
  for (let off = 0; off < withPad; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + i * 4, false)
    for (let i = 16; i < 80; i++) {
      const x = w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!
      w[i] = (x << 1) | (x >>> 31)
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4
    for (let i = 0; i < 80; i++) {
      let f: number, k: number
      if (i < 20) { f = (b & c) | (~b & d); k = 0x5a827999 }
      else if (i < 40) { f = b ^ c ^ d; k = 0x6ed9eba1 }
      else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc }
      else { f = b ^ c ^ d; k = 0xca62c1d6 }
      const t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]!) | 0
      e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t
    }
    h0 = (h0 + a) | 0; h1 = (h1 + b) | 0; h2 = (h2 + c) | 0; h3 = (h3 + d) | 0; h4 = (h4 + e) | 0
  }
  const out = new Uint8Array(20)
  const ov = new DataView(out.buffer)
  ov.setUint32(0, h0, false); ov.setUint32(4, h1, false); ov.setUint32(8, h2, false)
  ov.setUint32(12, h3, false); ov.setUint32(16, h4, false)
  return out
}

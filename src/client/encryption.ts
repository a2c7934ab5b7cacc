/** The client's encryption policy (MSE/PE) for TCP peers, like libtorrent's:
 * - 'enabled' (default): incoming plaintext and MSE both accepted; outgoing connections
 *   start encrypted and fall back to plaintext once when the peer hangs up during the MSE
 *   handshake. Encrypted-first, measured: libtorrent (pe_enabled and pe_forced), webtorrent
 *   (secure 1 and 2), aria2 (with and without --bt-require-crypto) and Transmission
 *   (encryption 2) all answer an MSE handshake, while a plaintext one is refused by
 *   libtorrent pe_forced and aria2 --bt-require-crypto=true (webtorrent secure 2 still takes
 *   it). So encrypted-first connects at the first attempt to every one of them except
 *   libtorrent pe_disabled, which costs one more connection; plaintext-first would cost one
 *   to every peer that requires encryption (test/integration/mse-interop.test.ts). We offer
 *   both methods and let the peer choose; as the receiver we choose plaintext when offered
 *   both (libtorrent's default: the handshake is hidden, the bulk costs no CPU).
 * - 'forced': RC4 only, both ways; plaintext handshakes are refused.
 * - 'disabled': plaintext only, as before MSE existed. */
import { toHex } from '../util/bytes.js'
import type { Duplex, PeerAddress } from '../transport/types.js'
import {
  CRYPTO_PLAINTEXT, CRYPTO_RC4, MseHandshakeError, MseStream, acceptIncoming, mseInitiate, req2Hash,
} from '../transport/mse/index.js'

export type EncryptionPolicy = 'enabled' | 'forced' | 'disabled'

export const ENCRYPTION_POLICIES: readonly EncryptionPolicy[] = ['enabled', 'forced', 'disabled']

export interface ConnectOptions {
  signal: AbortSignal
  /** the torrent the connection is for: MSE's SKEY; without it we dial plaintext */
  infoHash?: Uint8Array
}

type RawConnect = (addr: PeerAddress, opts: { signal: AbortSignal }) => Promise<Duplex>

/** What the client asks of an encryption layer; the Node platform provides one
 * (`mseLayer`), browsers none (WebRTC is encrypted already), so the browser bundle carries
 * no MSE code. uTP will go through the same layer: it is another Duplex. */
export interface EncryptionLayer {
  /** a dialer that applies the policy over a raw one */
  connect(raw: RawConnect): (addr: PeerAddress, opts: ConnectOptions) => Promise<Duplex>
  /** resolves to the connection to give the Wire; rejects (having destroyed it) when the
   * peer fails the policy or the handshake */
  accept(conn: Duplex): Promise<Duplex>
  /** false when an MSE handshake named one torrent and the BitTorrent handshake another */
  sameTorrent(conn: Duplex, infoHash: Uint8Array): boolean
}

export type EncryptionLayerFactory = (policy: EncryptionPolicy, infoHashes: () => Iterable<Uint8Array>, opts?: { timeoutMs?: number }) => EncryptionLayer

export const mseLayer: EncryptionLayerFactory = (policy, infoHashes, opts = {}) => {
  const incoming = new IncomingEncryption(policy, infoHashes, opts.timeoutMs)
  return {
    connect: (raw) => encryptingConnect(raw, policy, opts.timeoutMs),
    accept: (conn) => incoming.accept(conn),
    sameTorrent,
  }
}

/** Wraps a platform's TCP dialer with the policy. */
export function encryptingConnect(connect: RawConnect, policy: EncryptionPolicy, timeoutMs?: number): (addr: PeerAddress, opts: ConnectOptions) => Promise<Duplex> {
  return async (addr, { signal, infoHash }) => {
    if (policy === 'disabled' || !infoHash) return connect(addr, { signal })
    const conn = await connect(addr, { signal })
    const onAbort = () => conn.destroy(new Error('connect aborted'))
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      return await mseInitiate(conn, {
        infoHash,
        provide: policy === 'forced' ? CRYPTO_RC4 : CRYPTO_PLAINTEXT | CRYPTO_RC4,
        ...(timeoutMs ? { timeoutMs } : {}),
      })
    } catch (err) {
      // webtorrent does not fall back; we do, once, for a peer that hung up on MSE
      const dropped = err instanceof MseHandshakeError && err.reason === 'closed'
      if (policy === 'forced' || !dropped || signal.aborted) throw err
      return connect(addr, { signal })
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
  }
}

/** Sorts incoming TCP connections by their first bytes under the policy, and finds the
 * torrent an MSE initiator means among ours (by HASH('req2', info hash)). */
export class IncomingEncryption {
  readonly #req2 = new Map<string, string>()

  constructor(readonly policy: EncryptionPolicy, readonly infoHashes: () => Iterable<Uint8Array>, readonly timeoutMs?: number) {}

  /** Resolves to the connection to give the Wire (rejects, having destroyed it, when the
   * peer fails the policy or the handshake). */
  accept(conn: Duplex): Promise<Duplex> {
    if (this.policy === 'disabled') return Promise.resolve(conn)
    return acceptIncoming(conn, {
      allowPlain: this.policy === 'enabled',
      mse: {
        findInfoHash: (req2) => this.#find(req2),
        allow: { plaintext: this.policy === 'enabled', rc4: true },
        prefer: 'plaintext',
      },
      ...(this.timeoutMs ? { timeoutMs: this.timeoutMs } : {}),
    })
  }

  #find(req2: Uint8Array): Uint8Array | undefined {
    const want = toHex(req2)
    for (const ih of this.infoHashes()) {
      const hex = toHex(ih)
      let r = this.#req2.get(hex)
      if (r === undefined) { r = toHex(req2Hash(ih)); this.#req2.set(hex, r) }
      if (r === want) return ih
    }
    return undefined
  }
}

/** False when an MSE handshake named one torrent and the BitTorrent handshake another. */
export function sameTorrent(conn: Duplex, infoHash: Uint8Array): boolean {
  return !(conn instanceof MseStream) || !conn.infoHash || toHex(conn.infoHash) === toHex(infoHash)
}

/** Runs an MSE handshake over a connected Duplex and resolves to the stream (an MseStream)
 * the Wire then uses. Failures of any kind (hostile bytes, a stall, the peer hanging up)
 * destroy the connection and reject; nothing throws out of a transport event. */
import { utf8 } from '../../util/bytes.js'
import type { Duplex } from '../types.js'
import { MseError, MseInitiator, MseReceiver, type InitiatorOptions, type MseOutcome, type ReceiverOptions } from './handshake.js'
import { MseStream } from './stream.js'

export type MseFailure = 'closed' | 'timeout' | 'protocol'

/** Why a handshake failed: 'closed' (the peer hung up: it may not speak MSE, or may
 * want the other kind), 'timeout', or 'protocol' (bytes that make no sense). */
export class MseHandshakeError extends MseError {
  constructor(message: string, readonly reason: MseFailure) { super(message) }
}

export interface HandshakeTimeout {
  /** the whole handshake must finish within this (default 10 s) */
  timeoutMs?: number
}

const DEFAULT_TIMEOUT_MS = 10_000

/** Drives one handshake over `conn`: `step` gets each raw chunk and returns the outcome
 * when done, throws when the peer is wrong. */
function drive(conn: Duplex, timeoutMs: number, setup: (stream: MseStream, step: (f: (chunk: Uint8Array) => MseOutcome | StreamOpen | undefined) => void) => void): Promise<MseStream> {
  return new Promise((resolve, reject) => {
    let settled = false
    let handler: ((chunk: Uint8Array) => MseOutcome | StreamOpen | undefined) | undefined
    const fail = (err: MseHandshakeError) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      conn.destroy(err)
      reject(err)
    }
    const stream = new MseStream(conn, (chunk) => {
      if (settled || !handler) return
      try {
        const out = handler(chunk)
        if (out) finish(out)
      } catch (err) {
        fail(err instanceof MseHandshakeError ? err : new MseHandshakeError((err as Error).message, 'protocol'))
      }
    })
    const finish = (out: MseOutcome | StreamOpen) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      stream.open('infoHash' in out
        ? { method: out.method, infoHash: out.infoHash, decrypt: out.decrypt, encrypt: out.encrypt, initial: out.initial }
        : out)
      resolve(stream)
    }
    const timer = setTimeout(() => fail(new MseHandshakeError(`no MSE handshake within ${timeoutMs} ms`, 'timeout')), timeoutMs)
    stream.on('close', () => fail(new MseHandshakeError('peer closed the connection during the handshake', 'closed')))
    stream.on('error', () => undefined) // 'close' follows
    try {
      setup(stream, (f) => { handler = f })
    } catch (err) {
      fail(new MseHandshakeError((err as Error).message, 'protocol'))
    }
  })
}

interface StreamOpen {
  method: 'none'
  decrypt: undefined
  encrypt: undefined
  initial: Uint8Array
}

/** Side A: sends Ya, resolves once the peer's crypto_select is read. */
export function mseInitiate(conn: Duplex, opts: InitiatorOptions & HandshakeTimeout): Promise<MseStream> {
  return drive(conn, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, (stream, step) => {
    const a = new MseInitiator(opts, (bytes) => stream.writeRaw(bytes))
    step((chunk) => a.receive(chunk))
    a.start()
  })
}

export interface AcceptOptions extends HandshakeTimeout {
  /** accept a plaintext BitTorrent handshake (no MSE) */
  allowPlain: boolean
  /** accept MSE, answering as this receiver; undefined refuses MSE */
  mse: ReceiverOptions | undefined
}

const PROTOCOL = utf8('\x13BitTorrent protocol')

/** Side B: looks at the first bytes. 19 and "BitTorrent protocol" is a plaintext handshake,
 * passed on untouched; anything else is taken for MSE's Ya. */
export function acceptIncoming(conn: Duplex, opts: AcceptOptions): Promise<MseStream> {
  return drive(conn, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, (stream, step) => {
    const seen: number[] = []
    step((chunk) => {
      let k = 0
      while (k < chunk.length && seen.length < PROTOCOL.length && chunk[k] === PROTOCOL[seen.length]) seen.push(chunk[k++]!)
      if (seen.length === PROTOCOL.length) {
        if (!opts.allowPlain) throw new MseHandshakeError('plaintext handshake refused (encryption is forced)', 'protocol')
        const initial = new Uint8Array(seen.length + chunk.length - k)
        initial.set(seen); initial.set(chunk.subarray(k), seen.length)
        return { method: 'none', decrypt: undefined, encrypt: undefined, initial }
      }
      if (k === chunk.length) return undefined // a prefix of the plaintext handshake so far
      if (!opts.mse) throw new MseHandshakeError('not a BitTorrent handshake (encryption is disabled)', 'protocol')
      const b = new MseReceiver(opts.mse, (bytes) => stream.writeRaw(bytes))
      step((c) => b.receive(c))
      b.receive(Uint8Array.from(seen))
      return b.receive(chunk.subarray(k))
    })
  })
}

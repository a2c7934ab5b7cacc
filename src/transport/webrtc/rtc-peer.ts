import { Emitter } from '../../util/emitter.js'
import { ChannelDuplex } from './channel-duplex.js'
import { MAX_SDP_LENGTH, WebRtcError, type RTCPeerConnectionCtor, type WebRtcOptions } from './types.js'

type Events = { connect: [ChannelDuplex]; error: [Error]; close: [] }

/** One WebRTC peer: the small part simple-peer plays for WebTorrent. The offerer makes the
 * data channel; SDP goes out only after ICE gathering finished (WebSocket trackers relay one
 * offer and one answer, no trickled candidates). Emits 'connect' once with the open channel
 * as a Duplex, which from then on owns the connection; or 'error'/'close' and is gone. */
export class RtcPeer extends Emitter<Events> {
  readonly initiator: boolean
  readonly #opts: WebRtcOptions
  #pc: RTCPeerConnection | undefined
  #channel: RTCDataChannel | undefined
  #timer: ReturnType<typeof setTimeout> | undefined
  #connected = false
  #destroyed = false

  private constructor(opts: WebRtcOptions, initiator: boolean) {
    super()
    this.#opts = opts
    this.initiator = initiator
  }

  get destroyed(): boolean { return this.#destroyed }
  get connected(): boolean { return this.#connected }

  /** Creates an offering peer; resolves with it and its complete offer SDP. */
  static async offer(opts: WebRtcOptions): Promise<{ peer: RtcPeer; sdp: string }> {
    const peer = new RtcPeer(opts, true)
    try {
      const pc = await peer.#open()
      peer.#watchChannel(pc.createDataChannel('swarmstream'))
      await pc.setLocalDescription(await pc.createOffer())
      const sdp = await peer.#gathered(pc)
      return { peer, sdp: opts.offerCandidates === 'relay' ? relayCandidatesOnly(sdp) : sdp }
    } catch (err) {
      peer.destroy()
      throw asError(err, 'could not create an offer')
    }
  }

  /** Creates an answering peer for a remote offer; resolves with it and its complete answer. */
  static async answer(offerSdp: unknown, opts: WebRtcOptions): Promise<{ peer: RtcPeer; sdp: string }> {
    checkSdp(offerSdp)
    const peer = new RtcPeer(opts, false)
    try {
      const pc = await peer.#open()
      pc.ondatachannel = (e) => { if (!peer.#connected) peer.#watchChannel(e.channel) }
      await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp })
      await pc.setLocalDescription(await pc.createAnswer())
      const sdp = await peer.#gathered(pc)
      peer.#startConnectTimer()
      return { peer, sdp }
    } catch (err) {
      peer.destroy()
      throw asError(err, 'could not answer the offer')
    }
  }

  /** The offerer's last step: the remote answer. Rejects (and destroys) on a bad answer. */
  async accept(answerSdp: unknown): Promise<void> {
    const pc = this.#pc
    if (!this.initiator || !pc || this.#destroyed) throw new WebRtcError('no offer waits for an answer')
    if (pc.signalingState !== 'have-local-offer') throw new WebRtcError('an answer was already accepted')
    try {
      checkSdp(answerSdp)
      this.#startConnectTimer()
      await pc.setRemoteDescription({ type: 'answer', sdp: answerSdp })
    } catch (err) {
      const e = asError(err, 'bad answer')
      this.destroy(e)
      throw e
    }
  }

  /** Closes the connection unless it was already handed over as a Duplex. Safe twice. */
  destroy(error?: Error): void {
    if (this.#destroyed) return
    this.#destroyed = true
    if (this.#timer) clearTimeout(this.#timer)
    if (!this.#connected) {
      // The channel first: node-datachannel holds native callbacks (and so the process)
      // until each channel is closed, and closing the connection alone does not do it.
      try { this.#channel?.close() } catch { /* already closed */ }
      try { this.#pc?.close() } catch { /* already closed */ }
    }
    this.#pc = undefined
    this.#channel = undefined
    if (error && this.listenerCount('error') > 0) this.emit('error', error)
    this.emit('close')
  }

  async #open(): Promise<RTCPeerConnection> {
    const Ctor = await resolveCtor(this.#opts)
    if (this.#destroyed) throw new WebRtcError('destroyed')
    const config: RTCConfiguration = {
      ...this.#opts.extraConfig,
      iceServers: this.#opts.iceServers ?? [],
      iceTransportPolicy: this.#opts.iceTransportPolicy ?? 'all',
    }
    const pc = new Ctor(config)
    this.#pc = pc
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed') this.destroy(new WebRtcError('ICE failed'))
    }
    return pc
  }

  #watchChannel(channel: RTCDataChannel): void {
    channel.binaryType = 'arraybuffer'
    this.#channel = channel
    const onOpen = () => {
      const pc = this.#pc
      if (this.#destroyed || this.#connected || !pc) { try { channel.close() } catch { /* closed */ } return }
      this.#connected = true
      if (this.#timer) clearTimeout(this.#timer)
      channel.onopen = null
      pc.onconnectionstatechange = null
      const duplex = new ChannelDuplex(channel, pc, {
        ...(this.#opts.highWaterMark ? { highWaterMark: this.#opts.highWaterMark } : {}),
        ...(this.#opts.maxMessageSize ? { maxMessageSize: this.#opts.maxMessageSize } : {}),
      })
      this.emit('connect', duplex)
      this.#destroyed = true
      this.#pc = undefined
    }
    // Some implementations hand over an answerer's channel already open.
    if (channel.readyState === 'open') queueMicrotask(onOpen)
    else channel.onopen = onOpen
    channel.onclose = () => { if (!this.#connected) this.destroy(new WebRtcError('data channel closed before it opened')) }
  }

  /** Waits until ICE gathering is complete (or the timeout: then sends what there is). */
  async #gathered(pc: RTCPeerConnection): Promise<string> {
    if (pc.iceGatheringState !== 'complete') {
      await new Promise<void>((resolve) => {
        const done = () => { clearTimeout(timer); pc.onicegatheringstatechange = null; pc.onicecandidate = null; resolve() }
        const timer = setTimeout(done, this.#opts.gatherTimeoutMs ?? 5000)
        pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') done() }
        pc.onicecandidate = (e) => { if (!e.candidate) done() }
      })
    }
    if (this.#destroyed) throw new WebRtcError('destroyed while gathering')
    return this.#localSdp(pc)
  }

  #localSdp(pc: RTCPeerConnection): string {
    const sdp = pc.localDescription?.sdp
    if (!sdp) throw new WebRtcError('no local description')
    return sdp
  }

  /** Bounds the time to an open channel, and looks at the connection state meanwhile:
   * libdatachannel drops its callbacks when a connection fails during setup (a DTLS handshake
   * lost to its remote-description race), so 'failed' may never be announced. */
  #startConnectTimer(): void {
    if (this.#timer || this.#destroyed) return
    const deadline = Date.now() + (this.#opts.connectTimeoutMs ?? 20_000)
    const check = (): void => {
      this.#timer = undefined
      if (this.#destroyed || this.#connected) return
      const state = this.#pc?.connectionState
      if (state === 'failed' || state === 'closed') { this.destroy(new WebRtcError(`WebRTC connection ${state} while connecting`)); return }
      if (Date.now() >= deadline) { this.destroy(new WebRtcError('WebRTC connect timed out')); return }
      this.#timer = setTimeout(check, Math.min(1000, deadline - Date.now()))
    }
    this.#timer = setTimeout(check, Math.min(1000, deadline - Date.now()))
  }
}

const loaded = new WeakMap<() => Promise<RTCPeerConnectionCtor>, Promise<RTCPeerConnectionCtor>>()

async function resolveCtor(opts: WebRtcOptions): Promise<RTCPeerConnectionCtor> {
  if (opts.RTCPeerConnection) return opts.RTCPeerConnection
  const load = opts.loadRTCPeerConnection
  if (!load) throw new WebRtcError('no RTCPeerConnection implementation was given')
  let p = loaded.get(load)
  if (!p) { p = load(); loaded.set(load, p) }
  return p
}

/** An offer the remote cannot send connectivity checks to before we have its answer: only
 * relay candidates stay (a TURN server forwards nothing until we grant the remote a
 * permission, which comes with its answer); with none left, the "not yet known" address and
 * port of RFC 8839 §4.2.1.2 replace the default candidate. */
export function relayCandidatesOnly(sdp: string): string {
  const lines = sdp.split(/\r?\n/)
  const isRelay = (l: string) => / typ relay(\s|$)/.test(l)
  const kept = lines.filter((l) => !l.startsWith('a=candidate:') || isRelay(l))
  if (kept.some((l) => l.startsWith('a=candidate:'))) return kept.join('\r\n')
  return kept.filter((l) => l !== 'a=end-of-candidates')
    .map((l) => l.startsWith('c=IN IP') ? 'c=IN IP4 0.0.0.0' : l.replace(/^(m=\S+ )\d+( )/, '$19$2'))
    .join('\r\n')
}

function checkSdp(sdp: unknown): asserts sdp is string {
  if (typeof sdp !== 'string' || sdp.length === 0 || sdp.length > MAX_SDP_LENGTH || !sdp.startsWith('v=0')) {
    throw new WebRtcError('malformed SDP')
  }
}

function asError(err: unknown, context: string): Error {
  if (err instanceof WebRtcError) return err
  const msg = err instanceof Error ? err.message : String(err)
  return new WebRtcError(`${context}: ${msg}`, { cause: err })
}

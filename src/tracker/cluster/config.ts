import type { Endpoint } from '../server.node.js'
import type { TrackerLimits } from '../types.js'

/** Everything a tracker process needs to start, in a form that survives JSON (it reaches
 * workers through their environment). */
export interface TrackerProcessConfig {
  http?: Endpoint | false
  udp?: Endpoint | false
  ws?: Endpoint | 'http' | false
  interval?: number
  trustProxy?: boolean
  /** allowed info hashes, lower-case hex; absent: all */
  allow?: string[]
  limits?: TrackerLimits
  /** `redis://host:port`: share swarms with every tracker using the same Redis */
  redis?: string
  /** key prefix in Redis (default `swarmstream:`), so several trackers can share one Redis */
  redisPrefix?: string
}

export const WORKER_ENV = 'SWARMSTREAM_TRACKER_WORKER'

export interface WorkerEnv {
  config: TrackerProcessConfig
  /** this worker's cluster-wide name */
  origin: string
  /** UDP connection-id key, hex: every worker answers any datagram */
  key: string
}

/** Control messages between the primary and a worker (cluster/*.node.ts). */
export type ControlMessage =
  | { ctl: 'listening'; ports: { http?: number; udp?: number; ws?: number } }
  | { ctl: 'close' }

export const isControl = (m: unknown): m is ControlMessage => typeof m === 'object' && m !== null && typeof (m as { ctl?: unknown }).ctl === 'string'

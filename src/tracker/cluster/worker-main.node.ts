/** Entry point of a tracker worker process (forked by cluster.node.ts). Its config comes in
 * the environment; it serves until the primary says close, or goes away. */
import { fromHex } from '../../util/bytes.js'
import { WORKER_ENV, isControl, type ControlMessage, type WorkerEnv } from './config.js'
import { IpcLink } from './ipc-link.node.js'
import { startTrackerProcess } from './process.node.js'

const env = JSON.parse(process.env[WORKER_ENV] ?? '{}') as WorkerEnv
const log = (line: string): void => { process.stderr.write(`[${env.origin}] ${line}\n`) }
const link = env.config.redis ? undefined : new IpcLink(env.origin)
const { server, ports } = await startTrackerProcess(env.config, { origin: env.origin, ...(link ? { link } : {}), key: fromHex(env.key), log })

let closing = false
async function close(): Promise<void> {
  if (closing) return
  closing = true
  await server.close()
  process.exit(0)
}
process.on('message', (m: unknown) => { if (isControl(m) && m.ctl === 'close') void close() })
process.on('disconnect', () => void close()) // the primary is gone
// The primary handles the terminal's signals and tells us.
process.on('SIGINT', () => undefined)
process.on('SIGTERM', () => void close())
const hello: ControlMessage = { ctl: 'listening', ports }
process.send?.(hello)

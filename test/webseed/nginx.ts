/** nginx (Debian's package) serving a folder on 127.0.0.1, started as our own process with
 * a generated config: every path it writes (pid, logs, temp files) is inside a temp folder,
 * `daemon off` keeps it our child, and `stop()` ends it by PID. */
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { start, type Running } from '../peers/process.js'
import { freePort } from '../integration/fixtures.js'

export const NGINX = '/usr/sbin/nginx'
export const nginxMissing = existsSync(NGINX) ? undefined : `${NGINX} is not installed (scripts/setup.sh installs it)`

export interface Nginx {
  url: string
  /** the access log so far: one line per request, "<status> <bytes sent> <request line>" */
  accessLog(): Promise<string[]>
  stop(): Promise<void>
}

/** Serves `root` at http://127.0.0.1:<port>/. `location` adds directives to `location /`
 * (e.g. `limit_rate 1m;`); `server` adds locations or directives to the server block. */
export async function startNginx(root: string, opts: { location?: string; server?: string; cors?: boolean } = {}): Promise<Nginx> {
  const dir = await mkdtemp(join(tmpdir(), 'ss-nginx-'))
  for (let attempt = 0; ; attempt++) {
    const port = await freePort()
    const cors = opts.cors ? `add_header Access-Control-Allow-Origin * always;
      add_header Access-Control-Allow-Headers range always;
      add_header Access-Control-Expose-Headers 'Content-Range, Content-Length' always;
      if ($request_method = OPTIONS) { return 204; }` : ''
    const conf = `
      daemon off;
      ${process.getuid?.() === 0 ? 'user root;' : ''}
      worker_processes 1;
      pid ${dir}/nginx.pid;
      error_log ${dir}/error.log warn;
      events { worker_connections 256; }
      http {
        default_type application/octet-stream;
        log_format brief '$status $body_bytes_sent "$request"';
        access_log ${dir}/access.log brief;
        client_body_temp_path ${dir}/client; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
        uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
        sendfile on;
        server {
          listen 127.0.0.1:${port};
          root ${root};
          ${opts.server ?? ''}
          location / { ${cors} ${opts.location ?? ''} }
        }
      }`
    await writeFile(join(dir, 'nginx.conf'), conf)
    const proc: Running = start(NGINX, ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')])
    const url = `http://127.0.0.1:${port}`
    const up = await untilListening(url, proc)
    if (!up) {
      await proc.stop()
      const log = await readFile(join(dir, 'error.log'), 'utf8').catch(() => '')
      if (attempt < 3 && /in use/.test(log)) continue
      await rm(dir, { recursive: true, force: true })
      throw new Error(`nginx did not start: ${log.slice(-2000)} ${proc.stderr()}`)
    }
    return {
      url,
      accessLog: async () => (await readFile(join(dir, 'access.log'), 'utf8').catch(() => '')).split('\n').filter((l) => l !== '' && !l.includes(PROBE)),
      stop: async () => { await proc.stop(); await rm(dir, { recursive: true, force: true }) },
    }
  }
}

const PROBE = '/__probe__'

/** Asks until nginx answers (any status) or exits; bounded to 10 s. */
async function untilListening(url: string, proc: Running): Promise<boolean> {
  let exited = false
  void proc.exited.then(() => { exited = true })
  const deadline = Date.now() + 10_000
  while (!exited && Date.now() < deadline) {
    const ok = await fetch(url + PROBE, { signal: AbortSignal.timeout(1000), redirect: 'manual' }).then((r) => r.body?.cancel().then(() => true), () => false)
    if (ok) return true
    await new Promise((r) => setTimeout(r, 25))
  }
  return false
}

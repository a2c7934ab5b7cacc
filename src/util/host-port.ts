/** 'host:port' and '[v6]:port' as peer addresses. */
export function parseHostPort(s: string): { host: string; port: number } | undefined {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(s) ?? /^([^:]+):(\d+)$/.exec(s)
  const port = m ? Number(m[2]) : NaN
  return m && port > 0 && port < 65536 ? { host: m[1]!, port } : undefined
}

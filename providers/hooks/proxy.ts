/**
 * With a proxy in the environment, an agent would send its hooks for 127.0.0.1 through it; the
 * daemon's address is added to NO_PROXY so they go straight to the daemon.
 */
export function loopbackBypassingProxy(env: Record<string, string | undefined>): Record<string, string> {
  const proxied = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'].some((name) => env[name]);
  if (!proxied) return {};
  const current = env.NO_PROXY ?? env.no_proxy ?? '';
  const entries = current.split(',').map((e) => e.trim()).filter(Boolean);
  if (!entries.includes('127.0.0.1')) entries.push('127.0.0.1');
  const value = entries.join(',');
  return { NO_PROXY: value, no_proxy: value };
}

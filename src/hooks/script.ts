import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { HomeLayout } from '../config/paths.js';

/**
 * The hook command for CLIs that can only run a command (Gemini CLI, Codex's notify, YAML
 * providers). Plain bash, so no Node start-up sits on the agent's status path: it reads the
 * terminal's endpoint file, posts the payload over /dev/tcp, and always exits 0 printing `{}`,
 * so a daemon that is down never fails or blocks the agent.
 *
 * Usage: post-event <endpoint file> <hook name> [payload]; without a payload argument it posts
 * its standard input.
 */
export const HOOK_SCRIPT = `#!/usr/bin/env bash
# conductor: posts one agent hook call to the conductor daemon (see docs/providers.md).
conf=$1
name=$2
if [ $# -ge 3 ]; then body=\${!#}; else IFS= read -r -d '' body; fi
printf '{}\\n'
[ -n "$body" ] || body='{}'
read -r port secret terminal < "$conf" 2>/dev/null || exit 0
case $name in (*[!A-Za-z0-9_.-]*|'') exit 0 ;; esac
LC_ALL=C
exec 3<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null || exit 0
printf 'POST /hooks/%s/%s HTTP/1.1\\r\\nHost: 127.0.0.1:%s\\r\\nAuthorization: Bearer %s\\r\\nContent-Type: application/json\\r\\nContent-Length: %s\\r\\nConnection: close\\r\\n\\r\\n%s' \\
  "$terminal" "$name" "$port" "$secret" "\${#body}" "$body" >&3 2>/dev/null
read -r -t 5 _ <&3 2>/dev/null
exit 0
`;

export function hookScriptPath(l: HomeLayout): string {
  return join(l.home, 'bin', 'post-event');
}

/** Writes the hook script if it is missing or outdated (an upgrade); returns its path. */
export function installHookScript(l: HomeLayout): string {
  const path = hookScriptPath(l);
  let current: string | undefined;
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    current = undefined;
  }
  if (current !== HOOK_SCRIPT) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, HOOK_SCRIPT, { mode: 0o700 });
    renameSync(temp, path);
  }
  chmodSync(path, 0o700);
  return path;
}

import { spawn } from 'node:child_process';
import { gateOutputSchema, type GateDecision } from './schema.js';

const MAX_STDOUT_BYTES = 1024 * 1024;
const KILL_GRACE_MS = 2000;

export type GateOutcome = { ok: true; decision: GateDecision } | { ok: false; reason: string };

export interface GateOptions {
  script: string;
  cwd: string;
  timeoutS: number;
  env: Record<string, string>;
  signal?: AbortSignal;
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** The gate's decision from its stdout: the whole of it as JSON, or else its last non-blank line. */
export function parseGateOutput(stdout: string): GateOutcome {
  const trimmed = stdout.trim();
  const lines = trimmed.split('\n').filter((l) => l.trim() !== '');
  let parsed: unknown;
  for (const candidate of [trimmed, lines[lines.length - 1] ?? '']) {
    try {
      parsed = JSON.parse(candidate);
      break;
    } catch {
      parsed = undefined;
    }
  }
  if (parsed === undefined) {
    const shown = trimmed.length > 200 ? `${trimmed.slice(0, 200)}…` : trimmed;
    return { ok: false, reason: `the gate script did not print JSON like {"execute": true, "output": {}} (it printed: ${JSON.stringify(shown)})` };
  }
  const result = gateOutputSchema.safeParse(parsed);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || 'output'}: ${i.message}`).join('; ');
    return { ok: false, reason: `the gate script's JSON is not {"execute": bool, "output": {...}}: ${issues}` };
  }
  return { ok: true, decision: result.data };
}

/**
 * Runs the gate script with `sh -c` in its own process group, so a timeout (or a daemon stop)
 * ends everything it started.
 */
export function runGate(opts: GateOptions): Promise<GateOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: GateOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const child = spawn('sh', ['-c', opts.script], {
      cwd: opts.cwd,
      env: opts.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let errTail = '';
    let stopped: string | undefined;
    let killTimer: NodeJS.Timeout | undefined;

    const stop = (why: string) => {
      if (stopped) return;
      stopped = why;
      killGroup(child.pid, 'SIGTERM');
      // A process that ignores SIGTERM, or a grandchild holding stdout open, must not hold the run.
      killTimer = setTimeout(() => {
        killGroup(child.pid, 'SIGKILL');
        finish({ ok: false, reason: why });
      }, KILL_GRACE_MS);
    };
    const timer = setTimeout(() => stop(`the gate script did not finish within ${opts.timeoutS} s (timeout) and was killed`), opts.timeoutS * 1000);
    const onAbort = () => stop('the daemon stopped while the gate script ran');
    opts.signal?.addEventListener('abort', onAbort);
    if (opts.signal?.aborted) onAbort();

    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > MAX_STDOUT_BYTES) return stop('the gate script printed more than 1 MiB');
      out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      errTail = (errTail + chunk.toString('utf8')).slice(-2000);
    });
    child.on('error', (err) => finish({ ok: false, reason: `cannot run the gate script in ${opts.cwd}: ${err.message}` }));
    child.on('close', (code, signal) => {
      if (stopped) {
        killGroup(child.pid, 'SIGKILL');
        return finish({ ok: false, reason: stopped });
      }
      if (code !== 0) {
        const stderr = errTail.trim().split('\n').slice(-3).join(' | ');
        const how = signal ? `was killed by ${signal}` : `exited with status ${code}`;
        return finish({ ok: false, reason: `the gate script ${how}${stderr ? `: ${stderr}` : ''}` });
      }
      finish(parseGateOutput(Buffer.concat(out).toString('utf8')));
    });
  });
}

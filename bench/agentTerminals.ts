import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DaemonClient } from '../src/cli/client.js';
import { openEvents, waitForStatus, type EventStream } from '../src/cli/events.js';
import { terminalRawLogPath } from '../src/config/paths.js';
import type { SessionRecord, TerminalRecord, TerminalStatus } from '../src/terminal/schema.js';
import { waitForScreen } from '../test/helpers/screen.js';
import type { BenchWorld } from './world.js';

/** What the agent-status sections share: launching terminals on either status path, and following their statuses. */

export type StatusPath = 'events' | 'screen';
export const STATUS_PATHS: StatusPath[] = ['events', 'screen'];

/** What a launch adds to switch a built-in agent to its screen alone. */
export function pathEnv(path: StatusPath): Record<string, string> {
  return path === 'screen' ? { CONDUCTOR_AGENT_EVENTS: 'off' } : {};
}

export type Terminal = TerminalRecord & { statusSource: string | null };

export interface LaunchBody {
  provider?: string;
  profile?: string;
  cwd: string;
  env?: Record<string, string>;
  launchEnv?: Record<string, string>;
}

/** Opens session `name` with `count` terminals (the i-th launched with `body(i)`), each ready (idle) once returned. */
export async function launchSession(client: DaemonClient, name: string, body: LaunchBody | ((i: number) => LaunchBody), count = 1): Promise<Terminal[]> {
  const bodyOf = typeof body === 'function' ? body : () => body;
  const first = await client.post<{ terminal: TerminalRecord; session: SessionRecord }>('/sessions', { name, ...bodyOf(0) });
  const records = [first.terminal];
  for (let i = 1; i < count; i++) records.push(await client.post<TerminalRecord>(`/sessions/${name}/terminals`, bodyOf(i)));
  return Promise.all(
    records.map(async (t) => {
      const ready = await waitForStatus(client, t.id, (s) => s !== 'starting', 90_000);
      if (ready.status !== 'idle') throw new Error(`terminal ${t.id} (${ready.provider}) came up '${ready.status}': ${ready.statusDetail ?? ''}`);
      return client.get<Terminal>(`/terminals/${t.id}`);
    }),
  );
}

/** Shuts a session's terminals down; a bench that failed half-way still leaves nothing running. */
export async function closeSession(client: DaemonClient, name: string): Promise<void> {
  await client.delete(`/sessions/${name}`).catch(() => undefined);
}

export interface SeenStatus {
  status: TerminalStatus;
  /** When the `terminal.status` event reached the bench (Date.now(), the fakes' clock too). */
  at: number;
}

const ENDS_A_TURN = (s: TerminalStatus) => s === 'completed' || s === 'error' || s === 'exited';

/** Every `terminal.status` event of one terminal, as it reaches an SSE client, with its arrival time. */
export class StatusWatch {
  readonly seen: SeenStatus[] = [];
  private readonly waiters = new Set<() => void>();
  private ended = false;

  private constructor(private readonly stream: EventStream) {
    void this.pump();
  }

  static async open(client: DaemonClient, terminalId: string): Promise<StatusWatch> {
    return new StatusWatch(await openEvents(client, { terminal: terminalId, types: 'terminal.status' }));
  }

  private async pump(): Promise<void> {
    for (;;) {
      const event = await this.stream.next();
      if (event) this.seen.push({ status: event.data.status as TerminalStatus, at: Date.now() });
      else this.ended = true;
      for (const wake of this.waiters) wake();
      if (!event) return;
    }
  }

  /** A position in `seen`: `until` looks only at what arrives from there on. */
  get mark(): number {
    return this.seen.length;
  }

  /** The first status from `from` on that satisfies `done` (by default: the end of a turn). */
  async until(from: number, timeoutMs: number, done: (s: TerminalStatus) => boolean = ENDS_A_TURN): Promise<SeenStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.seen.slice(from).find((s) => done(s.status));
      if (hit) return hit;
      const left = deadline - Date.now();
      if (this.ended || left <= 0) {
        const saw = this.seen.slice(from).map((s) => s.status).join(' → ') || 'nothing';
        throw new Error(`${this.ended ? 'the event stream ended' : `no matching status within ${timeoutMs} ms`}; saw ${saw}`);
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  close(): void {
    this.stream.close();
  }
}

/** Resolves with the terminal's screen once `shows` holds for it, read again each time its raw log grows. */
export function screenShows(world: BenchWorld, client: DaemonClient, id: string, shows: (screen: string) => boolean, timeoutMs: number): Promise<string> {
  return waitForScreen(client, terminalRawLogPath(world.layout, id), id, shows, timeoutMs);
}

export async function lastOutput(client: DaemonClient, id: string): Promise<string> {
  return (await client.get<{ output: string }>(`/terminals/${id}/output?mode=last`)).output;
}

/** The fake agent that reports its own turns through its hook command, as the user provider `fake_agent_events`. */
export function installFakeAgentEvents(world: BenchWorld): void {
  const fixtures = join(world.repoRoot, 'test', 'fixtures');
  const yaml = readFileSync(join(fixtures, 'fake-agent-events.provider.yaml'), 'utf8').replaceAll('{{fixtures}}', fixtures);
  writeFileSync(join(world.layout.providers, 'fake_agent_events.yaml'), yaml);
}

/** The fake agent on either path: `fake_agent` is judged from its screen, `fake_agent_events` reports its own events. */
export function fakeAgentProvider(path: StatusPath): string {
  return path === 'events' ? 'fake_agent_events' : 'fake_agent';
}

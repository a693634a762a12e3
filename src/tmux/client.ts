import { appendFile } from 'node:fs/promises';
import { execa, ExecaError } from 'execa';
import { ConductorError, TmuxUnavailableError } from '../errors.js';
import { moduleLogger } from '../logger.js';
import { withinDeadline } from './deadline.js';
import { ensureSocketDir, resolveTmuxSocket } from './socket.js';

const log = moduleLogger('tmux');

/** The one place that runs tmux. Targets are pane ids (%N), window ids (@N) or session names. */
export class TmuxTargetMissingError extends ConductorError {
  constructor(target: string) {
    super('not_found', `tmux has no pane or window '${target}': it was closed outside the conductor`);
  }
}

export interface PaneInfo {
  paneId: string;
  windowId: string;
  sessionName: string;
  pid: number;
  dead: boolean;
  deadStatus: number | null;
  historySize: number;
  currentCommand: string;
  width: number;
  height: number;
  cursorX: number;
  cursorY: number;
  /** The signal that killed the pane's process, when it died of one. */
  deadSignal: string | null;
}

export interface NewWindowOptions {
  windowName: string;
  cwd: string;
  env: Record<string, string>;
  argv: string[];
}

const SEP = '\u001f';
const PANE_FORMAT = [
  '#{pane_id}',
  '#{window_id}',
  '#{session_name}',
  '#{pane_pid}',
  '#{pane_dead}',
  '#{pane_dead_status}',
  '#{history_size}',
  '#{pane_current_command}',
  '#{pane_width}',
  '#{pane_height}',
  '#{cursor_x}',
  '#{cursor_y}',
  '#{pane_dead_signal}',
].join(SEP);

function parsePaneLine(line: string): PaneInfo {
  const [paneId, windowId, sessionName, pid, dead, deadStatus, history, cmd, w, h, cx, cy, signal] = line.split(SEP);
  return {
    paneId,
    windowId,
    sessionName,
    pid: Number(pid),
    dead: dead === '1',
    deadStatus: deadStatus === '' || deadStatus === undefined ? null : Number(deadStatus),
    historySize: Number(history),
    currentCommand: cmd ?? '',
    width: Number(w),
    height: Number(h),
    cursorX: Number(cx),
    cursorY: Number(cy),
    deadSignal: signal ? signal : null,
  };
}

/** A tmux call that takes longer (its server stopped or swamped) fails, so nothing waits on it forever. */
export const TMUX_TIMEOUT_MS = 5000;

export const PANE_WIDTH = 200;
export const PANE_HEIGHT = 50;

/** tmux reads these to pick a server or client; the conductor names its server explicitly instead. */
const CLIENT_ENV_DROP = { TMUX: undefined, TMUX_PANE: undefined };

export class Tmux {
  /** The socket path of the one tmux server this conductor uses, passed on every call. */
  readonly socket: string;

  /** `socket` is a path or a `-L` style name; the default is resolved from the environment. */
  constructor(socket?: string) {
    this.socket = resolveTmuxSocket(socket ? { ...process.env, CONDUCTOR_TMUX_SOCKET: socket } : process.env);
    ensureSocketDir(this.socket);
  }

  async run(args: string[], input?: string): Promise<string> {
    const full = ['-S', this.socket, ...args];
    try {
      const call = execa('tmux', full, { input, stripFinalNewline: false, encoding: 'utf8', env: CLIENT_ENV_DROP });
      const result = await withinDeadline(call, TMUX_TIMEOUT_MS, () => this.stalled(args));
      return result.stdout;
    } catch (err) {
      throw this.translate(err, args);
    }
  }

  private stalled(args: string[]): string {
    return `tmux did not answer \`${args[0]}\` within ${TMUX_TIMEOUT_MS / 1000} s: its server (socket ${this.socket}) is stopped or overloaded; try again in a moment`;
  }

  private translate(err: unknown, args: string[]): Error {
    if (!(err instanceof ExecaError)) return err as Error;
    if ((err as { code?: string }).code === 'ENOENT') {
      return new TmuxUnavailableError('tmux is not installed: install it (e.g. `apt-get install tmux`) and try again');
    }
    const stderr = String(err.stderr ?? '').trim();
    if (/no server running|error connecting to|server exited/i.test(stderr)) {
      return new TmuxUnavailableError(
        `the tmux server on socket ${this.socket} is not running (${stderr})`,
      );
    }
    const missing = /can't find (?:pane|window|session): ?(\S*)/i.exec(stderr);
    if (missing) return new TmuxTargetMissingError(missing[1] || args[args.indexOf('-t') + 1] || '?');
    log.warn({ args, stderr }, 'tmux command failed');
    return new ConductorError('internal', `tmux ${args[0]} failed: ${stderr || err.shortMessage}`);
  }

  async version(): Promise<string> {
    const { stdout } = await execa('tmux', ['-V']).catch((err) => {
      throw this.translate(err, ['-V']);
    });
    return stdout.trim();
  }

  async hasSession(name: string): Promise<boolean> {
    try {
      await this.run(['has-session', '-t', `=${name}`]);
      return true;
    } catch (err) {
      if (err instanceof TmuxUnavailableError || err instanceof TmuxTargetMissingError) return false;
      if (err instanceof ConductorError && /can't find session/.test(err.message)) return false;
      throw err;
    }
  }

  /** Creates the session with its first window in one tmux call; returns the pane. */
  async newSession(sessionName: string, opts: NewWindowOptions): Promise<PaneInfo> {
    const out = await this.run([
      'new-session', '-d', '-P', '-F', PANE_FORMAT,
      '-s', sessionName, '-n', opts.windowName,
      '-x', String(PANE_WIDTH), '-y', String(PANE_HEIGHT),
      '-c', opts.cwd, ...envArgs(opts.env), '--', ...opts.argv,
      ';', 'set-option', '-t', sessionName, 'default-size', `${PANE_WIDTH}x${PANE_HEIGHT}`,
      ';', 'set-option', '-t', sessionName, 'history-limit', '50000',
    ]);
    const pane = parsePaneLine(out.split('\n')[0]);
    await this.prepareWindow(pane.windowId);
    return pane;
  }

  async newWindow(sessionName: string, opts: NewWindowOptions): Promise<PaneInfo> {
    const out = await this.run([
      'new-window', '-d', '-P', '-F', PANE_FORMAT,
      '-t', `=${sessionName}:`, '-n', opts.windowName,
      '-c', opts.cwd, ...envArgs(opts.env), '--', ...opts.argv,
    ]);
    const pane = parsePaneLine(out.split('\n')[0]);
    await this.prepareWindow(pane.windowId);
    return pane;
  }

  private async prepareWindow(windowId: string): Promise<void> {
    await this.run([
      'set-option', '-w', '-t', windowId, 'remain-on-exit', 'on',
      ';', 'set-option', '-w', '-t', windowId, 'automatic-rename', 'off',
      ';', 'resize-window', '-t', windowId, '-x', String(PANE_WIDTH), '-y', String(PANE_HEIGHT),
    ]);
  }

  /** Streams everything the pane prints to a file (appending), so its growth signals output. */
  async pipePane(paneId: string, file: string): Promise<void> {
    await this.run(['pipe-pane', '-t', paneId, `exec cat >> ${shellQuote(file)}`]);
  }

  async paneInfo(paneId: string): Promise<PaneInfo> {
    const out = await this.run(['display-message', '-p', '-t', paneId, PANE_FORMAT]);
    return parsePaneLine(out.split('\n')[0]);
  }

  /** All panes of the server, or [] when no server runs. */
  async listPanes(): Promise<PaneInfo[]> {
    try {
      const out = await this.run(['list-panes', '-a', '-F', PANE_FORMAT]);
      return out.split('\n').filter(Boolean).map(parsePaneLine);
    } catch (err) {
      if (err instanceof TmuxUnavailableError) return [];
      throw err;
    }
  }

  /**
   * The pane's info and its rendered text in one call. `historyLines` > 0 includes that many
   * lines of scrollback above the visible screen.
   */
  async snapshot(paneId: string, historyLines = 0): Promise<{ info: PaneInfo; text: string }> {
    const start = historyLines > 0 ? ['-S', String(-historyLines)] : [];
    const out = await this.run([
      'display-message', '-p', '-t', paneId, PANE_FORMAT,
      ';', 'capture-pane', '-p', '-t', paneId, ...start,
    ]);
    const nl = out.indexOf('\n');
    return { info: parsePaneLine(out.slice(0, nl)), text: out.slice(nl + 1) };
  }

  async capture(paneId: string, historyLines = 0): Promise<string> {
    return (await this.snapshot(paneId, historyLines)).text;
  }

  /** As `snapshot`, with colours and attributes kept as escape sequences (`capture-pane -e`), for a live view. */
  async styledSnapshot(paneId: string, historyLines = 0): Promise<{ info: PaneInfo; text: string }> {
    const start = historyLines > 0 ? ['-S', String(-historyLines)] : [];
    const out = await this.run([
      'display-message', '-p', '-t', paneId, PANE_FORMAT,
      ';', 'capture-pane', '-p', '-e', '-t', paneId, ...start,
    ]);
    const nl = out.indexOf('\n');
    return { info: parsePaneLine(out.slice(0, nl)), text: out.slice(nl + 1) };
  }

  /**
   * One tmux call: the screen as it was, then the paste. With `text`, the buffer is loaded in the
   * same call; without, it must already hold the text. `-p` brackets the paste when the
   * application asked for bracketed paste, so its newlines do not submit early.
   */
  async captureThenPaste(paneId: string, bufferName: string, text?: string): Promise<string> {
    const load = text === undefined ? [] : ['load-buffer', '-b', bufferName, '-', ';'];
    return this.run(
      ['capture-pane', '-p', '-t', paneId, ';', ...load, 'paste-buffer', '-p', '-d', '-b', bufferName, '-t', paneId],
      text,
    );
  }

  /**
   * One tmux call for agents that take Enter right after a paste: the pane's info and screen as
   * they were, the paste, then Enter.
   */
  async pasteAndEnter(paneId: string, bufferName: string, text?: string): Promise<{ info: PaneInfo; text: string }> {
    const load = text === undefined ? [] : ['load-buffer', '-b', bufferName, '-', ';'];
    const out = await this.run(
      [
        'display-message', '-p', '-t', paneId, PANE_FORMAT,
        ';', 'capture-pane', '-p', '-t', paneId,
        ';', ...load, 'paste-buffer', '-p', '-d', '-b', bufferName, '-t', paneId,
        ';', 'send-keys', '-t', paneId, 'Enter',
      ],
      text,
    );
    const nl = out.indexOf('\n');
    return { info: parsePaneLine(out.slice(0, nl)), text: out.slice(nl + 1) };
  }

  /** One tmux call: the pane's info and screen as they are, then the keys. */
  async snapshotThenKeys(paneId: string, keys: string[]): Promise<{ info: PaneInfo; text: string }> {
    const out = await this.run([
      'display-message', '-p', '-t', paneId, PANE_FORMAT,
      ';', 'capture-pane', '-p', '-t', paneId,
      ';', 'send-keys', '-t', paneId, ...keys,
    ]);
    const nl = out.indexOf('\n');
    return { info: parsePaneLine(out.slice(0, nl)), text: out.slice(nl + 1) };
  }

  async loadBuffer(bufferName: string, text: string): Promise<void> {
    await this.run(['load-buffer', '-b', bufferName, '-'], text);
  }

  async bufferExists(bufferName: string): Promise<boolean> {
    const out = await this.run(['list-buffers', '-F', '#{buffer_name}']).catch(() => '');
    return out.split('\n').includes(bufferName);
  }

  async deleteBuffer(bufferName: string): Promise<void> {
    await this.run(['delete-buffer', '-b', bufferName]).catch(() => undefined);
  }

  /** Key names only (Enter, Escape, C-c, Down…): text never goes through send-keys. */
  async sendKeys(paneId: string, keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.run(['send-keys', '-t', paneId, ...keys]);
  }

  async killWindow(windowId: string): Promise<void> {
    await this.run(['kill-window', '-t', windowId]);
  }

  /** The clients attached to this server (people looking at it): their tty and session. */
  async listClients(): Promise<Array<{ tty: string; session: string }>> {
    try {
      const out = await this.run(['list-clients', '-F', `#{client_tty}${SEP}#{client_session}`]);
      return out
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [tty, session] = line.split(SEP);
          return { tty, session };
        });
    } catch (err) {
      if (err instanceof TmuxUnavailableError) return [];
      throw err;
    }
  }

  /** Shows `text` in one client's status line for `ms`, and rings its terminal's bell. */
  async alertClient(clientTty: string, text: string, ms = 8000): Promise<void> {
    // The text is shown as is: `#` would start a tmux format.
    await this.run(['display-message', '-c', clientTty, '-d', String(ms), text.replace(/#/g, '##')]);
    // tmux has no bell command; BEL written to the client's own terminal rings it.
    await appendFile(clientTty, '\u0007').catch(() => undefined);
  }

  async killSession(name: string): Promise<void> {
    await this.run(['kill-session', '-t', `=${name}`]);
  }

}

function envArgs(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
}

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

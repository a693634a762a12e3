import { open, stat } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { terminalRawLogPath } from '../config/paths.js';
import type { Runtime } from '../runtime.js';
import type { TerminalRecord } from '../terminal/schema.js';

/** Scrollback sent with a snapshot, so the live view can scroll back a little. */
const SNAPSHOT_HISTORY = 200;
/** After a burst of output, a fresh snapshot once the pane is quiet this long corrects any drift. */
const RESYNC_QUIET_MS = 400;
const HEARTBEAT_MS = 15_000;
/** One read from the raw log at most; a flood is sent on in pieces of this size. */
const MAX_CHUNK = 256 * 1024;

export type PaneFeedItem =
  | { type: 'snapshot'; text: string; width: number; height: number; cursor: { x: number; y: number } }
  | { type: 'output'; data: string }
  | { type: 'heartbeat' }
  | { type: 'ended'; status: string };

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

async function snapshot(rt: Runtime, t: TerminalRecord): Promise<PaneFeedItem & { type: 'snapshot' }> {
  try {
    const { info, text } = await rt.tmux.styledSnapshot(t.tmuxPane, SNAPSHOT_HISTORY);
    return { type: 'snapshot', text, width: info.width, height: info.height, cursor: { x: info.cursorX, y: info.cursorY } };
  } catch {
    // Its window is gone: the clean log is what remains of what it showed.
    const text = existsSync(t.logFile) ? readFileSync(t.logFile, 'utf8').split('\n').slice(-SNAPSHOT_HISTORY).join('\n') : '';
    return { type: 'snapshot', text, width: 200, height: 50, cursor: { x: 0, y: 49 } };
  }
}

function abortable(signal: AbortSignal): Promise<false> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(false);
    else signal.addEventListener('abort', () => resolve(false), { once: true });
  });
}

/**
 * A terminal's screen for a live view: a snapshot with colours (capture-pane -e), then the raw
 * bytes the pane prints as its raw log grows (the monitor already watches that file), decoded
 * as UTF-8. The raw log's size is taken right after the snapshot, so what follows continues it.
 */
export async function* paneFeed(rt: Runtime, terminal: TerminalRecord, signal: AbortSignal): AsyncGenerator<PaneFeedItem> {
  const raw = terminalRawLogPath(rt.layout, terminal.id);
  let seq = rt.monitor.outputSeq(terminal.id);
  yield await snapshot(rt, terminal);
  let offset = await fileSize(raw);
  if (!rt.monitor.isTracked(terminal.id)) {
    yield { type: 'ended', status: (await rt.terminals.get(terminal.id)).status };
    return;
  }
  const decoder = new StringDecoder('utf8');
  const file = await open(raw, 'r').catch(() => undefined);
  const stopped = abortable(signal);
  let dirty = false;
  try {
    while (!signal.aborted) {
      const more = await Promise.race([rt.monitor.waitForOutput(terminal.id, dirty ? RESYNC_QUIET_MS : HEARTBEAT_MS, seq), stopped]);
      if (signal.aborted) return;
      if (!rt.monitor.isTracked(terminal.id)) {
        yield await snapshot(rt, terminal);
        yield { type: 'ended', status: (await rt.terminals.get(terminal.id)).status };
        return;
      }
      if (!more) {
        if (dirty) {
          dirty = false;
          yield await snapshot(rt, terminal);
          offset = await fileSize(raw);
        } else yield { type: 'heartbeat' };
        continue;
      }
      seq = rt.monitor.outputSeq(terminal.id);
      const size = await fileSize(raw);
      if (size < offset) offset = 0; // the raw log rotated
      while (file && offset < size) {
        const length = Math.min(size - offset, MAX_CHUNK);
        const { bytesRead, buffer } = await file.read(Buffer.alloc(length), 0, length, offset);
        if (bytesRead === 0) break;
        offset += bytesRead;
        const data = decoder.write(buffer.subarray(0, bytesRead));
        if (data) yield { type: 'output', data };
      }
      dirty = true;
    }
  } finally {
    await file?.close();
  }
}

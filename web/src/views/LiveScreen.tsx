import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'preact/hooks';
import { openStream } from '../sse';
import { InputQueue } from '../inputQueue';
import { typed } from '../keys';

interface Snapshot {
  text: string;
  width: number;
  height: number;
  cursor: { x: number; y: number };
}

/** capture-pane lines end in LF; the emulator needs CR LF, and no newline after the last line (it would scroll). */
function snapshotBytes(s: Snapshot): string {
  const lines = s.text.replace(/\n$/, '').split('\n');
  return `${lines.join('\x1b[0m\r\n')}\x1b[0m\x1b[${s.cursor.y + 1};${s.cursor.x + 1}H`;
}

const THEME = { background: '#0d1117', foreground: '#e6edf3', cursor: '#7ee787', selectionBackground: '#264f78' };

/**
 * The pane's screen, live: a snapshot with colours, then the raw bytes the pane prints. Typing
 * into it sends input through the daemon's verified input path.
 */
export function LiveScreen({ terminalId, onError }: { terminalId: string; onError: (message: string) => void }) {
  const host = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'connecting' | 'live' | 'ended' | 'down'>('connecting');

  useEffect(() => {
    const term = new Terminal({
      cols: 200,
      rows: 50,
      fontSize: 11,
      fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace',
      scrollback: 2000,
      theme: THEME,
      allowProposedApi: false,
      cursorBlink: false,
    });
    term.open(host.current!);
    const input = new InputQueue(terminalId, onError);
    const typing = term.onData((data) => {
      const t = typed(data);
      if (t) input.push(t);
    });
    const stream = openStream(
      `/terminals/${terminalId}/stream`,
      (m) => {
        if (m.event === 'snapshot') {
          const s = JSON.parse(m.data) as Snapshot;
          if (term.cols !== s.width || term.rows !== s.height) term.resize(s.width, s.height);
          term.reset();
          term.write(snapshotBytes(s));
          setState('live');
        } else if (m.event === 'output') term.write(JSON.parse(m.data) as string);
        else if (m.event === 'ended') {
          setState('ended');
          stream.close();
        }
      },
      { resume: false, onDown: () => setState('down'), onRefused: () => setState('ended') },
    );
    term.focus();
    return () => {
      stream.close();
      typing.dispose();
      term.dispose();
    };
  }, [terminalId]);

  return (
    <div class="live" data-testid="live" data-state={state}>
      <div class="live-screen" ref={host} />
      {state !== 'live' && <div class="live-state">{state === 'connecting' ? 'connecting…' : state === 'ended' ? 'the terminal has ended; this is its last screen' : 'reconnecting…'}</div>}
    </div>
  );
}

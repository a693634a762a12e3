import { useEffect, useState } from 'preact/hooks';
import { del, get, post } from '../api';
import { ago, cost, place, tokens } from '../format';
import type { Handoff, Message, Terminal } from '../types';
import { LiveScreen } from './LiveScreen';

const LIVE = new Set(['starting', 'idle', 'busy', 'waiting_input', 'completed', 'error']);

function Inbox({ terminal, version }: { terminal: Terminal; version: number }) {
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [handoffs, setHandoffs] = useState<Handoff[]>([]);
  useEffect(() => {
    void get<{ messages: Message[] }>(`/terminals/${terminal.id}/messages`).then((r) => setMessages(r.messages)).catch(() => setMessages([]));
    void get<{ handoffs: Handoff[] }>('/dashboard/handoffs')
      .then((r) => setHandoffs(r.handoffs.filter((h) => h.caller === terminal.id || h.worker === terminal.id)))
      .catch(() => setHandoffs([]));
  }, [terminal.id, version]);
  return (
    <div class="inbox" data-testid="inbox">
      <h3>Inbox</h3>
      {messages === null ? <p class="muted">loading…</p> : messages.length === 0 ? <p class="muted">no messages</p> : (
        <table>
          <thead><tr><th>dir</th><th>from / to</th><th>kind</th><th>state</th><th>when</th><th>message</th></tr></thead>
          <tbody>
            {messages.slice(-50).reverse().map((m) => (
              <tr key={m.id} data-testid="message">
                <td>{m.to === terminal.id ? 'in' : 'out'}</td>
                <td>{m.to === terminal.id ? m.fromLabel : m.to}</td>
                <td>{m.kind}</td>
                <td><span class={`chip state-${m.state}`}>{m.state}</span>{m.reason ? ` ${m.reason}` : ''}</td>
                <td>{ago(m.createdAt)}</td>
                <td class="body">{m.body.length > 300 ? `${m.body.slice(0, 300)}…` : m.body}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>Handoffs in flight</h3>
      {handoffs.length === 0 ? <p class="muted">none</p> : (
        <ul>
          {handoffs.map((h) => (
            <li key={h.id} data-testid="handoff">
              <code>{h.id}</code> {h.mode} {h.caller === terminal.id ? `to worker ${h.worker ?? '…'}` : `from ${h.caller ?? 'outside'}`}
              {h.profile ? ` (${h.profile})` : ''}, started {ago(h.createdAt)}, deadline {new Date(h.deadlineAt).toLocaleTimeString()}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function TerminalView({ terminal, inboxVersion }: { terminal: Terminal; inboxVersion: number }) {
  const [text, setText] = useState('');
  const [note, setNote] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const live = LIVE.has(terminal.status);
  const say = (kind: 'ok' | 'error', text: string) => setNote({ kind, text });

  const run = async (label: string, work: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await work();
      say('ok', label);
    } catch (err) {
      say('error', (err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const send = (e: Event) => {
    e.preventDefault();
    if (!text) return;
    const value = text;
    void run('sent', async () => {
      await post(`/terminals/${terminal.id}/input`, { text: value, enter: true });
      setText('');
    });
  };

  return (
    <section class="terminal-view" data-testid="terminal-view" data-id={terminal.id}>
      <header class="view-head">
        <h2>
          <code>{terminal.id}</code> <span class={`status status-${terminal.status}`} data-testid="view-status">{terminal.status.replace('_', ' ')}</span>
        </h2>
        <div class="facts">
          <span>{terminal.provider}{terminal.profile ? ` · ${terminal.profile}` : ''}</span>
          <span title={terminal.cwd}>{place(terminal)}</span>
          <span>{tokens(terminal.usage)} tokens · {cost(terminal.usage)}</span>
          {terminal.statusDetail && <span class="detail">{terminal.statusDetail}</span>}
        </div>
      </header>
      <LiveScreen key={terminal.id} terminalId={terminal.id} onError={(m) => say('error', m)} />
      <form class="send" onSubmit={send}>
        <input
          data-testid="send-text"
          value={text}
          onInput={(e) => setText((e.target as HTMLInputElement).value)}
          placeholder={live ? 'type a message and press Enter (as `conductor send`)' : 'this terminal has ended'}
          disabled={!live}
        />
        <button type="submit" disabled={!live || busy || !text}>Send</button>
        <button type="button" data-testid="press-escape" disabled={!live} onClick={() => void run('Escape pressed', () => post(`/terminals/${terminal.id}/keys`, { keys: ['Escape'] }))}>Esc</button>
        <button type="button" data-testid="press-ctrl-c" disabled={!live} onClick={() => void run('C-c pressed', () => post(`/terminals/${terminal.id}/keys`, { keys: ['C-c'] }))}>C-c</button>
        <button type="button" data-testid="interrupt" disabled={!live || busy} onClick={() => void run('interrupted', () => post(`/terminals/${terminal.id}/interrupt`, {}))}>Interrupt</button>
        <button
          type="button"
          class="danger"
          data-testid="shutdown"
          disabled={!live || busy}
          onClick={() => {
            if (confirm(`Shut down terminal ${terminal.id}? Its agent is stopped.`)) void run('shut down', () => del(`/terminals/${terminal.id}`));
          }}
        >
          Shut down
        </button>
      </form>
      {note && <p class={`note note-${note.kind}`} data-testid="view-note">{note.text}</p>}
      <p class="attach">
        Take the wheel in a terminal: <code>conductor attach {terminal.id}</code> (detach with <kbd>C-b d</kbd>), or follow its log: <code>conductor logs {terminal.id} -f</code>
      </p>
      <Inbox terminal={terminal} version={inboxVersion} />
    </section>
  );
}

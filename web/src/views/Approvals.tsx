import { useEffect, useState } from 'preact/hooks';
import { get, post } from '../api';
import { ago } from '../format';
import type { Approval, AuditEntry } from '../types';

function RecentScreen({ terminalId }: { terminalId: string }) {
  const [screen, setScreen] = useState<string | null>(null);
  useEffect(() => {
    void get<{ output: string | null }>(`/terminals/${terminalId}/output?mode=screen`)
      .then((r) => setScreen((r.output ?? '').split('\n').slice(-14).join('\n')))
      .catch((err: Error) => setScreen(`(screen unavailable: ${err.message})`));
  }, [terminalId]);
  return <pre class="screen" data-testid="requester-screen">{screen ?? 'loading…'}</pre>;
}

function Request({ a }: { a: Approval }) {
  const [note, setNote] = useState('');
  const [result, setResult] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [deciding, setDeciding] = useState(false);
  const decide = async (decision: 'approve' | 'deny') => {
    setDeciding(true);
    try {
      const r = await post<Approval>(`/approvals/${a.id}/decision`, { decision, note: note || undefined, by: 'dashboard' });
      setResult({ kind: 'ok', text: `${r.state} by ${r.decidedBy}` });
    } catch (err) {
      // Another human (or agent) was first: the message says who, and that their decision stands.
      setResult({ kind: 'error', text: (err as Error).message });
    } finally {
      setDeciding(false);
    }
  };
  return (
    <article class={`approval approval-${a.state}`} data-testid="approval" data-id={a.id} data-state={a.state}>
      <header>
        <code>{a.id}</code> from {a.requester ? <code>{a.requester}</code> : 'outside any terminal'} <span class="muted">· {a.source} · {ago(a.createdAt)} · expires {new Date(a.expiresAt).toLocaleString()}</span>
      </header>
      <p class="action"><strong>{a.action}</strong></p>
      <p class="reason">Why: {a.reason}</p>
      {a.requester && <RecentScreen terminalId={a.requester} />}
      {a.state !== 'pending' && (
        <p class={`note note-${a.state === 'approved' ? 'ok' : 'error'}`} data-testid="approval-state">
          {a.state}{a.decidedBy ? ` by ${a.decidedBy}` : ''}{a.decidedAt ? ` at ${new Date(a.decidedAt).toLocaleTimeString()}` : ''}{a.note ? `: ${a.note}` : ''}
        </p>
      )}
      <div class="decide">
        <input data-testid="approval-note" placeholder="note, or the reason for a denial (optional)" value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
        <button class="approve" data-testid="approve" disabled={deciding || result?.kind === 'ok' || a.state !== 'pending'} onClick={() => void decide('approve')}>Approve</button>
        <button class="danger" data-testid="deny" disabled={deciding || result?.kind === 'ok' || a.state !== 'pending'} onClick={() => void decide('deny')}>Deny</button>
      </div>
      {result && <p class={`note note-${result.kind}`} data-testid="approval-result">{result.text}</p>}
    </article>
  );
}

export function Approvals({ shown, version }: { shown: Approval[]; version: number }) {
  const [history, setHistory] = useState<AuditEntry[]>([]);
  useEffect(() => {
    void get<{ entries: AuditEntry[] }>('/dashboard/audit?limit=100').then((r) => setHistory(r.entries)).catch(() => setHistory([]));
  }, [version]);
  return (
    <section class="approvals" data-testid="approvals">
      <h2>Approval requests</h2>
      {shown.every((a) => a.state !== 'pending') && <p class="empty" data-testid="no-approvals">Nothing waits for a decision.</p>}
      {shown.map((a) => <Request key={a.id} a={a} />)}
      <h2>History</h2>
      <p class="muted">From the audit log (<code>approvals/audit.jsonl</code>); <code>conductor approvals export --csv</code> writes it all.</p>
      <table class="history" data-testid="audit">
        <thead><tr><th>when</th><th>event</th><th>id</th><th>from</th><th>action</th><th>by</th><th>note</th></tr></thead>
        <tbody>
          {history.map((e, i) => (
            <tr key={`${e.id}-${e.event}-${i}`} data-testid="audit-row">
              <td>{new Date(e.at).toLocaleTimeString()}</td>
              <td><span class={`chip event-${e.event}`}>{e.event}</span></td>
              <td><code>{e.id}</code></td>
              <td>{e.requester ?? '–'}</td>
              <td class="body">{e.action}</td>
              <td>{e.decidedBy ?? ''}</td>
              <td>{e.note ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

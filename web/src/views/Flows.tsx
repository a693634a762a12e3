import { useEffect, useState } from 'preact/hooks';
import { get, post } from '../api';
import { ago } from '../format';
import type { Flow } from '../types';

export function Flows({ version }: { version: number }) {
  const [flows, setFlows] = useState<Flow[] | null>(null);
  const [note, setNote] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const load = () => void get<{ flows: Flow[] }>('/flows').then((r) => setFlows(r.flows)).catch((err: Error) => setNote({ kind: 'error', text: err.message }));
  useEffect(load, [version]);
  const act = async (flow: string, what: 'enable' | 'disable' | 'run') => {
    try {
      await post(`/flows/${encodeURIComponent(flow)}/${what}`);
      setNote({ kind: 'ok', text: what === 'run' ? `flow ${flow} started` : `flow ${flow} ${what}d` });
    } catch (err) {
      setNote({ kind: 'error', text: (err as Error).message });
    }
    load();
  };
  return (
    <section class="flows" data-testid="flows">
      <h2>Flows</h2>
      {note && <p class={`note note-${note.kind}`} data-testid="flow-note">{note.text}</p>}
      {flows === null ? <p class="muted">loading…</p> : flows.length === 0 ? (
        <p class="empty">No flows. Add one with <code>conductor flow add &lt;file&gt;</code> (see docs/flows.md).</p>
      ) : (
        <table>
          <thead><tr><th>flow</th><th>schedule</th><th>profile</th><th>enabled</th><th>next run</th><th>last run</th><th /></tr></thead>
          <tbody>
            {flows.map((f) => (
              <tr key={f.name} data-testid="flow" data-name={f.name}>
                <td><strong>{f.name}</strong>{f.description ? <div class="muted">{f.description}</div> : null}</td>
                <td><code>{f.schedule}</code></td>
                <td>{f.profile}</td>
                <td data-testid="flow-enabled">{f.enabled ? 'yes' : 'no'}</td>
                <td>{f.enabled && f.nextRunAt ? new Date(f.nextRunAt).toLocaleString() : '–'}</td>
                <td>{f.lastRun ? <span><span class={`chip state-${f.lastRun.state}`}>{f.lastRun.state}</span> {ago(f.lastRunAt)}{f.lastRun.reason ? ` · ${f.lastRun.reason}` : ''}</span> : 'never'}</td>
                <td><div class="actions">
                  {f.enabled ? <button data-testid="flow-disable" onClick={() => void act(f.name, 'disable')}>Disable</button> : <button data-testid="flow-enable" onClick={() => void act(f.name, 'enable')}>Enable</button>}
                  <button data-testid="flow-run" onClick={() => void act(f.name, 'run')}>Run now</button>
                </div></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

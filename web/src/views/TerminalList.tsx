import { activity, cost, place, tokens } from '../format';
import type { Session, Terminal } from '../types';

export function StatusBadge({ status }: { status: Terminal['status'] }) {
  return <span class={`status status-${status}`} data-testid="status" data-status={status}>{status.replace('_', ' ')}</span>;
}

function Row({ t, since, selected, onSelect, now }: { t: Terminal; since: string; selected: boolean; onSelect: (id: string) => void; now: number }) {
  return (
    <tr
      class={`terminal-row${selected ? ' selected' : ''}${t.status === 'waiting_input' ? ' waiting' : ''}`}
      data-testid="terminal-row"
      data-id={t.id}
      onClick={() => onSelect(t.id)}
      tabIndex={0}
      onKeyDown={(e) => e.key === 'Enter' && onSelect(t.id)}
    >
      <td><code>{t.id}</code></td>
      <td><StatusBadge status={t.status} /></td>
      <td>{t.provider}{t.profile ? <span class="muted"> · {t.profile}</span> : null}</td>
      <td class="place" title={t.worktree ? t.worktree.path : t.cwd}>{place(t)}</td>
      <td class="num">{tokens(t.usage)}</td>
      <td class="num">{cost(t.usage)}</td>
      <td class="num" data-testid="activity">{activity(t, since, now)}</td>
    </tr>
  );
}

/** Every terminal, grouped by session; waiting-for-input ones stand out. */
export function TerminalList(props: { sessions: Session[]; since: Record<string, string>; selected: string | null; onSelect: (id: string) => void; now: number }) {
  const visible = props.sessions.filter((s) => s.terminals.length > 0);
  if (visible.length === 0) {
    return <p class="empty" data-testid="no-terminals">No terminals yet. Launch one here, or with <code>conductor launch</code>.</p>;
  }
  return (
    <table class="terminals" data-testid="terminal-list">
      <thead>
        <tr><th>terminal</th><th>status</th><th>agent</th><th>where</th><th class="num">tokens</th><th class="num">cost</th><th class="num">for</th></tr>
      </thead>
      {visible.map((s) => (
        <tbody key={s.id} data-testid="session" data-name={s.name}>
          <tr class="session-row"><th colSpan={7}>{s.name} <span class="muted">· {s.tmuxSession}</span></th></tr>
          {s.terminals.map((t) => (
            <Row key={t.id} t={t} since={props.since[t.id] ?? t.lastActiveAt} selected={props.selected === t.id} onSelect={props.onSelect} now={props.now} />
          ))}
        </tbody>
      ))}
    </table>
  );
}

import type { EventSourceMessage } from '@microsoft/fetch-event-source';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { get, logout, post } from './api';
import { askForNotifications, notificationsAllowed, notificationsSupported, notify } from './notifications';
import { openStream, type Stream } from './sse';
import type { Approval, ConductorEvent, Session, Terminal, TerminalStatus } from './types';
import { Approvals } from './views/Approvals';
import { Flows } from './views/Flows';
import { Launch, type LaunchRequest } from './views/Launch';
import { TerminalList } from './views/TerminalList';
import { TerminalView } from './views/TerminalView';

type View = 'terminals' | 'approvals' | 'flows' | 'launch';

/** For tests and the bench: the event ids this page received, and a way to cut its event stream and restore it. */
interface DashboardProbe {
  eventIds: number[];
  pauseEvents(): void;
  resumeEvents(): void;
}
declare global {
  interface Window {
    conductorDashboard?: DashboardProbe;
  }
}

const READY: TerminalStatus[] = ['idle', 'completed'];

export function App() {
  const [sessions, setSessions] = useState<Session[] | null>(null);
  const [approvals, setApprovals] = useState<Approval[]>([]);
  const [since, setSince] = useState<Record<string, string>>({});
  const [selected, setSelected] = useState<string | null>(null);
  const [view, setView] = useState<View>('terminals');
  const [versions, setVersions] = useState({ inbox: 0, approvals: 0, flows: 0 });
  const [connected, setConnected] = useState(false);
  const [now, setNow] = useState(Date.now());
  const [notifications, setNotifications] = useState(notificationsAllowed());
  const [error, setError] = useState<string | null>(null);
  const prompts = useRef(new Map<string, string>());
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const loadSessions = () => void get<{ sessions: Session[] }>('/sessions').then((r) => setSessions(r.sessions)).catch((err: Error) => setError(err.message));
  // Requests seen pending stay on the page once decided, showing who decided them.
  const seenPending = useRef(new Set<string>());
  const loadApprovals = () =>
    void get<{ approvals: Approval[] }>('/approvals?all=true')
      .then((r) => {
        for (const a of r.approvals) if (a.state === 'pending') seenPending.current.add(a.id);
        setApprovals(r.approvals.filter((a) => seenPending.current.has(a.id)).reverse());
      })
      .catch((err: Error) => setError(err.message));
  const refreshSoon = () => {
    if (refreshTimer.current) return;
    refreshTimer.current = setTimeout(() => {
      refreshTimer.current = null;
      loadSessions();
    }, 200);
  };
  const bump = (key: keyof typeof versions) => setVersions((v) => ({ ...v, [key]: v[key] + 1 }));

  const sendPrompt = (id: string) => {
    const prompt = prompts.current.get(id);
    if (prompt === undefined) return;
    prompts.current.delete(id);
    void post(`/terminals/${id}/input`, { text: prompt, enter: true }).catch((err: Error) => setError(`the first prompt for ${id} was not sent: ${err.message}`));
  };

  const onEvent = (e: ConductorEvent) => {
    window.conductorDashboard?.eventIds.push(e.id);
    if (e.type === 'terminal.status' && e.terminalId) {
      const status = e.data.status as TerminalStatus;
      const id = e.terminalId;
      setSessions((ss) => ss && ss.map((s) => ({ ...s, terminals: s.terminals.map((t) => (t.id === id ? { ...t, status, statusDetail: (e.data.detail as string | null) ?? null } : t)) })));
      setSince((m) => ({ ...m, [id]: e.createdAt }));
      if (status === 'waiting_input') notify(`Terminal ${id} waits for input`, String(e.data.detail ?? 'it asks a question'), `input-${id}`);
      if (READY.includes(status)) sendPrompt(id);
      refreshSoon();
    } else if (e.type.startsWith('approval.')) {
      loadApprovals();
      bump('approvals');
      if (e.type === 'approval.requested') notify('An approval waits for you', `from terminal ${e.terminalId ?? 'outside'}`, `approval-${String(e.data.approvalId)}`);
    } else if (e.type.startsWith('message.') || e.type.startsWith('handoff.')) bump('inbox');
    else if (e.type.startsWith('flow.')) bump('flows');
    else if (e.type.startsWith('terminal.') || e.type.startsWith('session.') || e.type.startsWith('worktree.') || e.type.startsWith('usage.')) refreshSoon();
  };
  const onEventRef = useRef(onEvent);
  onEventRef.current = onEvent;

  useEffect(() => {
    loadSessions();
    loadApprovals();
    let stream: Stream | undefined;
    const probe: DashboardProbe = { eventIds: [], pauseEvents: () => stream?.pause(), resumeEvents: () => stream?.resume() };
    window.conductorDashboard = probe;
    stream = openStream(
      '/events',
      (m: EventSourceMessage) => {
        if (m.event === 'ready' || m.event === 'heartbeat' || !m.id) return;
        onEventRef.current(JSON.parse(m.data) as ConductorEvent);
      },
      {
        onOpen: () => {
          setConnected(true);
          // Whatever changed while the stream was down is replayed; the lists catch up too.
          loadSessions();
          loadApprovals();
        },
        onDown: () => setConnected(false),
        onRefused: () => location.reload(),
      },
    );
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      stream?.close();
      clearInterval(tick);
    };
  }, []);

  const terminals = useMemo(() => (sessions ?? []).flatMap((s) => s.terminals), [sessions]);
  const current: Terminal | undefined = terminals.find((t) => t.id === selected);
  const waiting = terminals.filter((t) => t.status === 'waiting_input').length;
  const pending = approvals.filter((a) => a.state === 'pending');

  const launched = ({ terminal, prompt }: LaunchRequest) => {
    if (prompt) prompts.current.set(terminal.id, prompt);
    loadSessions();
    setSelected(terminal.id);
    setView('terminals');
  };

  const tab = (v: View, label: string, badge?: number) => (
    <button class={`tab${view === v ? ' active' : ''}`} data-testid={`tab-${v}`} onClick={() => setView(v)}>
      {label}
      {badge ? <span class="badge" data-testid={`badge-${v}`}>{badge}</span> : null}
    </button>
  );

  return (
    <div class="app" data-testid="app" data-ready={sessions !== null && connected ? 'true' : 'false'}>
      <nav class="top">
        <span class="brand">conductor</span>
        {tab('terminals', 'Terminals', waiting)}
        {tab('approvals', 'Approvals', pending.length)}
        {tab('flows', 'Flows')}
        {tab('launch', 'Launch')}
        <span class="spacer" />
        <span class={`conn ${connected ? 'up' : 'down'}`} data-testid="connection">{connected ? 'live' : 'reconnecting…'}</span>
        {notificationsSupported() && !notifications && (
          <button data-testid="enable-notifications" onClick={() => void askForNotifications().then(setNotifications)}>Enable notifications</button>
        )}
        <button onClick={() => void logout().then(() => location.reload())}>Log out</button>
      </nav>
      {error && <p class="note note-error banner" onClick={() => setError(null)}>{error}</p>}
      {view === 'terminals' && (
        <main class="split">
          <div class="list-pane">
            {sessions === null ? <p class="muted">loading…</p> : <TerminalList sessions={sessions} since={since} selected={selected} onSelect={setSelected} now={now} />}
          </div>
          <div class="view-pane">
            {current ? <TerminalView terminal={current} inboxVersion={versions.inbox} /> : <p class="empty">Choose a terminal to watch it live.</p>}
          </div>
        </main>
      )}
      {view === 'approvals' && <main><Approvals shown={approvals} version={versions.approvals} /></main>}
      {view === 'flows' && <main><Flows version={versions.flows} /></main>}
      {view === 'launch' && <main><Launch onLaunched={launched} /></main>}
    </div>
  );
}

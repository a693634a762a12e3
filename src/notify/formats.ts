import type { Notice, NotifyFormat } from './schema.js';

/** One rolled-up message shows this many notices in full; the rest are counted. */
export const MAX_DETAILED = 10;

const LABELS: Record<Notice['event'], [string, string]> = {
  approval: ['approval request waiting', 'approval requests waiting'],
  waiting: ['agent waiting for input', 'agents waiting for input'],
  error: ['agent showing an error', 'agents showing an error'],
  exited: ['unexpected exit', 'unexpected exits'],
  completed: ['answer completed', 'answers completed'],
  handoff_failed: ['handoff failed', 'handoffs failed'],
  flow_failed: ['flow run failed', 'flow runs failed'],
  budget: ['budget alert', 'budget alerts'],
  test: ['test notification', 'test notifications'],
};

export interface RenderedMessage {
  body: string;
  headers: Record<string, string>;
}

/** "Approval needed: …" for one notice; "3 approval requests waiting, 1 unexpected exit" for several. */
export function summary(notices: Notice[]): string {
  if (notices.length === 1) return notices[0].title;
  const counts = new Map<Notice['event'], number>();
  for (const n of notices) counts.set(n.event, (counts.get(n.event) ?? 0) + 1);
  return [...counts].map(([event, n]) => `${n} ${LABELS[event][n === 1 ? 0 : 1]}`).join(', ');
}

export function terminalLine(n: Notice): string | undefined {
  const t = n.terminal;
  if (!t) return undefined;
  const parts = [`terminal ${t.id}`, t.provider, t.profile ? `profile ${t.profile}` : undefined, t.cwd + (t.branch ? ` (branch ${t.branch})` : '')];
  return parts.filter(Boolean).join(' · ');
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The screen's last lines, at most `max` characters, keeping the end (where the news is). */
function screenTail(screen: string, max: number): string {
  return screen.length <= max ? screen : `…${screen.slice(screen.length - max + 1)}`;
}

function plainDetail(n: Notice, screenMax: number): string {
  const lines = [n.title, n.text, terminalLine(n), n.command ? `→ ${n.command}` : undefined];
  if (n.screen) lines.push('', screenTail(n.screen, screenMax));
  return lines.filter((l) => l !== undefined).join('\n');
}

function more(notices: Notice[]): string | undefined {
  const rest = notices.length - MAX_DETAILED;
  return rest > 0 ? `…and ${rest} more: see \`conductor ls\` and \`conductor approvals\`` : undefined;
}

function json(notices: Notice[]): RenderedMessage {
  const body = { source: 'conductor', title: summary(notices), count: notices.length, notices };
  return { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
}

function slack(notices: Notice[]): RenderedMessage {
  const shown = notices.slice(0, MAX_DETAILED);
  const blocks: unknown[] = [{ type: 'header', text: { type: 'plain_text', text: cut(summary(notices), 150) } }];
  for (const n of shown) {
    const lines = [`*${n.title}*`, n.text, terminalLine(n) && `_${terminalLine(n)}_`, n.command && `\`${n.command}\``].filter(Boolean);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(lines.join('\n'), 3000) } });
    if (n.screen) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `\`\`\`${screenTail(n.screen, 1500)}\`\`\`` } });
  }
  const tail = more(notices);
  if (tail) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: tail }] });
  const text = cut([summary(notices), ...shown.map((n) => `• ${n.title}${n.command ? ` — ${n.command}` : ''}`)].join('\n'), 3000);
  return { body: JSON.stringify({ text, blocks }), headers: { 'content-type': 'application/json' } };
}

const DISCORD_COLOURS: Partial<Record<Notice['event'], number>> = { approval: 0xf1c40f, waiting: 0x3498db, completed: 0x2ecc71 };

function discord(notices: Notice[]): RenderedMessage {
  const embeds = notices.slice(0, MAX_DETAILED).map((n) => {
    const fields = [];
    const where = terminalLine(n);
    if (where) fields.push({ name: 'Terminal', value: cut(where, 1024) });
    if (n.command) fields.push({ name: 'Act', value: cut(`\`${n.command}\``, 1024) });
    const description = [n.text, n.screen ? `\`\`\`\n${screenTail(n.screen, 1500)}\n\`\`\`` : undefined].filter(Boolean).join('\n');
    return { title: cut(n.title, 256), description: cut(description, 4096), color: DISCORD_COLOURS[n.event] ?? 0xe74c3c, fields, timestamp: n.at };
  });
  const content = cut([summary(notices), more(notices)].filter(Boolean).join('\n'), 2000);
  return { body: JSON.stringify({ content, embeds }), headers: { 'content-type': 'application/json' } };
}

const NTFY_TAGS: Record<Notice['event'], string> = {
  approval: 'warning',
  waiting: 'question',
  error: 'x',
  exited: 'skull',
  completed: 'white_check_mark',
  handoff_failed: 'x',
  flow_failed: 'x',
  budget: 'moneybag',
  test: 'test_tube',
};
const URGENT = new Set<Notice['event']>(['approval', 'waiting', 'error', 'exited']);

/** HTTP headers carry Latin-1 at most; ntfy titles are kept to printable ASCII. */
const headerSafe = (s: string) => cut(s.replace(/[^\x20-\x7e]/g, '').trim(), 200) || 'conductor';

function ntfy(notices: Notice[]): RenderedMessage {
  const shown = notices.slice(0, MAX_DETAILED);
  const perNotice = Math.floor(3500 / shown.length);
  const body = [...shown.map((n) => cut(plainDetail(n, 600), perNotice)), more(notices)].filter(Boolean).join('\n\n');
  const tags = [...new Set(notices.map((n) => NTFY_TAGS[n.event]))].join(',');
  return {
    body,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      Title: headerSafe(summary(notices)),
      Priority: notices.some((n) => URGENT.has(n.event)) ? 'high' : 'default',
      Tags: tags,
    },
  };
}

export function render(format: NotifyFormat, notices: Notice[]): RenderedMessage {
  switch (format) {
    case 'slack':
      return slack(notices);
    case 'discord':
      return discord(notices);
    case 'ntfy':
      return ntfy(notices);
    case 'json':
      return json(notices);
  }
}

/** For desktop and tmux targets: a title and a short body. */
export function plain(notices: Notice[]): { title: string; body: string } {
  const shown = notices.slice(0, 3);
  const body = shown.map((n) => [n.text, n.command ? `→ ${n.command}` : undefined].filter(Boolean).join('\n'));
  if (notices.length > shown.length) body.push(`…and ${notices.length - shown.length} more`);
  return { title: `conductor: ${summary(notices)}`, body: body.join('\n') };
}

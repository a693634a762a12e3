import { useEffect, useState } from 'preact/hooks';
import { get, post } from '../api';
import type { Terminal } from '../types';

interface Choice {
  name: string;
  description?: string | null;
}

export interface LaunchRequest {
  terminal: Terminal;
  prompt: string;
}

/** Starts a session with its first terminal, as `conductor launch --headless`; the prompt follows once it is ready. */
export function Launch({ onLaunched }: { onLaunched: (r: LaunchRequest) => void }) {
  const [providers, setProviders] = useState<Choice[]>([]);
  const [profiles, setProfiles] = useState<Choice[]>([]);
  const [form, setForm] = useState({ provider: 'shell', profile: '', name: '', cwd: '', worktree: false, branch: '', prompt: '' });
  const [error, setError] = useState<string | null>(null);
  const [launching, setLaunching] = useState(false);
  useEffect(() => {
    void get<{ providers: Choice[] }>('/providers').then((r) => setProviders(r.providers)).catch(() => undefined);
    void get<{ profiles: Choice[] }>('/profiles').then((r) => setProfiles(r.profiles)).catch(() => undefined);
  }, []);
  const set = (key: keyof typeof form) => (e: Event) => {
    const el = e.target as HTMLInputElement;
    setForm({ ...form, [key]: el.type === 'checkbox' ? el.checked : el.value });
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setLaunching(true);
    try {
      const body = {
        ...(form.profile ? { profile: form.profile } : { provider: form.provider }),
        ...(form.name ? { name: form.name } : {}),
        ...(form.cwd ? { cwd: form.cwd } : {}),
        ...(form.worktree ? { worktree: form.branch ? { branch: form.branch } : {} } : {}),
      };
      const r = await post<{ terminal: Terminal }>('/sessions', body);
      onLaunched({ terminal: r.terminal, prompt: form.prompt });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setLaunching(false);
    }
  };
  return (
    <section class="launch" data-testid="launch">
      <h2>Launch a terminal</h2>
      <form onSubmit={(e) => void submit(e)}>
        <label>Profile
          <select data-testid="launch-profile" value={form.profile} onChange={set('profile')}>
            <option value="">none: choose a provider</option>
            {profiles.map((p) => <option key={p.name} value={p.name}>{p.name}{p.description ? ` – ${p.description}` : ''}</option>)}
          </select>
        </label>
        <label>Provider
          <select data-testid="launch-provider" value={form.provider} onChange={set('provider')} disabled={!!form.profile}>
            {(providers.length ? providers : [{ name: 'shell' }]).map((p) => <option key={p.name} value={p.name}>{p.name}</option>)}
          </select>
        </label>
        <label>Session name <input data-testid="launch-name" value={form.name} onInput={set('name')} placeholder="optional" /></label>
        <label>Working folder <input data-testid="launch-cwd" value={form.cwd} onInput={set('cwd')} placeholder="absolute path; default: the daemon's folder" /></label>
        <label class="inline"><input type="checkbox" data-testid="launch-worktree" checked={form.worktree} onChange={set('worktree')} /> in a new git worktree</label>
        {form.worktree && <label>Branch <input data-testid="launch-branch" value={form.branch} onInput={set('branch')} placeholder="optional; a new branch of its own by default" /></label>}
        <label>First prompt <textarea data-testid="launch-prompt" value={form.prompt} onInput={set('prompt')} rows={4} placeholder="optional: sent once the agent is ready" /></label>
        <button type="submit" class="approve" data-testid="launch-submit" disabled={launching}>{launching ? 'Launching…' : 'Launch'}</button>
      </form>
      {error && <p class="note note-error" data-testid="launch-error">{error}</p>}
    </section>
  );
}

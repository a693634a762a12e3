/** Calls to the daemon from the page: the session cookie goes along, the CSRF token in a header. */

export const CSRF_HEADER = 'x-conductor-csrf';
const CSRF_KEY = 'conductor.csrf';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let onLoggedOut: (message: string) => void = () => undefined;

/** Called when the daemon says the session is gone (expired, or the daemon restarted). */
export function whenLoggedOut(handler: (message: string) => void): void {
  onLoggedOut = handler;
}

export function csrfToken(): string | null {
  return localStorage.getItem(CSRF_KEY);
}

export function authHeaders(): Record<string, string> {
  return { [CSRF_HEADER]: csrfToken() ?? '' };
}

async function errorOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  return new ApiError(res.status, body?.error?.code ?? 'internal', body?.error?.message ?? `the daemon answered HTTP ${res.status}`);
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { ...authHeaders(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, 'daemon_unavailable', `cannot reach the daemon (${(err as Error).message}): is it running? \`conductor daemon status\``);
  }
  if (!res.ok) {
    const err = await errorOf(res);
    if (res.status === 401) onLoggedOut(err.message);
    throw err;
  }
  return (await res.json()) as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => api<T>('POST', path, body);
export const del = <T>(path: string) => api<T>('DELETE', path);

/** Trades the one-time code from the login link for a session; the CSRF token is kept for this origin only. */
export async function login(code: string): Promise<void> {
  const res = await fetch('/dashboard/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  if (!res.ok) throw await errorOf(res);
  const { csrf } = (await res.json()) as { csrf: string };
  localStorage.setItem(CSRF_KEY, csrf);
}

export async function logout(): Promise<void> {
  await del('/dashboard/session').catch(() => undefined);
  localStorage.removeItem(CSRF_KEY);
}

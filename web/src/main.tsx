import { render } from 'preact';
import { ApiError, csrfToken, get, login, whenLoggedOut } from './api';
import { App } from './App';
import './style.css';
import { LoginFailed, LoginHelp } from './views/Login';

const root = document.getElementById('app')!;

/** The login link is /login#code=…: the code is traded for a session and leaves the address bar at once. */
async function start(): Promise<void> {
  whenLoggedOut((message) => {
    // No cookie at all: the daemon asks for its CLI token, which says nothing to a person here.
    const reason = /bearer token/.test(message) ? 'you are not logged in (no session cookie in this browser)' : message;
    render(<LoginHelp reason={reason} />, root);
  });
  if (location.pathname === '/login') {
    const code = new URLSearchParams(location.hash.slice(1)).get('code');
    history.replaceState(null, '', '/');
    if (!code) return render(<LoginFailed message="the link has no login code: copy the whole link that `conductor dashboard` printed" />, root);
    try {
      await login(code);
    } catch (err) {
      return render(<LoginFailed message={(err as Error).message} />, root);
    }
  }
  if (!csrfToken()) return render(<LoginHelp />, root);
  try {
    await get('/dashboard/session');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return; // whenLoggedOut showed how to log in
    return render(<LoginHelp reason={(err as Error).message} />, root);
  }
  render(<App />, root);
}

void start();

/** What a page without a session shows: only how to log in. */
export function LoginHelp({ reason }: { reason?: string }) {
  return (
    <main class="login" data-testid="login-help">
      <h1>conductor</h1>
      <h2>Log in to the dashboard</h2>
      {reason && <p class="note note-error" data-testid="login-reason">{reason}</p>}
      <p>In a terminal on this machine, run:</p>
      <pre>conductor dashboard</pre>
      <p>It opens this page with a one-time login link (<code>--url</code> only prints the link). A link works once, for two minutes.</p>
    </main>
  );
}

/** An expired, used or unknown login link. */
export function LoginFailed({ message }: { message: string }) {
  return (
    <main class="login" data-testid="login-failed">
      <h1>conductor</h1>
      <h2>This login link cannot be used</h2>
      <p class="note note-error" data-testid="login-failed-reason">{message}</p>
      <p>Get a new link by running, in a terminal on this machine:</p>
      <pre>conductor dashboard</pre>
    </main>
  );
}

/**
 * A webhook URL is a credential: Slack's and Discord's carry their token in the path, ntfy's
 * topic is its only secret, others put keys in the query. Logs and listings get this instead.
 */
const PLAIN_SEGMENT = /^[a-z]{1,10}$/;

export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '<invalid URL>';
  }
  const segments = url.pathname.split('/').filter(Boolean);
  // Plain words like "services" or "api" say which service it is; the last segment is always hidden.
  const path = segments.map((s, i) => (i < segments.length - 1 && PLAIN_SEGMENT.test(s) ? s : '***'));
  const auth = url.username || url.password ? '***@' : '';
  return `${url.protocol}//${auth}${url.host}${path.length ? `/${path.join('/')}` : ''}${url.search ? '?***' : ''}`;
}

/** An error message with every occurrence of the URL (and its path and query) replaced. */
export function redactIn(message: string, raw: string): string {
  let out = message.split(raw).join(redactUrl(raw));
  try {
    const url = new URL(raw);
    for (const part of [url.pathname, url.search, url.username, url.password]) {
      if (part && part.length > 3) out = out.split(part).join('***');
    }
  } catch {
    // nothing more to hide
  }
  return out;
}

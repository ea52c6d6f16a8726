// fetch() refuses URLs that carry credentials; users still write them (http://user:pass@host/metrics).
// Split them into a clean URL and a basic-auth header, so they travel only in the header.

export interface HttpTarget {
  url: string;
  headers: Record<string, string>;
  /** Strings that must never appear in messages (the password and the header value). */
  secrets: string[];
}

export function httpTarget(raw: string): HttpTarget {
  const u = new URL(raw);
  if (!u.username && !u.password) return { url: u.toString(), headers: {}, secrets: [] };
  const user = decodeURIComponent(u.username);
  const pass = decodeURIComponent(u.password);
  u.username = '';
  u.password = '';
  const token = Buffer.from(`${user}:${pass}`).toString('base64');
  return { url: u.toString(), headers: { authorization: `Basic ${token}` }, secrets: [pass, token].filter((s) => s.length >= 4) };
}

// Credentials must never reach logs, summaries or results: every URL that leaves the harness goes through here.

// scheme://user[:password]@ — a password may hold characters (even an unescaped "/" or "@") a user name
// may not, so the password runs to the last "@" before whitespace: over-redacting an odd URL beats a leak.
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^/@\s:]*(?::[^\s]*)?@/;

/** Replaces userinfo in URLs (amqp://user:pass@host -> amqp://***@host). */
export function redactUrl(url: string): string {
  return url.replace(new RegExp(`^${USERINFO.source}`, 'i'), '$1***@');
}

/** Redacts every URL with userinfo inside free text, and any of the given secrets verbatim. */
export function redactText(text: string, secrets: string[] = []): string {
  let out = text.replace(new RegExp(`\\b${USERINFO.source}`, 'gi'), '$1***@');
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

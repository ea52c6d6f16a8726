// Credentials must never reach logs, summaries or results: every URL that leaves the harness goes through here.

// scheme://user[:password]@ — a password may hold characters (even an unescaped "/" or "@") a user name
// may not, so the password runs to the last "@" before whitespace: over-redacting an odd URL beats a leak.
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^/@\s:]*(?::[^\s]*)?@/;

/** Replaces userinfo in URLs (amqp://user:pass@host -> amqp://***@host). */
export function redactUrl(url: string): string {
  return url.replace(new RegExp(`^${USERINFO.source}`, 'i'), '$1***@');
}

// Values the process learned are secret (e.g. a scenario header's ${env.API_TOKEN}); every redactText
// call hides them, so no log line or report can carry one whichever path it took.
const registered = new Set<string>();

/** Adds values every later redactText call hides (values shorter than 4 characters are not redacted). */
export function registerSecrets(values: Iterable<string>): void {
  for (const v of values) if (v.length >= 4) registered.add(v);
}

/** Redacts every URL with userinfo inside free text, and any of the given or registered secrets verbatim. */
export function redactText(text: string, secrets: string[] = []): string {
  let out = text.replace(new RegExp(`\\b${USERINFO.source}`, 'gi'), '$1***@');
  for (const secret of registered.size > 0 ? [...secrets, ...registered] : secrets) {
    if (secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

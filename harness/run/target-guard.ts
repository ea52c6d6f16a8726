import { UsageError } from '../errors.ts';
import { redactUrl } from '../redact.ts';

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;

/** Load is only ever aimed at this machine unless the user says otherwise, explicitly. */
export function assertLoopbackTarget(urls: Array<{ what: string; url: string }>, allowRemote: boolean): void {
  if (allowRemote) return;
  const remote = urls.filter(({ url }) => {
    try {
      return !LOOPBACK.test(new URL(url).hostname);
    } catch {
      throw new UsageError(`${redactUrl(url)} is not a valid URL.`);
    }
  });
  if (remote.length > 0) {
    const list = remote.map((r) => `${r.what} ${redactUrl(r.url)}`).join(', ');
    throw new UsageError(
      `Refusing to send load to a non-loopback address (${list}). rushgate targets 127.0.0.1 by default; ` +
        'pass --allow-remote-target if you really mean to load that host.',
    );
  }
}

import type { LoadSecond } from '../run-record.ts';

/**
 * Live progress. Without a TTY (CI) one plain line every few seconds, so logs stay readable;
 * on a TTY the line is rewritten in place every second.
 */
export function progressPrinter(opts: { tty: boolean; everySec?: number; write?: (s: string) => void }) {
  const write = opts.write ?? ((s: string) => process.stderr.write(s));
  const every = opts.tty ? 1 : (opts.everySec ?? 5);
  return (second: LoadSecond, connections: number | undefined) => {
    if ((second.t + 1) % every !== 0) return;
    const responses = Object.values(second.status).reduce((a, b) => a + b, 0);
    const errors = Object.values(second.errors).reduce((a, b) => a + b, 0);
    const failed = Object.entries(second.status).filter(([code]) => Number(code) >= 500).reduce((a, [, n]) => a + n, 0) + errors;
    const errPct = responses + errors > 0 ? (100 * failed) / (responses + errors) : 0;
    const line =
      `t=${String(second.t + 1).padStart(3)}s ${second.clock} ${second.phase.padEnd(12)} ` +
      `sched ${String(second.scheduled).padStart(5)}/s sent ${String(second.sent).padStart(5)}/s ` +
      `drop ${String(second.dropped).padStart(4)} p99 ${second.latency.p99.toFixed(0).padStart(5)} ms ` +
      `err ${errPct.toFixed(1).padStart(5)}% conns ${connections ?? '?'}`;
    write(opts.tty ? `\r\x1b[2K${line}` : `${line}\n`);
  };
}

// Live progress for a load run. It subscribes to the run's events; the driver knows nothing of it.
// On a TTY: one line redrawn every second (bar, elapsed/total, scenario clock, phase, scheduled vs
// achieved rate, p99, error %, broker connections). Without a TTY (CI logs): one plain line per
// `everySec` window, summed over the window, plus a line at each phase change. NO_COLOR is honoured.
import type { LoadSecond } from '../run-record.ts';

export interface ProgressOptions {
  /** Wall seconds of the schedule, for the bar and "elapsed/total". */
  totalSec: number;
  stream?: { write(text: string): unknown; isTTY?: boolean };
  tty?: boolean;
  quiet?: boolean;
  /** Defaults to on for a TTY unless NO_COLOR is set. */
  color?: boolean;
  /** Window of one plain line without a TTY. */
  everySec?: number;
}

/** A window of seconds, summed: what one progress line reports. */
export interface ProgressWindow {
  t: number;
  clock: string;
  phase: string;
  seconds: number;
  scheduled: number;
  sent: number;
  dropped: number;
  responses: number;
  failed: number;
  p99: number;
  connections: number | undefined;
}

export function emptyWindow(): ProgressWindow {
  return { t: 0, clock: '', phase: '', seconds: 0, scheduled: 0, sent: 0, dropped: 0, responses: 0, failed: 0, p99: 0, connections: undefined };
}

/** Adds a second to a window. Failures: 5xx plus errors without a status (as the gate counts them). */
export function addSecond(w: ProgressWindow, s: LoadSecond, connections: number | undefined): ProgressWindow {
  const responses = Object.values(s.status).reduce((a, b) => a + b, 0);
  const errors = Object.values(s.errors).reduce((a, b) => a + b, 0);
  const fiveXx = Object.entries(s.status).reduce((n, [code, count]) => (Number(code) >= 500 ? n + count : n), 0);
  return {
    t: s.t,
    clock: s.clock,
    phase: s.phase,
    seconds: w.seconds + 1,
    scheduled: w.scheduled + s.scheduled,
    sent: w.sent + s.sent,
    dropped: w.dropped + s.dropped,
    responses: w.responses + responses + errors,
    failed: w.failed + fiveXx + errors,
    p99: Math.max(w.p99, s.latency.p99),
    connections: connections ?? w.connections,
  };
}

const paint = (on: boolean, code: number, text: string) => (on ? `\x1b[${code}m${text}\x1b[0m` : text);

export function formatProgress(w: ProgressWindow, totalSec: number, opts: { color: boolean; bar: boolean }): string {
  const elapsed = Math.min(w.t + 1, Math.ceil(totalSec));
  const per = (n: number) => Math.round(n / Math.max(1, w.seconds));
  const errPct = w.responses > 0 ? (100 * w.failed) / w.responses : 0;
  const parts = [
    `${String(elapsed).padStart(String(Math.ceil(totalSec)).length)}/${Math.ceil(totalSec)}s`,
    `${w.clock} ${w.phase.padEnd(12)}`,
    `sched ${String(per(w.scheduled)).padStart(5)}/s`,
    `sent ${String(per(w.sent)).padStart(5)}/s`,
    `p99 ${w.p99.toFixed(0).padStart(5)} ms`,
    paint(opts.color && w.failed > 0, 31, `err ${errPct.toFixed(1).padStart(5)}%`),
    paint(opts.color && w.dropped > 0, 33, `drop ${String(w.dropped).padStart(4)}`),
    `conns ${w.connections ?? '-'}`,
  ];
  if (!opts.bar) return parts.join('  ');
  const width = 20;
  const filled = Math.round((width * Math.min(elapsed, totalSec)) / Math.max(totalSec, 1e-9));
  return `[${paint(opts.color, 36, '#'.repeat(filled))}${'-'.repeat(width - filled)}] ${parts.join('  ')}`;
}

export interface Progress {
  second(second: LoadSecond, connections?: number): void;
  phase(p: { name: string; t: number }): void;
  /** Ends the live line (TTY) or flushes the last partial window (plain). */
  done(): void;
}

export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  const tty = opts.tty ?? Boolean(stream.isTTY);
  const color = opts.color ?? (tty && !process.env.NO_COLOR);
  const every = Math.max(1, opts.everySec ?? 5);
  let window = emptyWindow();
  let drawn = false;
  if (opts.quiet) return { second() {}, phase() {}, done() {} };

  const flush = () => {
    if (window.seconds === 0) return;
    stream.write(`${formatProgress(window, opts.totalSec, { color, bar: false })}\n`);
    window = emptyWindow();
  };
  return {
    second(s, connections) {
      if (tty) {
        stream.write(`\r\x1b[2K${formatProgress(addSecond(emptyWindow(), s, connections), opts.totalSec, { color, bar: true })}`);
        drawn = true;
        return;
      }
      window = addSecond(window, s, connections);
      if (window.seconds >= every) flush();
    },
    phase(p) {
      if (tty) return; // the live line shows the phase
      flush();
      stream.write(`phase ${p.name} at ${p.t.toFixed(1)} s\n`);
    },
    done() {
      if (tty && drawn) stream.write('\n');
      if (!tty) flush();
    },
  };
}

/** Subscribes progress to a run's events; returns a function that unsubscribes. */
export function attachProgress(
  run: { on(event: string, listener: (...args: any[]) => void): unknown; off(event: string, listener: (...args: any[]) => void): unknown },
  progress: Progress,
  connections?: () => number | undefined,
): () => void {
  const onSecond = (s: LoadSecond) => progress.second(s, connections?.());
  const onPhase = (p: { name: string; t: number }) => progress.phase(p);
  const onDone = () => progress.done();
  run.on('second', onSecond);
  run.on('phase', onPhase);
  run.on('done', onDone);
  return () => {
    run.off('second', onSecond);
    run.off('phase', onPhase);
    run.off('done', onDone);
  };
}

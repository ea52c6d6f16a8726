import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { attachProgress, createProgress } from '../../harness/load/progress.ts';
import type { LoadSecond } from '../../harness/run-record.ts';

function second(t: number, over: Partial<LoadSecond> = {}): LoadSecond {
  return {
    t, clock: `07:${String(45 + t).padStart(2, '0')}`, phase: 'peak-1', scheduled: 200, sent: 200, completed: 200, dropped: 0,
    status: { '200': 200 }, errors: {}, latency: { p50: 2, p90: 5, p99: 12, max: 30 }, ...over,
  };
}

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { out, stream: { isTTY, write: (s: string) => out.push(s) } };
}

describe('progress', () => {
  it('without a TTY prints one plain line per window, summed, and a line per phase change', () => {
    const { out, stream } = sink(false);
    const p = createProgress({ totalSec: 45, stream, everySec: 2 });
    p.phase({ name: 'peak-1', t: 22.5 });
    p.second(second(0), 10);
    p.second(second(1, { status: { '200': 190, '503': 10 }, errors: { timeout: 5 }, dropped: 3, sent: 197, latency: { p50: 2, p90: 5, p99: 80, max: 90 } }), 12);
    p.second(second(2), 12);
    p.done();
    expect(out).toEqual([
      'phase peak-1 at 22.5 s\n',
      ' 2/45s  07:46 peak-1        sched   200/s  sent   199/s  p99    80 ms  err   3.7%  drop    3  conns 12\n',
      ' 3/45s  07:47 peak-1        sched   200/s  sent   200/s  p99    12 ms  err   0.0%  drop    0  conns 12\n',
    ]);
    expect(out.join('')).not.toContain('\x1b[');
  });

  it('on a TTY redraws one line with a bar, colours problems, and ends with a newline', () => {
    const { out, stream } = sink(true);
    const p = createProgress({ totalSec: 4, stream, color: true });
    p.second(second(1, { dropped: 5 }), 3);
    p.done();
    expect(out[0]).toMatch(/^\r\x1b\[2K\[\x1b\[36m##########\x1b\[0m----------\] 2\/4s/);
    expect(out[0]).toContain('\x1b[33mdrop    5\x1b[0m');
    expect(out[1]).toBe('\n');
  });

  it('honours NO_COLOR and --quiet', () => {
    const saved = process.env.NO_COLOR;
    process.env.NO_COLOR = '1';
    try {
      const { out, stream } = sink(true);
      const p = createProgress({ totalSec: 4, stream });
      p.second(second(0, { errors: { reset: 3 } }));
      expect(out[0]).not.toMatch(/\x1b\[3\dm/);
      expect(out[0]).toContain('conns -');
    } finally {
      if (saved === undefined) delete process.env.NO_COLOR;
      else process.env.NO_COLOR = saved;
    }
    const quiet = sink(true);
    const q = createProgress({ totalSec: 4, stream: quiet.stream, quiet: true });
    q.second(second(0));
    q.done();
    expect(quiet.out).toEqual([]);
  });

  it('subscribes to a run and unsubscribes', () => {
    const run = new EventEmitter();
    const { out, stream } = sink(false);
    const detach = attachProgress(run, createProgress({ totalSec: 2, stream, everySec: 1 }), () => 7);
    run.emit('second', second(0));
    detach();
    run.emit('second', second(1));
    expect(out).toHaveLength(1);
    expect(out[0]).toContain('conns 7');
    expect(run.listenerCount('second')).toBe(0);
  });
});

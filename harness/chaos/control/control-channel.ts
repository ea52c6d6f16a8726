import { randomBytes } from 'node:crypto';
import { startOwnedProcess, type OwnedProcess } from '../../lifecycle/owned-process.ts';
import { controlLoopSource } from './control-loop.ts';

const ERL = process.env.RUSHGATE_ERL ?? 'erl';
const DEFAULT_TIMEOUT_MS = 15_000;
// The Node-side wait outlasts the Erlang-side rpc timeout, so a reply normally comes first and says why.
const REPLY_SLACK_MS = 2_000;

export class ControlError extends Error {
  override name = 'ControlError';
}

export interface ControlChannelOptions {
  /** The brokers' epmd port (ERL_EPMD_PORT): the control node registers there and finds them there. */
  epmdPort: number;
  /** A directory whose `.erlang.cookie` is the brokers' cookie (a local node's HOME); also the working dir. */
  cookieHome: string;
  /** For logs, e.g. the broker's node name. */
  label: string;
}

export interface ControlChannel {
  /** The hidden node's own name: a partition must leave its links to the brokers open. */
  nodeName: string;
  /** Resolves once the loop reads requests (requests sent earlier wait in the pipe); rejects if it never does. */
  ready: Promise<void>;
  /**
   * Evaluates an Erlang expression on `node` and resolves with its value as rabbitmqctl eval prints it;
   * with `atEpochMs`, it is held on the broker node until then (a scheduled action sent ahead of time).
   */
  eval(node: string, expr: string, opts?: { timeoutMs?: number; atEpochMs?: number }): Promise<string>;
  /** False once the control node has exited (the caller may fall back to rabbitmqctl). */
  alive(): boolean;
  stop(): Promise<void>;
}

interface Pending {
  resolve: (text: string) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One hidden Erlang node, started once with the broker and kept for the whole run, that evaluates fault
 * actions on the broker nodes over Erlang distribution: an action costs a round trip (milliseconds),
 * not the boot of a VM that `rabbitmqctl` costs (~1.5 s idle, ~12 s under load here). Owned like any
 * other process: stopped on every exit path, and it halts by itself when its stdin closes.
 */
export function startControlChannel(opts: ControlChannelOptions): ControlChannel {
  const nodeName = `rushgate-ctl-${randomBytes(4).toString('hex')}@localhost`;
  const pending = new Map<string, Pending>();
  let nextId = 1;
  let markReady: () => void = () => {};
  let failReady: (err: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  ready.catch(() => {});

  const onLine = (line: string) => {
    if (line === 'ready') return markReady();
    const m = /^(\S+) (ok|error) ?(.*)$/.exec(line);
    const waiting = m ? pending.get(m[1]!) : undefined;
    if (!m || !waiting) return;
    pending.delete(m[1]!);
    clearTimeout(waiting.timer);
    if (m[2] === 'ok') waiting.resolve(m[3]!);
    else waiting.reject(new ControlError(`on the broker: ${m[3]}`));
  };

  const proc: OwnedProcess = startOwnedProcess({
    name: `control node for ${opts.label}`,
    command: ERL,
    args: [
      '-hidden',
      '-noshell',
      '-sname',
      nodeName,
      // Like the brokers' own distribution: loopback only.
      '-kernel',
      'inet_dist_use_interface',
      '{127,0,0,1}',
      '-eval',
      controlLoopSource(),
    ],
    // The cookie is read from HOME/.erlang.cookie, never put on a command line that `ps` shows.
    env: { ...process.env, HOME: opts.cookieHome, ERL_EPMD_PORT: String(opts.epmdPort), ERL_EPMD_ADDRESS: '127.0.0.1' },
    cwd: opts.cookieHome,
    stdinPipe: true,
    graceMs: 1_000,
    onLine,
  });
  proc.stdin?.on('error', () => {});
  void proc.exited.then(() => {
    const why = new ControlError(`the control node exited: ${proc.tail(5) || 'no output'}`);
    failReady(why);
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      pending.delete(id);
      p.reject(why);
    }
  });

  return {
    nodeName,
    ready,
    alive: () => !proc.hasExited(),
    eval: (node, expr, { timeoutMs = DEFAULT_TIMEOUT_MS, atEpochMs = 0 } = {}) =>
      new Promise<string>((resolve, reject) => {
        if (proc.hasExited() || !proc.stdin) return reject(new ControlError('the control node is not running'));
        const id = String(nextId++);
        const heldMs = Math.max(0, atEpochMs - Date.now());
        const rpcTimeoutMs = Math.max(1, Math.round(timeoutMs + heldMs));
        const waitMs = rpcTimeoutMs + REPLY_SLACK_MS;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new ControlError(`no answer from the control node within ${waitMs} ms`));
        }, waitMs);
        pending.set(id, { resolve, reject, timer });
        const line = notAfter(Date.now() + rpcTimeoutMs, heldMs > 0 ? heldUntil(atEpochMs, expr) : oneExpression(expr));
        proc.stdin.write(`${id} ${node} ${rpcTimeoutMs} ${line}\n`);
      }),
    stop: () => proc.stop(),
  };
}

/**
 * The expression, held on the broker node until `atEpochMs` by a process at high priority: the request
 * crosses the distribution link ahead of time, and at the moment itself only the broker's own scheduler
 * stands between the timeline and the action (under full load its run queue is long; high priority skips it).
 */
export function heldUntil(atEpochMs: number, expr: string): string {
  return after(
    `process_flag(priority, high), RushgateHoldMs = ${Math.round(atEpochMs)} - os:system_time(millisecond), ` +
      'if RushgateHoldMs > 0 -> timer:sleep(RushgateHoldMs); true -> ok end',
    expr,
  );
}

/**
 * The expression, refused on the broker node once `deadlineEpochMs` has passed: by then the harness has
 * stopped waiting for its answer, and a call that reached a starved node late must not act unseen (a fault
 * the timeline recorded as failed, and left alone, would then stay). Same clock: faults run only on
 * brokers on this machine, and both sides read the OS clock (Date.now, os:system_time). Not
 * erlang:system_time: a VM keeps the offset it started with, so after the OS clock steps it differs from
 * Date.now for good (CI: a deadline 1 s past was not refused).
 */
export function notAfter(deadlineEpochMs: number, expr: string): string {
  return after(`case os:system_time(millisecond) > ${Math.round(deadlineEpochMs)} of true -> erlang:error(rushgate_deadline_passed); false -> ok end`, expr);
}

/** `first`, then the expression, as one line. */
function after(first: string, expr: string): string {
  return oneExpression(`${first}, ${oneExpression(expr).replace(/\.$/, '')}`);
}

/** One line, ending in the full stop erl_parse wants. */
export function oneExpression(expr: string): string {
  const line = expr.replace(/\s*\n\s*/g, ' ').trim();
  return line.endsWith('.') ? line : `${line}.`;
}

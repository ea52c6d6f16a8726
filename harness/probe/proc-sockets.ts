// Which of the target's processes holds a given local TCP port, read from Linux's /proc: the port's
// socket inode in /proc/net/tcp{,6}, and the process whose /proc/<pid>/fd links to that inode. Works
// for local processes and host-network containers (same network namespace as rushgate); elsewhere it
// finds nothing and attribution falls back to connection names.
import { readdir, readFile, readlink } from 'node:fs/promises';

export interface TcpSocket {
  localPort: number;
  remotePort: number;
  inode: number;
}

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** The executable's name as the kernel reports it (at most 15 characters). */
  comm: string;
}

/** Rows of /proc/net/tcp or /proc/net/tcp6 (the header line and malformed lines are skipped). */
export function parseProcNetTcp(text: string): TcpSocket[] {
  const out: TcpSocket[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !/^\d+:$/.test(f[0]!)) continue;
    const local = portOf(f[1]!);
    const remote = portOf(f[2]!);
    const inode = Number(f[9]);
    if (local === undefined || remote === undefined || !Number.isInteger(inode) || inode <= 0) continue;
    out.push({ localPort: local, remotePort: remote, inode });
  }
  return out;
}

function portOf(address: string): number | undefined {
  const hex = address.split(':')[1];
  return hex && /^[0-9A-Fa-f]{4}$/.test(hex) ? parseInt(hex, 16) : undefined;
}

/** The inode of an fd link such as "socket:[123456]". */
export function socketInode(link: string): number | undefined {
  const m = /^socket:\[(\d+)\]$/.exec(link);
  return m ? Number(m[1]) : undefined;
}

/** /proc/<pid>/stat; the name is in parentheses and may itself contain spaces or parentheses. */
export function parseProcStat(text: string): ProcessInfo | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).split(' ');
  const pid = Number(text.slice(0, open).trim());
  const ppid = Number(rest[1]);
  if (!Number.isInteger(pid) || !Number.isInteger(ppid)) return undefined;
  return { pid, ppid, comm: text.slice(open + 1, close) };
}

/** `root` and every process below it. */
export function processTree(all: readonly ProcessInfo[], root: number): Map<number, ProcessInfo> {
  const children = new Map<number, ProcessInfo[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const tree = new Map<number, ProcessInfo>();
  const self = all.find((p) => p.pid === root);
  if (!self) return tree;
  const queue = [self];
  while (queue.length > 0) {
    const p = queue.shift()!;
    if (tree.has(p.pid)) continue;
    tree.set(p.pid, p);
    queue.push(...(children.get(p.pid) ?? []));
  }
  return tree;
}

/** Every process still running under `root`, read from /proc. */
export async function readProcessTree(root: number): Promise<Map<number, ProcessInfo>> {
  const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d));
  const stats = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/stat`, 'utf8').then(parseProcStat, () => undefined)));
  return processTree(stats.filter((s): s is ProcessInfo => s !== undefined), root);
}

/**
 * Local port -> pid for the wanted ports, among the processes of `tree`. `remotePort` narrows the match
 * to sockets connected to that port (the broker's), so the broker's own end of the same connection,
 * which has the client's port as its remote port, is never taken for the client's.
 */
export async function ownersOfPorts(tree: ReadonlyMap<number, ProcessInfo>, ports: ReadonlySet<number>, remotePort?: number | ReadonlySet<number>): Promise<Map<number, number>> {
  const owners = new Map<number, number>();
  if (ports.size === 0 || tree.size === 0) return owners;
  const tables = await Promise.all(['/proc/net/tcp', '/proc/net/tcp6'].map((f) => readFile(f, 'utf8').catch(() => '')));
  const portOfInode = new Map<number, number>();
  for (const s of tables.flatMap(parseProcNetTcp)) {
    const toBroker = remotePort === undefined || (typeof remotePort === 'number' ? s.remotePort === remotePort : remotePort.has(s.remotePort));
    if (ports.has(s.localPort) && toBroker) portOfInode.set(s.inode, s.localPort);
  }
  if (portOfInode.size === 0) return owners;
  await Promise.all(
    [...tree.keys()].map(async (pid) => {
      const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
      const links = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => '')));
      for (const link of links) {
        const port = portOfInode.get(socketInode(link) ?? -1);
        if (port !== undefined) owners.set(port, pid);
      }
    }),
  );
  return owners;
}

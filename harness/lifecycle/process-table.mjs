// The process table, read from /proc: enough to stop a process group safely after its owner died.
// Plain JavaScript so the watchdog (started with bare node, no tsx) and the harness share it.
// Types are JSDoc, so the build copies this file into dist/ as it is (a .d.mts beside it would stop that).
import { readdirSync, readFileSync } from 'node:fs';

/** @typedef {{ pgid: number; startTime?: number }} OwnedGroup */

/** Fields of /proc/<pid>/stat after the command name: [state, ppid, pgrp, ..., starttime at index 19]. */
/** @param {number | string} pid @returns {string[] | undefined} */
function statFields(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/**
 * Clock ticks since boot when `pid` started, or undefined when it does not exist (or is a zombie).
 * @param {number} pid
 * @returns {number | undefined}
 */
export function startTimeOf(pid) {
  const f = statFields(pid);
  if (!f || f[0] === 'Z') return undefined;
  return Number(f[19]);
}

/**
 * True when `pid` is alive and is the same process that started at `startTime` (not a reused PID).
 * @param {number} pid
 * @param {number | undefined} startTime
 * @returns {boolean}
 */
export function isSameProcess(pid, startTime) {
  const now = startTimeOf(pid);
  return now !== undefined && (startTime === undefined || now === startTime);
}

/**
 * Live members of process group `pgid` that started no earlier than its leader did: a PID reused by an
 * unrelated process after the group died is never in the list.
 * @param {number} pgid
 * @param {number | undefined} leaderStartTime
 * @returns {number[]}
 */
export function groupMembers(pgid, leaderStartTime) {
  /** @type {number[]} */
  const members = [];
  /** @type {string[]} */
  let entries = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return members;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const f = statFields(entry);
    if (!f || f[0] === 'Z' || Number(f[2]) !== pgid) continue;
    if (leaderStartTime !== undefined && Number(f[19]) < leaderStartTime) continue;
    members.push(Number(entry));
  }
  return members;
}

/** @param {number[]} pids @param {NodeJS.Signals} signal */
function signalAll(pids, signal) {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/**
 * SIGTERM to every member of each group, SIGKILL to what is left after graceMs; returns how many were stopped.
 * @param {OwnedGroup[]} groups
 * @param {number} [graceMs]
 * @returns {Promise<number>}
 */
export async function stopGroups(groups, graceMs = 1500) {
  const members = () => groups.flatMap((g) => groupMembers(g.pgid, g.startTime));
  const first = members();
  if (first.length === 0) return 0;
  signalAll(first, 'SIGTERM');
  const end = Date.now() + graceMs;
  while (Date.now() < end && members().length > 0) await new Promise((r) => setTimeout(r, 100));
  signalAll(members(), 'SIGKILL');
  return first.length;
}

export interface OwnedGroup {
  pgid: number;
  startTime?: number;
}
export function startTimeOf(pid: number): number | undefined;
export function isSameProcess(pid: number, startTime: number | undefined): boolean;
export function groupMembers(pgid: number, leaderStartTime: number | undefined): number[];
export function stopGroups(groups: OwnedGroup[], graceMs?: number): Promise<number>;

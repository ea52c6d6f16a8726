import { randomBytes } from 'node:crypto';
import { InjectionUncertain, once, type FaultContext, type Revert } from '../fault.ts';

/**
 * A broker setting changed by a fault and put back by its revert, with the old value kept on the broker
 * itself (an application environment key of this injection): the change reads, keeps and changes in one
 * call, so nothing changes the setting in between, and the revert puts back what it finds kept. So a
 * revert also works when the change's answer was lost (a call that timed out on a starved node may still
 * have acted), and one for a change that never happened finds nothing and changes nothing.
 *
 * The revert also leaves a mark that the change refuses, and the two hold one lock on the broker: a change
 * that lands after its revert (its call was still on its way, or blocked behind the disk monitor, when
 * the harness gave up on it and reverted) is refused instead of raising an alarm nothing would clear. CI
 * once ended a run with the disk alarm set and `fault-end` recorded for every fault.
 */
export interface StashedSetting {
  /** Reads the setting into `Old`, keeps it, changes it (`change` may use `Old`); evaluates to `Old`. */
  change: string;
  /** Puts `Old` back (`restore` uses `Old`) if it was kept, and forgets it: `restored` or `unchanged`. */
  revert: string;
}

const APP = 'rushgate_faults';

export function stashedSetting(read: string, change: string, restore: string): StashedSetting {
  const key = `k${randomBytes(6).toString('hex')}`;
  // global:trans with this node only: a lock on this node, held by the calling process, released however the fun ends.
  const locked = (body: string) => `global:trans({{${APP}, ${key}}, self()}, fun() -> ${body} end, [node()]).`;
  return {
    change: locked(
      `case application:get_env(${APP}, ${key}) of ` +
        `undefined -> Old = ${read}, ok = application:set_env(${APP}, ${key}, {kept, Old}), ${change}, Old; ` +
        `{ok, reverted} -> erlang:error(rushgate_reverted_before_change) end`,
    ),
    revert: locked(
      `case application:get_env(${APP}, ${key}) of ` +
        `{ok, {kept, Old}} -> ${restore}, application:set_env(${APP}, ${key}, reverted), restored; ` +
        `{ok, reverted} -> unchanged; ` +
        `undefined -> application:set_env(${APP}, ${key}, reverted), unchanged end`,
    ),
  };
}

/**
 * Makes the change on the default node and returns its old value (as printed) and the revert. A change
 * that failed throws InjectionUncertain carrying the revert, for the timeline to run anyway.
 */
export async function changeSetting(erl: NonNullable<FaultContext['erl']>, setting: StashedSetting): Promise<{ old: string; revert: Revert }> {
  const revert = once(async () => {
    await erl(undefined, setting.revert);
  });
  try {
    return { old: (await erl(undefined, setting.change)).trim(), revert };
  } catch (err) {
    throw new InjectionUncertain((err as Error).message, revert);
  }
}

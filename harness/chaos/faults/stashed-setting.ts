import { randomBytes } from 'node:crypto';
import { InjectionUncertain, once, type FaultContext, type Revert } from '../fault.ts';

/**
 * A broker setting changed by a fault and put back by its revert, with the old value kept on the broker
 * itself (an application environment key of this injection): the change reads, keeps and changes in one
 * call, so nothing changes the setting in between, and the revert puts back what it finds kept. So a
 * revert also works when the change's answer was lost (a call that timed out on a starved node may still
 * have acted), and one for a change that never happened finds nothing and changes nothing.
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
  return {
    change: `Old = ${read}, ok = application:set_env(${APP}, ${key}, Old), ${change}, Old.`,
    revert:
      `case application:get_env(${APP}, ${key}) of ` +
      `{ok, Old} -> ${restore}, application:unset_env(${APP}, ${key}), restored; undefined -> unchanged end.`,
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

import { need, type Fault } from '../fault.ts';
import { changeSetting, stashedSetting } from './stashed-setting.ts';

const RAISE = String(10 ** 15); // a free-disk limit no machine meets

/** A free-disk limit above the disk's size raises the disk alarm: publishers are blocked. */
export function diskAlarm(): Fault {
  return {
    kind: 'disk-alarm',
    description: 'disk alarm (disk_free_limit above free space): publishers blocked',
    needs: ['erl'],
    inject: async (ctx) => {
      const erl = need(ctx, 'erl', 'disk-alarm');
      // The limit in force (bytes) is raised and put back; setting the limit makes the disk monitor check at
      // once (RabbitMQ 3.10), so neither the alarm nor its clearing waits for the monitor's poll.
      const { revert } = await changeSetting(
        erl,
        stashedSetting('rabbit_disk_monitor:get_disk_free_limit()', `ok = rabbit_disk_monitor:set_disk_free_limit(${RAISE})`, 'rabbit_disk_monitor:set_disk_free_limit(Old)'),
      );
      return revert;
    },
  };
}

import { need, once, type Fault } from '../fault.ts';

const RAISE = String(10 ** 15); // a free-disk limit no machine meets
const NORMAL = '10MB'; // what harness/stack/rabbitmq-node.ts configures

/** A free-disk limit above the disk's size raises the disk alarm: publishers are blocked. */
export function diskAlarm(): Fault {
  return {
    kind: 'disk-alarm',
    description: 'disk alarm (disk_free_limit above free space): publishers blocked',
    needs: ['ctl'],
    inject: async (ctx) => {
      const ctl = need(ctx, 'ctl', 'disk-alarm');
      await ctl(['set_disk_free_limit', RAISE]);
      return once(async () => {
        await ctl(['set_disk_free_limit', NORMAL]);
      });
    },
  };
}

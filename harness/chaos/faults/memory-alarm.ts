import { need, once, type Fault } from '../fault.ts';

/** A watermark of 0 raises the memory alarm at once: the broker blocks every publishing connection. */
export function memoryAlarm(): Fault {
  return {
    kind: 'memory-alarm',
    description: 'memory alarm (vm_memory_high_watermark 0): publishers blocked',
    needs: ['ctl'],
    inject: async (ctx) => {
      const ctl = need(ctx, 'ctl', 'memory-alarm');
      await ctl(['set_vm_memory_high_watermark', '0']);
      return once(async () => {
        await ctl(['set_vm_memory_high_watermark', '0.4']);
      });
    },
  };
}

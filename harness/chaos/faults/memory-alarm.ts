import { need, type Fault } from '../fault.ts';
import { changeSetting, stashedSetting } from './stashed-setting.ts';

/** A watermark of 0 raises the memory alarm at once: the broker blocks every publishing connection. */
export function memoryAlarm(): Fault {
  return {
    kind: 'memory-alarm',
    description: 'memory alarm (vm_memory_high_watermark 0): publishers blocked',
    needs: ['erl'],
    inject: async (ctx) => {
      const erl = need(ctx, 'erl', 'memory-alarm');
      // The old watermark (0.4, {absolute,N}, ...) goes back as the term it was, from the broker's own copy.
      // Setting it re-checks memory at once, so the alarm clears when the revert returns.
      const { revert } = await changeSetting(
        erl,
        stashedSetting(
          'vm_memory_monitor:get_vm_memory_high_watermark()',
          'ok = vm_memory_monitor:set_vm_memory_high_watermark(0.0)',
          'ok = vm_memory_monitor:set_vm_memory_high_watermark(Old)',
        ),
      );
      return revert;
    },
  };
}

import { need, once, type Fault } from '../fault.ts';

/** A watermark of 0 raises the memory alarm at once: the broker blocks every publishing connection. */
export function memoryAlarm(): Fault {
  return {
    kind: 'memory-alarm',
    description: 'memory alarm (vm_memory_high_watermark 0): publishers blocked',
    needs: ['erl'],
    inject: async (ctx) => {
      const erl = need(ctx, 'erl', 'memory-alarm');
      // Read and set in one call; the old watermark is printed as an Erlang term (0.4 or {absolute,N}) and
      // put back verbatim.
      const old = (
        await erl(undefined, 'Old = vm_memory_monitor:get_vm_memory_high_watermark(), ok = vm_memory_monitor:set_vm_memory_high_watermark(0.0), Old.')
      ).trim();
      if (!/^[\d.]+$|^\{absolute,\s*\d+\}$|^\{relative,\s*[\d.]+\}$/.test(old)) throw new Error(`unexpected memory watermark from the broker: ${old}`);
      return once(async () => {
        // Setting the watermark re-checks memory at once, so the alarm clears when this returns.
        await erl(undefined, `vm_memory_monitor:set_vm_memory_high_watermark(${old}).`);
      });
    },
  };
}

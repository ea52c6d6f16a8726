import type { Schedule } from '../../scenarios/schedule.ts';
import { createManagementClient } from '../probe/management-api.ts';
import type { StartedStack } from '../stack/stack.ts';
import { buildFault } from './build-fault.ts';
import { evalThroughCtl, faultControlMode } from './control/broker-eval.ts';
import { FaultError, type FaultContext } from './fault.ts';
import type { ScheduledFault } from './timeline.ts';

/** What faults may touch on this stack. */
export function faultContext(stack: StartedStack, log: (line: string) => void, note?: (message: string) => void): FaultContext {
  return {
    note,
    ctl: stack.brokerCtl,
    erl: faultEval(stack),
    restartBroker: stack.restartBroker,
    management: createManagementClient({ url: stack.managementUrl, ...stack.managementAuth }),
    amqpAddress: amqpAddressOf(stack.amqpUrl),
    proxy: stack.proxy,
    cluster: stack.cluster,
    log,
  };
}

/** The control channel where the stack runs one; rabbitmqctl eval where only that is offered, or when asked for. */
function faultEval(stack: StartedStack): FaultContext['erl'] {
  const ctl = stack.brokerCtl ? evalThroughCtl(stack.brokerCtl) : undefined;
  if (faultControlMode() === 'rabbitmqctl') return ctl;
  return stack.brokerErl ?? ctl;
}

function amqpAddressOf(amqpUrl: string): { host: string; port: number } {
  const url = new URL(amqpUrl);
  return { host: url.hostname, port: Number(url.port || (url.protocol === 'amqps:' ? 5671 : 5672)) };
}

/**
 * The scenario's faults, checked against what the stack offers before any load is sent: a fault this
 * stack cannot inject is a configuration error, not a surprise halfway through the morning.
 */
export function prepareFaults(schedule: Schedule, stack: StartedStack, log: (line: string) => void): ScheduledFault[] {
  const ctx = faultContext(stack, log);
  const problems: string[] = [];
  const faults = schedule.faults.map((f, id) => {
    const fault = buildFault(f.spec, f.forSec);
    for (const need of fault.needs) {
      if (ctx[need] === undefined) problems.push(`${fault.kind} at ${schedule.clockAt(f.atSec)} needs ${need}, which the ${stack.kind} stack does not offer`);
    }
    return { atSec: f.atSec, ...(f.forSec !== undefined ? { forSec: f.forSec } : {}), fault, id };
  });
  if (problems.length > 0) throw new FaultError(`This scenario's faults cannot run here:\n  - ${problems.join('\n  - ')}\nUse --stack local, or a scenario without them.`);
  return faults;
}

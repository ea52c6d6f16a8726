import { describe, expect, it } from 'vitest';
import { portTakenAtStart } from '../../harness/stack/rabbitmq-node.ts';

describe('portTakenAtStart (a broker start worth retrying on other ports)', () => {
  it('takes a listener port or the distribution port taken meanwhile, nothing else', () => {
    expect(portTakenAtStart(new Error('listen tcp 127.0.0.1:5673: eaddrinuse'))).toBe(true);
    const distTaken =
      'RabbitMQ node rushgate-3526af72@localhost (management API) never became ready: rabbitmq-server exited. Its last output:\n' +
      '{"Kernel pid terminated",application_controller,"{application_start_failure,rabbitmq_prelaunch,{{shutdown,{failed_to_start_child,prelaunch,{dist_port_already_used,36317,not_erlang,\\"localhost\\"}}}}}"}';
    expect(portTakenAtStart(new Error(distTaken))).toBe(true);
    expect(portTakenAtStart(new Error('rabbitmq-server exited. Its last output:\nenoent: /usr/lib/rabbitmq/lib'))).toBe(false);
    expect(portTakenAtStart('eaddrinuse')).toBe(false);
  });
});

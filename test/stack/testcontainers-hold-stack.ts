// Starts a container stack and waits to be interrupted: the subject of the SIGINT cleanup test.
import { LOCAL_BROKER_IMAGE } from '../../harness/stack/container-images.ts';
import { startStack } from '../../harness/stack/select-stack.ts';

const stack = await startStack('testcontainers', {
  containers: { brokerImage: process.env.RUSHGATE_BROKER_IMAGE || LOCAL_BROKER_IMAGE },
  target: { units: 1, publisher: 'shared' },
});
process.stdout.write(`READY ${stack.targetUrl} ${stack.managementUrl}\n`);
setInterval(() => {}, 1000);

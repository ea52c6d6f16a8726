// Starts a broker and waits to be interrupted: the SIGINT cleanup test's subject.
import { startRabbitNode } from '../../harness/stack/rabbitmq-node.ts';

const node = await startRabbitNode();
process.stdout.write(`READY ${node.nodeName}\n`);
setInterval(() => {}, 1000);

import { defineConfig } from 'vitest/config';

// Two groups, run one after the other (sequence.groupOrder):
// 1. unit (*.test.ts, pure) and integration (*.int.test.ts that start services on leased brokers) side by
//    side, three files at a time: an integration file mostly waits (on a service, a broker, the seconds of
//    a scenario), and pure files fill those waits. A new *.int.test.ts lands here by default.
// 2. serial: integration files whose assertions depend on timing or that load both cores by themselves
//    (arrival accuracy, fault timing, containers, a browser): one at a time, with nothing beside them.
const SERIAL = [
  'test/load/driver.int.test.ts',
  'test/chaos/**/*.int.test.ts',
  'test/calls/status-classes.int.test.ts',
  'test/stack/testcontainers*.int.test.ts',
  'test/report/report-browser.int.test.ts',
];

// RabbitMQ nodes started once and lent to integration files one at a time (test/helpers/shared-broker.ts).
const BROKER_POOL = 'test/helpers/broker-pool/global-setup.ts';
// Vitest refuses different worker counts within one group.
const FIRST_GROUP_WORKERS = 3;

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts'],
          // Pure, but some draw charts or generate thousands of bodies: a slow, shared machine is not a failure.
          testTimeout: 30_000,
          maxWorkers: FIRST_GROUP_WORKERS,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          exclude: SERIAL,
          globalSetup: [BROKER_POOL],
          maxWorkers: FIRST_GROUP_WORKERS,
          testTimeout: 180_000,
          hookTimeout: 90_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'serial',
          include: SERIAL,
          fileParallelism: false,
          globalSetup: [BROKER_POOL],
          testTimeout: 180_000,
          hookTimeout: 90_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});

import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './test/helpers/longest-first-sequencer.ts';
import { SUITE_BUILD_DIR } from './test/helpers/suite-build/compiled.ts';

// Three tiers, run one after the other (sequence.groupOrder):
// 1. unit: *.test.ts, pure and fast, two files at a time (some load scenario files in a worker under a
//    time limit, so they do not share the cores with brokers);
// 2. integration: *.int.test.ts on leased brokers (test/helpers/shared-broker.ts), four files at a time:
//    each mostly waits (on a service, a broker, the seconds of a scenario), and with three the cores were
//    idle 18% of the tier (963 s in CI against 845 s with four). Five took 709-729 s against 758 s, but
//    overloaded the cores (93-99% busy): broker samples missed for a second, a run's p99 at 2.2 s, and a
//    fault's revert found undone. A new *.int.test.ts lands here;
// 3. timed: integration files whose assertions depend on timing (fault recovery against 5 s limits, a node
//    kill's reconnects, arrival accuracy), two at a time with nothing else beside them. Each mostly waits on
//    its scenario's seconds (the cores were 22-38% busy with one at a time). Longest first: the cluster on
//    one worker, the battery and then the driver on the other, so the cluster's boot (both cores for ~20 s)
//    meets the battery, never the driver. Side by side the battery's slowest recovery was 1-3.4 s (2 s alone;
//    limit 5 s) and the node kill's reconnect 1.3-5.3 s (judged at 6 s, as alone) in seven runs; the driver
//    held its schedule on the first of its three attempts beside the cluster's leaky run. The tier took
//    ~103 s of wall against 192 s with the files one at a time.
//    Containers, a browser, fault runs judged on classification only, the fault reverts (revert-on-exit)
//    and each fault on its own (faults.int: that it acts and that its revert lets clients back in) are not
//    timing: they run in the integration tier.
const TIMED = [
  // A node kill's recovery (quorum leader election, reconnects) is judged against 5 s limits.
  'test/cluster/cluster.int.test.ts',
  'test/chaos/chaos-battery.int.test.ts',
  'test/load/driver.int.test.ts',
];

// RabbitMQ nodes started once and lent to integration files one at a time (test/helpers/shared-broker.ts).
const BROKER_POOL = 'test/helpers/broker-pool/global-setup.ts';
// The sources compiled once, while the unit tier runs; spawned services and CLIs run from it (no tsx per process).
const SUITE_BUILD = 'test/helpers/suite-build/global-setup.ts';
const SUITE_BUILD_ENV = { RUSHGATE_SERVICE_BUILD: SUITE_BUILD_DIR };

export default defineConfig({
  test: {
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts'],
          // Pure, but some draw charts or generate thousands of bodies: a slow, shared machine is not a failure.
          testTimeout: 30_000,
          maxWorkers: 2,
          // One process per worker, not per file: the files leave no state behind for a fresh process to reset
          // (no module mocks; the two that set an environment variable restore it), and a process per file
          // cost 87 CPU-s against 39 for this tier (49 s against 23 s).
          isolate: false,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          exclude: TIMED,
          globalSetup: [BROKER_POOL, SUITE_BUILD],
          env: SUITE_BUILD_ENV,
          maxWorkers: 4,
          // One process per worker, as in the unit tier: the files restore what they change in the process
          // (environment, TMPDIR), and each importing the harness anew cost CPU the tier is short of.
          isolate: false,
          testTimeout: 180_000,
          hookTimeout: 90_000,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'timed',
          include: TIMED,
          maxWorkers: 2,
          isolate: false,
          globalSetup: [BROKER_POOL, SUITE_BUILD],
          env: SUITE_BUILD_ENV,
          testTimeout: 180_000,
          hookTimeout: 90_000,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});

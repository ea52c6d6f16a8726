import { defineConfig } from 'vitest/config';

// Two tiers by file name: *.test.ts are pure and fast; *.int.test.ts start real brokers and servers,
// so they run one file at a time (two cores shared by broker, service and load generator).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});

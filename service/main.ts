import cluster from 'node:cluster';
import { ConfigError, loadConfig } from './config.ts';
import { runPrimary } from './primary.ts';
import { runUnit } from './unit.ts';

// The reference ingestion service. The primary forks UNITS workers that share PORT; each worker is one
// "unit" with its own publisher (leaky | per-request | shared). See service/README.md.
try {
  const config = loadConfig(process.argv.slice(2), process.env);
  if (cluster.isPrimary) await runPrimary(config);
  else await runUnit(config, Number(process.env.UNIT_INDEX ?? '1'));
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`ingest service: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}

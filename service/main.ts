import cluster from 'node:cluster';
import { ConfigError, loadConfig } from './config.ts';

// The reference ingestion service. The primary forks UNITS workers that share PORT; each worker is one
// "unit" with its own publisher (leaky | per-request | shared). See service/README.md.
// Each role imports only its own modules: start-up time is mostly module loading, paid once per process.
try {
  const config = loadConfig(process.argv.slice(2), process.env);
  if (cluster.isPrimary) await (await import('./primary.ts')).runPrimary(config);
  else await (await import('./unit.ts')).runUnit(config, Number(process.env.UNIT_INDEX ?? '1'));
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`ingest service: ${err.message}\n`);
    process.exit(2);
  }
  throw err;
}

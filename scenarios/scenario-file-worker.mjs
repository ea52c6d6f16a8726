// Runs inside a worker thread: imports one user scenario file and posts its default export back as plain
// data. A file that never settles, throws, or calls process.exit() costs this worker, not the harness.
import { parentPort, workerData } from 'node:worker_threads';
import { register as registerCjs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

// TypeScript scenario files need tsx in this thread too, whatever the parent was started with.
register();
// A .ts file outside an ESM package is CommonJS, which tsx hooks separately.
registerCjs();

const BRAND = Symbol.for('rushgate.scenario');
try {
  const mod = await import(workerData.href);
  let value = mod.default;
  // A .ts file outside an ESM package is compiled to CommonJS: its default export arrives wrapped.
  if (typeof value === 'object' && value !== null && Object.keys(value).length === 1 && 'default' in value) value = value.default;
  const resolved = typeof value === 'object' && value !== null && value[BRAND] === true;
  try {
    parentPort.postMessage({ kind: resolved ? 'scenario' : 'spec', value });
  } catch {
    // Functions (a call's body function) cannot cross threads: the file loaded safely here, so the
    // harness imports it once more in its own thread to get the functions.
    parentPort.postMessage({ kind: 'loaded' });
  }
} catch (err) {
  const problems = Array.isArray(err?.problems) ? err.problems.map(String) : undefined;
  parentPort.postMessage({ kind: 'error', name: String(err?.name ?? 'Error'), message: String(err?.message ?? err), problems, scenario: String(err?.scenario ?? '(invalid)') });
}

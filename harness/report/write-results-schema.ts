// Regenerates results.schema.json from the zod schema: node --import tsx harness/report/write-results-schema.ts
// A unit test fails when the shipped file and the zod schema disagree.
import { writeFile } from 'node:fs/promises';
import { resultsJsonSchema } from './results-schema.ts';

const path = new URL('./results.schema.json', import.meta.url);
await writeFile(path, `${JSON.stringify(resultsJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${path.pathname}\n`);

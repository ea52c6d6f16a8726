// Runs each tier's longest files first, from durations measured here (file-seconds.json), so a long file
// never starts last and leaves the other workers idle at the end. vitest's own sequencer orders by the
// durations in its cache, which a clean clone (CI) does not have: there it keeps the glob's order.
// Refresh the table from a whole run: npx vitest run | tee run.log, then
// node --import tsx test/helpers/file-seconds.ts run.log.
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import seconds from './file-seconds.json' with { type: 'json' };

const measured: Record<string, number> = seconds;
/** A file not yet measured: new integration files are usually mid-sized. */
const UNKNOWN_SECONDS = { int: 20, unit: 1 };

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const weight = (f: TestSpecification) => {
      const path = relative(root, f.moduleId);
      return measured[path] ?? (path.endsWith('.int.test.ts') ? UNKNOWN_SECONDS.int : UNKNOWN_SECONDS.unit);
    };
    return [...files].sort((a, b) => {
      const group = a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder;
      if (group !== 0) return group;
      if (a.project.name !== b.project.name) return a.project.name < b.project.name ? -1 : 1;
      return weight(b) - weight(a);
    });
  }
}

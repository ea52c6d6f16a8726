// A call definition as the run uses it: name, method, path template, weight, expectations, and how to
// build its path, headers and body for one arrival from the arrival's seeded random stream. User calls
// are built from their templates (user-call.ts); the reference contract's three calls (reference-calls.ts)
// are definitions of the same form, so the driver knows no call by name.
import type { CallExpect } from '../../harness/load/call-tally.ts';
import type { Catalog } from '../define-scenario.ts';
import type { CallSpec } from './call-schema.ts';

/** What building a call may read besides its random stream. */
export interface BuildContext {
  seq: number;
  requestId: string;
  seed: number;
  catalog: Catalog;
  /** ISO time of this arrival on the scenario clock (computed only when asked). */
  now(): string;
  /** `${env.NAME}` values, read at run start. */
  env: Record<string, string>;
  /** The setup response, {} without a setup request. */
  setup: Record<string, unknown>;
}

export interface BuiltRequest {
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

export interface CallDef {
  name: string;
  method: string;
  /** The path template as written (shown in reports and validity sentences). */
  path: string;
  weight: number;
  expect: CallExpect;
  build(rnd: () => number, ctx: BuildContext): BuiltRequest;
  /** The spec a user wrote (absent for the reference calls): the k6 export carries it over. */
  spec?: CallSpec;
}

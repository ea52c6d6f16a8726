import { z } from 'zod';
import { ISO_4217_CODES } from './currencies.ts';

// The bodies the reference service accepts. Exported so scenario payload generators can be tested
// against exactly what the service will take.

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ID_RULE = 'must be 1-64 characters of letters, digits, ".", "_" or "-", starting with a letter or digit';
export const MAX_BATCH = 1000;

const id = z.string().regex(ID_PATTERN, ID_RULE);

export const itemSchema = z.object({
  id,
  name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  price: z.number().nonnegative('must be >= 0').max(1e9, 'must be at most 1e9'),
  currency: z.string().refine((c) => ISO_4217_CODES.has(c), 'must be an ISO 4217 currency code in upper case, e.g. EUR'),
  ean: z.string().regex(/^(\d{8}|\d{12,14})$/, 'must be 8, 12, 13 or 14 digits').optional(),
  labelIds: z.array(id).max(100, 'must hold at most 100 label ids').optional(),
  description: z.string().max(2000, 'must be at most 2000 characters').optional(),
  stock: z.number().int('must be a whole number').nonnegative('must be >= 0').optional(),
  promoPrice: z.number().nonnegative('must be >= 0').optional(),
  updatedAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2024-03-01T07:45:00Z' }).optional(),
});
export type Item = z.infer<typeof itemSchema>;

const batchRule = `must be an array of 1..${MAX_BATCH} entries`;

export const itemBatchSchema = z.array(itemSchema).min(1, batchRule).max(MAX_BATCH, batchRule);

export const matchingSchema = z.object({ labelId: id, itemId: id });
export const matchingsSchema = z.array(matchingSchema).min(1, batchRule).max(MAX_BATCH, batchRule);

export interface FieldProblem {
  field: string;
  message: string;
}

/** Path segments -> "price", "[3].price", "labelIds[2]"; the whole body is "body". */
export function fieldName(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? String(seg) : `.${String(seg)}`;
  return out === '' ? 'body' : out;
}

const withArticle = (noun: string) => (/^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`);

function describe(value: unknown): string {
  if (value === null) return 'null';
  // JSON.parse reads 1e400 as Infinity: "got a number" would contradict "must be a number".
  if (typeof value === 'number' && !Number.isFinite(value)) return `${value}, which is out of range`;
  return withArticle(Array.isArray(value) ? 'array' : typeof value);
}

// Applied under each schema's own messages: turns zod's generic type errors into ones a client can act on.
const friendlyErrors: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return 'is required';
    return `must be ${withArticle(String(issue.expected))}, got ${describe(issue.input)}`;
  }
  return undefined;
};

export type Validation<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

export function validate<T>(schema: z.ZodType<T>, input: unknown): Validation<T> {
  const result = schema.safeParse(input, { error: friendlyErrors });
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    problems: result.error.issues.slice(0, 20).map((issue) => {
      const field = fieldName(issue.path);
      return { field, message: `${field} ${issue.message}` };
    }),
  };
}

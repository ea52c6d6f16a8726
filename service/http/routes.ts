import { HttpError } from './http-error.ts';
import { ID_PATTERN } from './schemas.ts';

export type RouteName = 'item-put' | 'items-batch' | 'matchings' | 'healthz' | 'readyz' | 'metrics' | 'traceability' | 'units';

interface RouteDef {
  name: RouteName;
  methods: readonly string[];
  pattern: RegExp;
  params: readonly string[];
}

const GET = ['GET', 'HEAD'] as const;

const ROUTES: readonly RouteDef[] = [
  { name: 'item-put', methods: ['PUT'], pattern: /^\/api\/v1\/stores\/([^/]+)\/items\/([^/]+)$/, params: ['storeId', 'itemId'] },
  { name: 'items-batch', methods: ['POST'], pattern: /^\/api\/v1\/stores\/([^/]+)\/items$/, params: ['storeId'] },
  { name: 'matchings', methods: ['POST'], pattern: /^\/api\/v1\/stores\/([^/]+)\/matchings$/, params: ['storeId'] },
  { name: 'healthz', methods: GET, pattern: /^\/healthz$/, params: [] },
  { name: 'readyz', methods: GET, pattern: /^\/readyz$/, params: [] },
  { name: 'metrics', methods: GET, pattern: /^\/metrics$/, params: [] },
  { name: 'traceability', methods: GET, pattern: /^\/traceability$/, params: [] },
  { name: 'units', methods: GET, pattern: /^\/units$/, params: [] },
];

export interface RouteMatch {
  name: RouteName;
  params: Record<string, string>;
}

/** Finds the route for a request; throws 404 for unknown paths, 405 (with Allow) for known paths. */
export function matchRoute(method: string, url: string): RouteMatch {
  const path = url.split('?')[0]!;
  const shown = path.length > 120 ? `${path.slice(0, 120)}...` : path;
  let allowed: string[] = [];
  for (const route of ROUTES) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    if (!route.methods.includes(method)) {
      allowed = [...allowed, ...route.methods];
      continue;
    }
    return { name: route.name, params: decodeParams(route.params, m.slice(1)) };
  }
  if (allowed.length > 0) {
    throw new HttpError(405, 'method_not_allowed', null, `${method} is not allowed on ${shown}; use ${allowed.join(' or ')}`, { allow: allowed.join(', ') });
  }
  throw new HttpError(404, 'not_found', null, `no route for ${shown}`);
}

function decodeParams(names: readonly string[], raw: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  names.forEach((name, i) => {
    let value: string;
    try {
      value = decodeURIComponent(raw[i]!);
    } catch {
      throw new HttpError(400, 'invalid_path', name, `${name} is not valid percent-encoding`);
    }
    if (!ID_PATTERN.test(value)) {
      throw new HttpError(400, 'invalid_path', name, `${name} must be 1-64 characters of letters, digits, ".", "_" or "-", starting with a letter or digit`);
    }
    params[name] = value;
  });
  return params;
}

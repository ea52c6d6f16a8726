import { describe, expect, it } from 'vitest';
import { compileText, type Value } from '../../scenarios/calls/template.ts';

describe('compileText', () => {
  const values: Record<string, unknown> = { a: 'x y', b: 7, c: 'p/q', d: undefined };
  const valueOf = (name: string): Value => () => values[name];

  it('fills in zero, one, two and more references, reading each value when filled in', () => {
    expect(compileText('/plain', valueOf)()).toBe('/plain');
    const one = compileText('/a/${a}!', valueOf);
    const two = compileText('${a}-${ b }', valueOf);
    const four = compileText('<${a}|${b}|${c}|${d}>', valueOf);
    expect(one()).toBe('/a/x y!');
    expect(two()).toBe('x y-7');
    expect(four()).toBe('<x y|7|p/q|>');
    values.b = 8;
    expect(two()).toBe('x y-8');
    values.b = 7;
  });

  it('encodes every value unless encodes() says that name never needs it', () => {
    expect(compileText('/${a}/${c}', valueOf, encodeURIComponent)()).toBe('/x%20y/p%2Fq');
    expect(compileText('/${a}/${c}', valueOf, encodeURIComponent, (name) => name !== 'c')()).toBe('/x%20y/p/q');
    expect(compileText('/${a}/${b}/${c}', valueOf, encodeURIComponent, (name) => name === 'c')()).toBe('/x y/7/p%2Fq');
  });
});

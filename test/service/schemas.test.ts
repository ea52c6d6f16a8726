import { describe, expect, it } from 'vitest';
import { HttpError } from '../../service/http/http-error.ts';
import { matchRoute } from '../../service/http/routes.ts';
import { fieldName, itemBatchSchema, itemSchema, matchingsSchema, validate } from '../../service/http/schemas.ts';

const item = { id: 'sku-1', name: 'Milk', price: 1.19, currency: 'EUR' };

describe('request bodies', () => {
  it('accepts a full item and drops unknown keys', () => {
    const full = { ...item, ean: '4006381333931', labelIds: ['lbl-1'], stock: 3, promoPrice: 0.99, updatedAt: '2024-03-01T07:45:00Z', colour: 'red' };
    const result = validate(itemSchema, full);
    expect(result).toEqual({ ok: true, value: { ...full, colour: undefined } });
    expect(result.ok && 'colour' in result.value).toBe(false);
  });

  it.each([
    [{ ...item, price: -1 }, 'price', 'price must be >= 0'],
    [{ ...item, price: '1' }, 'price', 'price must be a number, got a string'],
    [{ ...item, currency: 'eur' }, 'currency', 'currency must be an ISO 4217 currency code in upper case, e.g. EUR'],
    [{ id: 'sku-1', price: 1, currency: 'EUR' }, 'name', 'name is required'],
    [{ ...item, labelIds: ['ok', ''] }, 'labelIds[1]', undefined],
    [null, 'body', 'body must be an object, got null'],
  ])('refuses %j naming %s', (body, field, message) => {
    const result = validate(itemSchema, body);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]!.field).toBe(field);
    if (message) expect(result.problems[0]!.message).toBe(message);
  });

  it('bounds batches to 1..1000 and names the bad entry', () => {
    expect(validate(itemBatchSchema, Array.from({ length: 1000 }, () => item)).ok).toBe(true);
    for (const n of [0, 1001]) {
      const result = validate(itemBatchSchema, Array.from({ length: n }, () => item));
      expect(result).toMatchObject({ ok: false, problems: [{ field: 'body', message: 'body must be an array of 1..1000 entries' }] });
    }
    expect(validate(matchingsSchema, [{ labelId: 'l1', itemId: 'i1' }, { labelId: 'l2' }])).toMatchObject({
      ok: false,
      problems: [{ field: '[1].itemId', message: '[1].itemId is required' }],
    });
  });

  it('formats field paths', () => {
    expect(fieldName([])).toBe('body');
    expect(fieldName([3, 'price'])).toBe('[3].price');
    expect(fieldName(['labelIds', 2])).toBe('labelIds[2]');
  });
});

describe('routes', () => {
  it('matches the contract routes and decodes path ids', () => {
    expect(matchRoute('PUT', '/api/v1/stores/s%2D1/items/i.1?x=1')).toEqual({ name: 'item-put', params: { storeId: 's-1', itemId: 'i.1' } });
    expect(matchRoute('POST', '/api/v1/stores/s1/items')).toEqual({ name: 'items-batch', params: { storeId: 's1' } });
    expect(matchRoute('POST', '/api/v1/stores/s1/matchings').name).toBe('matchings');
    expect(matchRoute('HEAD', '/healthz').name).toBe('healthz');
  });

  const refusal = (method: string, url: string) => {
    try {
      matchRoute(method, url);
    } catch (err) {
      return err as HttpError;
    }
    throw new Error('expected a refusal');
  };

  it('refuses unknown paths, wrong methods and bad ids with the right status', () => {
    expect(refusal('GET', '/nope')).toMatchObject({ status: 404, code: 'not_found' });
    expect(refusal('GET', '/api/v1/stores/s1/items/i1')).toMatchObject({ status: 405, headers: { allow: 'PUT' } });
    expect(refusal('PUT', '/api/v1/stores/s%201/items/i1')).toMatchObject({ status: 400, field: 'storeId' });
    expect(refusal('PUT', '/api/v1/stores/s1/items/%ZZ')).toMatchObject({ status: 400, field: 'itemId' });
  });
});

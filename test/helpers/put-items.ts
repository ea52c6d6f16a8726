import { randomUUID } from 'node:crypto';

/** Sends `count` valid item PUTs from `concurrency` loops; returns how many got each status code. */
export async function putItems(base: string, count: number, concurrency: number): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  let next = 0;
  const loop = async () => {
    while (next < count) {
      const id = `sku-${next++}`;
      const res = await fetch(`${base}/api/v1/stores/store-1/items/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-request-id': randomUUID() },
        body: JSON.stringify({ id, name: `Item ${id}`, price: 2.49, currency: 'EUR', ean: '4006381333931' }),
      });
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return statuses;
}

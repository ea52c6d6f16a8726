const STATUS_KEYS = Array.from({ length: 600 }, (_, i) => String(i));

/** The status as a record key, without a new string per response. */
export function statusKey(status: number): string {
  return STATUS_KEYS[status] ?? String(status);
}

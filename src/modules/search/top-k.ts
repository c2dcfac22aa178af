/**
 * The first k items of `items` in `cmp` order, sorted. A bounded binary heap keeps a page of
 * 20 out of 20,000 candidates at O(n log k) instead of sorting them all. Hand-written: it is
 * a dozen lines and no dependency is worth it.
 */
export function selectTop<T>(items: ArrayLike<T>, k: number, cmp: (a: T, b: T) => number): T[] {
  if (k <= 0) return [];
  // At most k items: all of them, sorted. Otherwise the heap, which compares most items with its root only.
  if (items.length <= k) return Array.from(items).sort(cmp);
  // Max-heap on cmp: the root is the worst item kept so far.
  const heap: T[] = [];
  const worse = (i: number, j: number): boolean => cmp(heap[i]!, heap[j]!) > 0;
  const swap = (i: number, j: number): void => {
    const t = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = t;
  };
  for (let n = 0; n < items.length; n++) {
    const item = items[n]!;
    if (heap.length < k) {
      heap.push(item);
      let i = heap.length - 1;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(i, parent)) break;
        swap(i, parent);
        i = parent;
      }
    } else if (cmp(item, heap[0]!) < 0) {
      heap[0] = item;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && worse(l, m)) m = l;
        if (r < heap.length && worse(r, m)) m = r;
        if (m === i) break;
        swap(i, m);
        i = m;
      }
    }
  }
  return heap.sort(cmp);
}

/** The first position in ascending `xs` whose element is at least `x` (xs.length if none): binary
 *  search, for placing an offset in a key's sorted offsets. */
export function lowerBound(xs: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

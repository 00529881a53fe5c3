// The smooth ramp (Hermite smoothstep) by which the matte and the colour step fade an effect in
// between two thresholds, so no hard line is drawn where it starts.

/** 0 at or below `lo`, 1 at or above `hi`, smooth (zero slope at both ends) between. */
export const smoothstep = (lo: number, hi: number, v: number): number => {
  const t = v <= lo ? 0 : v >= hi ? 1 : (v - lo) / (hi - lo);
  return t * t * (3 - 2 * t);
};

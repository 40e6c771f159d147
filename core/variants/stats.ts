// The statistics of a reminder-wording test, as pure functions: each variant's rate of installments paid
// on time with its Wilson 95% interval, and each variant against the control "A" with a two-proportion
// z-test (pooled standard error) and its two-sided p-value.

/** The 97.5th percentile of the standard normal: a 95% two-sided interval. */
export const Z_95 = 1.959963984540054;

/**
 * erfc(x), by the Chebyshev fit of Numerical Recipes in C, 2nd ed. (Press et al., 1992), §6.2, function
 * `erfcc`: fractional error below 1.2e-7 everywhere, so Φ and the p-value are within 1.2e-7 of exact
 * (both are at most 1), well inside the 1e-6 asked of them.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(poly);
  return x >= 0 ? r : 2 - r;
}

/** The standard normal cumulative distribution Φ(z). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / Math.SQRT2);
}

export type Interval = { low: number; high: number };

/**
 * Wilson's score interval for `successes` out of `trials` (Wilson, 1927): unlike p ± z·SE it stays within
 * 0..1 and is honest with small counts and rates near 0 or 1. Null with no trials.
 */
export function wilsonInterval(successes: number, trials: number, z = Z_95): Interval | null {
  if (trials <= 0) return null;
  const p = successes / trials;
  const z2 = z * z;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (z / (1 + z2 / trials)) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

export type Comparison = {
  /** Variant's rate minus the control's. */
  difference: number;
  z: number;
  /** Two-sided: the chance of a difference at least this large if the wordings worked the same. */
  pValue: number;
};

/**
 * Two-proportion z-test with the pooled standard error, variant (x2/n2) against control (x1/n1). Null
 * when either has no trials or the pooled rate is 0 or 1 (no variation: nothing to test).
 */
export function compareProportions(x1: number, n1: number, x2: number, n2: number): Comparison | null {
  if (n1 <= 0 || n2 <= 0) return null;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const difference = x2 / n2 - x1 / n1;
  if (se === 0) return null;
  const z = difference / se;
  // 2·(1 − Φ(|z|)) = erfc(|z|/√2), computed directly so small p-values keep their digits.
  return { difference, z, pValue: Math.min(1, erfc(Math.abs(z) / Math.SQRT2)) };
}

/** Below this many reminders in a variant the page says "not enough data yet" instead of a verdict. */
export const MIN_PER_VARIANT = 30;

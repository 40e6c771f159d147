// The reminder-wording statistics against reference values computed here another way: Φ by Simpson's
// rule on the normal density, Wilson's interval as the roots of its quadratic, the z-test as the square
// root of the 2×2 chi-square (no continuity correction), and published figures (Newcombe 1998, Table I,
// score method; the standard normal table).
import { describe, expect, it } from "vitest";
import {
  compareProportions,
  erfc,
  MIN_PER_VARIANT,
  normalCdf,
  wilsonInterval,
  Z_95,
} from "../core/variants/stats.ts";

/** Φ(z) = 1/2 + ∫₀^z φ(t) dt by composite Simpson's rule with 20 000 panels. */
function simpsonCdf(z: number): number {
  const density = (t: number) => Math.exp((-t * t) / 2) / Math.sqrt(2 * Math.PI);
  const n = 20_000;
  const h = z / n;
  let sum = density(0) + density(z);
  for (let i = 1; i < n; i++) sum += (i % 2 === 1 ? 4 : 2) * density(i * h);
  return 0.5 + (sum * h) / 3;
}

/** Wilson's bounds: the p with (p̂ − p)² = z²·p(1 − p)/n, i.e. the roots of a p² + b p + c = 0. */
function wilsonRoots(x: number, n: number, z: number): [number, number] {
  const phat = x / n;
  const k = (z * z) / n;
  const a = 1 + k;
  const b = -(2 * phat + k);
  const c = phat * phat;
  const disc = Math.sqrt(b * b - 4 * a * c);
  return [(-b - disc) / (2 * a), (-b + disc) / (2 * a)];
}

/** Pearson's chi-square of the 2×2 table [[x1, n1−x1], [x2, n2−x2]]; equals z² of the pooled test. */
function chiSquare(x1: number, n1: number, x2: number, n2: number): number {
  const a = x1;
  const b = n1 - x1;
  const c = x2;
  const d = n2 - x2;
  const total = n1 + n2;
  return (total * (a * d - b * c) ** 2) / ((a + b) * (c + d) * (a + c) * (b + d));
}

describe("normal distribution", () => {
  it("matches the standard normal table", () => {
    expect(Math.abs(normalCdf(0) - 0.5)).toBeLessThan(1e-7);
    expect(Math.abs(normalCdf(1) - 0.8413447460685429)).toBeLessThan(1e-6);
    expect(Math.abs(normalCdf(1.96) - 0.9750021048517795)).toBeLessThan(1e-6);
    expect(Math.abs(normalCdf(3) - 0.9986501019683699)).toBeLessThan(1e-6);
    expect(Math.abs(normalCdf(-2.5758293035489) - 0.005)).toBeLessThan(1e-6);
    expect(Math.abs(normalCdf(Z_95) - 0.975)).toBeLessThan(1e-6);
  });

  it("is within 1e-6 of Simpson's integral from −6 to 6", () => {
    for (let z = -6; z <= 6; z += 0.05) expect(Math.abs(normalCdf(z) - simpsonCdf(z))).toBeLessThan(1e-6);
  });

  it("erfc is symmetric about 1 and 1 at 0", () => {
    for (const x of [0.1, 0.7, 1.5, 3]) expect(erfc(x) + erfc(-x)).toBeCloseTo(2, 12);
    expect(Math.abs(erfc(0) - 1)).toBeLessThan(1e-7);
  });
});

describe("Wilson interval", () => {
  it("reproduces Newcombe's published score intervals", () => {
    const cases: [number, number, number, number][] = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0, 0.1611],
      [1, 29, 0.0061, 0.1718],
    ];
    for (const [x, n, low, high] of cases) {
      const found = wilsonInterval(x, n);
      expect(found).not.toBeNull();
      expect(Math.abs((found?.low ?? -1) - low)).toBeLessThan(5e-5);
      expect(Math.abs((found?.high ?? -1) - high)).toBeLessThan(5e-5);
    }
  });

  it("equals the roots of the score quadratic for many counts", () => {
    for (const n of [1, 2, 5, 30, 97, 400, 5000])
      for (const x of [0, 1, Math.floor(n / 3), Math.floor(n / 2), n - 1, n].filter(
        (v) => v >= 0 && v <= n,
      )) {
        const [low, high] = wilsonRoots(x, n, Z_95);
        const found = wilsonInterval(x, n);
        expect(found?.low).toBeCloseTo(Math.max(0, low), 10);
        expect(found?.high).toBeCloseTo(Math.min(1, high), 10);
        expect(found?.low ?? -1).toBeGreaterThanOrEqual(0);
        expect(found?.high ?? 2).toBeLessThanOrEqual(1);
      }
  });

  it("has no interval without reminders", () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(wilsonInterval(0, -3)).toBeNull();
  });
});

describe("two-proportion z-test", () => {
  it("z² equals the 2×2 chi-square, and p its upper tail", () => {
    const cases: [number, number, number, number][] = [
      [81, 263, 15, 148],
      [40, 100, 55, 100],
      [120, 400, 138, 410],
      [5, 31, 9, 30],
      [300, 1000, 300, 1000],
    ];
    for (const [x1, n1, x2, n2] of cases) {
      const found = compareProportions(x1, n1, x2, n2);
      const chi = chiSquare(x1, n1, x2, n2);
      expect(found).not.toBeNull();
      expect((found?.z ?? 0) ** 2).toBeCloseTo(chi, 9);
      expect(Math.sign(found?.z ?? 0)).toBe(Math.sign(x2 / n2 - x1 / n1));
      expect(found?.difference).toBeCloseTo(x2 / n2 - x1 / n1, 12);
      // P(|Z| ≥ √χ²) = 2·(1 − Φ(√χ²)), Φ by Simpson.
      const p = 2 * (1 - simpsonCdf(Math.sqrt(chi)));
      expect(Math.abs((found?.pValue ?? -1) - p)).toBeLessThan(1e-6);
    }
  });

  it("by hand: 40/100 against 55/100, pooled 0.475, SE √(0.475·0.525·0.02) = 0.070622, z = 2.1240", () => {
    const found = compareProportions(40, 100, 55, 100);
    expect(found?.z).toBeCloseTo(0.15 / Math.sqrt(0.475 * 0.525 * 0.02), 12);
    expect(found?.z).toBeCloseTo(2.124, 3);
    // Table: Φ(2.12) = 0.98300, Φ(2.13) = 0.98341 → two-sided p between 0.0332 and 0.0340.
    expect(found?.pValue ?? 0).toBeGreaterThan(0.0332);
    expect(found?.pValue ?? 1).toBeLessThan(0.034);
    expect(compareProportions(55, 100, 40, 100)?.z).toBeCloseTo(-2.124, 3);
  });

  it("has nothing to test with no reminders or no variation", () => {
    expect(compareProportions(0, 0, 3, 10)).toBeNull();
    expect(compareProportions(3, 10, 0, 0)).toBeNull();
    expect(compareProportions(0, 10, 0, 12)).toBeNull();
    expect(compareProportions(10, 10, 12, 12)).toBeNull();
    expect(MIN_PER_VARIANT).toBeGreaterThan(0);
  });
});

// Accessibility checks in the browser tests: axe-core injected into a playwright page, run against
// the WCAG 2.0/2.1 A and AA rules; any violation fails the test with what and where.
import axe from "axe-core";
import type { Page } from "playwright-core";

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

type Violation = { id: string; help: string; nodes: { target: unknown[] }[] };

/** Runs axe on the page as it is now; throws listing every violation (rule, help, elements). */
export async function expectNoAxeViolations(page: Page, label = page.url()): Promise<void> {
  // Evaluated through the DevTools protocol, which the panel's strict CSP does not block (an
  // injected <script> would be, rightly).
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axe.source);
  const violations = await page.evaluate(async (tags) => {
    const api = (window as unknown as { axe: typeof axe }).axe;
    const results = await api.run(document, { runOnly: { type: "tag", values: tags } });
    return results.violations.map((v) => ({
      id: v.id,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target as unknown[] })),
    }));
  }, TAGS);
  if (violations.length > 0) {
    const lines = (violations as Violation[]).map(
      (v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(", ")}`,
    );
    throw new Error(`accessibility violations on ${label}:\n${lines.join("\n")}`);
  }
}

// The results dashboard's sections after awareness and arrears, in the page's order. A section is its
// figures (core/results/<key>.ts, a ResultsSection) and its part of the page (a view beside this
// file); the route computes every section for the filter, the page shows their views in turn, and the
// exports (CSV, .xlsx, PDF) take their rows. Adding a section is one line in `resultsSections`.
import type { Clock } from "../../../core/clock.ts";
import type { Db } from "../../../core/db/client.ts";
import type { Translate } from "../../../core/i18n.ts";
import type { StaffScope } from "../../../core/offices/scope.ts";
import { checkupSection } from "../../../core/results/checkup.ts";
import type { CsvRow } from "../../../core/results/csv.ts";
import type { ResultsFilter } from "../../../core/results/filter.ts";
import { officesSection } from "../../../core/results/offices.ts";
import { paperworkSection } from "../../../core/results/paperwork.ts";
import type { ResultsSection } from "../../../core/results/section.ts";
import { spendingSection } from "../../../core/results/spending.ts";
import { trainingSection } from "../../../core/results/training.ts";
import type { SafeHtml } from "../html.ts";
import { checkupView } from "./checkup.ts";
import { officesView } from "./offices.ts";
import { paperworkView } from "./paperwork.ts";
import { spendingView } from "./spending.ts";
import { trainingView } from "./training.ts";

/** What a section's view gets: the page's language, the resultsAdmin translator and the filter. */
export type SectionViewContext = { lang: string; r: Translate; filter: ResultsFilter };

/** One section's figures for one filter, ready for the page and the exports. */
export type ComputedSection = {
  key: string;
  view(ctx: SectionViewContext): SafeHtml;
  rows(label: (key: string) => string): CsvRow[];
};

export type SectionEntry = {
  key: string;
  load(db: Db, clock: Clock, scope: StaffScope, filter: ResultsFilter): Promise<ComputedSection>;
};

/** Pairs a section's figures with its view, hiding the figures' type from the list below. */
export function sectionEntry<T>(
  section: ResultsSection<T>,
  view: (figures: T, ctx: SectionViewContext) => SafeHtml,
): SectionEntry {
  return {
    key: section.key,
    async load(db, clock, scope, filter) {
      const figures = await section.compute(db, clock, scope, filter);
      return {
        key: section.key,
        view: (ctx) => view(figures, ctx),
        rows: (label) => section.rows(figures, label),
      };
    },
  };
}

/** The settings a section's figures depend on (from the one config object). */
export type SectionSettings = { caseSlaHours: number };

/** The sections in the page's order: the order, after awareness and arrears. */
export function resultsSections(settings: SectionSettings): readonly SectionEntry[] {
  return [
    sectionEntry(paperworkSection, paperworkView),
    sectionEntry(spendingSection, spendingView),
    sectionEntry(officesSection(settings.caseSlaHours), officesView),
    sectionEntry(trainingSection, trainingView),
    sectionEntry(checkupSection, checkupView),
  ];
}

/** Every section's figures for the filter, in the page's order. */
export function loadSections(
  db: Db,
  clock: Clock,
  scope: StaffScope,
  filter: ResultsFilter,
  settings: SectionSettings,
): Promise<ComputedSection[]> {
  return Promise.all(resultsSections(settings).map((s) => s.load(db, clock, scope, filter)));
}

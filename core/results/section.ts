// What one part of the results dashboard is: figures computed for a filter (in SQL, starting from
// core/results/selection.ts), and the same figures as export rows (CSV, .xlsx and the PDF report all
// read the rows). The page's part of a section lives in admin/views/results/<key>.ts.
import type { Clock } from "../clock.ts";
import type { Db } from "../db/client.ts";
import type { StaffScope } from "../offices/scope.ts";
import type { CsvRow } from "./csv.ts";
import type { ResultsFilter } from "./filter.ts";

export type ResultsSection<T> = {
  /** The section's key in locales/<lang>/resultsAdmin.json (its title is `<key>.title`). */
  key: string;
  compute(db: Db, clock: Clock, scope: StaffScope, filter: ResultsFilter): Promise<T>;
  /** The figures as rows; `label(key)` is the resultsAdmin translator. */
  rows(figures: T, label: (key: string) => string): CsvRow[];
};

// /results, /results.csv, /results.xlsx and /results.pdf: the programme's figures (core/results/) for every role, within what
// core/offices/scope.ts lets each person see. The CSV is the same figures, audited like every export.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { audit } from "../../core/audit.ts";
import type { Clock } from "../../core/clock.ts";
import { translator } from "../../core/i18n.ts";
import { listOffices } from "../../core/offices/offices.ts";
import { resultsCsv, resultsRows } from "../../core/results/csv.ts";
import { monthOfInstant, resultsFigures } from "../../core/results/figures.ts";
import { type ResultsFilter, readFilter } from "../../core/results/filter.ts";
import { resultsPdf } from "../../core/results/pdf.ts";
import { resultsMunicipalities } from "../../core/results/selection.ts";
import { resultsXlsx } from "../../core/results/xlsx.ts";
import { formatRomeDateTime } from "../../core/time.ts";
import { sessionOf } from "../auth.ts";
import { type AdminContext, pageInfo, sendHtml } from "../context.ts";
import { resultsPage } from "../views/results/page.ts";
import { loadSections, type SectionSettings } from "../views/results/sections.ts";

/** The filter as a query string ("?from=…"), for links that keep it. */
function queryOf(filter: ResultsFilter): string {
  const params = new URLSearchParams();
  if (filter.officeId !== null) params.set("office", String(filter.officeId));
  if (filter.municipality !== null) params.set("municipality", filter.municipality);
  if (filter.cohort !== null) params.set("cohort", filter.cohort);
  params.set("from", filter.from);
  params.set("to", filter.to);
  return `?${params.toString()}`;
}

function filterOf(request: FastifyRequest, clock: Clock) {
  return readFilter(
    (request.query ?? {}) as Record<string, unknown>,
    sessionOf(request),
    monthOfInstant(clock.now()),
  );
}

export function resultsRoutes(app: FastifyInstance, ctx: AdminContext, settings: SectionSettings): void {
  const { db, clock, auth } = ctx;
  const demo = ctx.demo !== undefined;
  const allowed = auth.requireRole("operator", "coordinator", "admin");

  app.get("/results", { preHandler: allowed }, async (request, reply) => {
    const scope = sessionOf(request);
    const { filter, problems } = filterOf(request, clock);
    const [figures, sections, offices, municipalities] = await Promise.all([
      resultsFigures(db, clock, scope, filter),
      loadSections(db, clock, scope, filter, settings),
      scope.role === "admin" ? listOffices(db) : Promise.resolve(null),
      resultsMunicipalities(db, scope),
    ]);
    return sendHtml(
      reply,
      resultsPage(pageInfo(request, demo), {
        filter,
        problems,
        figures,
        sections,
        offices,
        municipalities,
        query: queryOf(filter),
      }),
    );
  });

  /** The figures and their rows for an export, audited as one. */
  async function exportRows(request: FastifyRequest, format: "csv" | "xlsx" | "pdf") {
    const scope = sessionOf(request);
    const { filter } = filterOf(request, clock);
    const r = translator(pageInfo(request, demo).lang, "resultsAdmin");
    const [figures, sections] = await Promise.all([
      resultsFigures(db, clock, scope, filter),
      loadSections(db, clock, scope, filter, settings),
    ]);
    const label = (key: string) => r(key);
    const rows = [...resultsRows(figures, label), ...sections.flatMap((s) => s.rows(label))];
    await audit(db, {
      actorType: "staff",
      actorId: scope.staffId,
      action: "results.exported",
      entityType: "Results",
      details: { ...filter, format },
    });
    const headers = ["section", "figure", "month", "value", "unit"].map((k) => r(`csvHeader.${k}`));
    return { rows, r, headers, filter, figures, name: `risultati-${filter.from}-${filter.to}` };
  }

  app.get("/results.csv", { preHandler: allowed }, async (request, reply) => {
    const { rows, r, headers, name } = await exportRows(request, "csv");
    return reply
      .type("text/csv; charset=utf-8")
      .header("content-disposition", `attachment; filename="${name}.csv"`)
      .header("cache-control", "no-store")
      .send(resultsCsv(rows, headers, (unit) => r(`unit.${unit}`)));
  });

  app.get("/results.xlsx", { preHandler: allowed }, async (request, reply) => {
    const { rows, r, headers, name } = await exportRows(request, "xlsx");
    const book = await resultsXlsx(rows, {
      sheet: r("sheet"),
      headers,
      unitLabel: (unit) => r(`unit.${unit}`),
    });
    return reply
      .type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
      .header("content-disposition", `attachment; filename="${name}.xlsx"`)
      .header("cache-control", "no-store")
      .send(book);
  });

  app.get("/results.pdf", { preHandler: allowed }, async (request, reply) => {
    const { rows, r, filter, figures, name } = await exportRows(request, "pdf");
    const office =
      filter.officeId === null
        ? null
        : await db.office.findUnique({ where: { id: filter.officeId }, select: { code: true, name: true } });
    const pdf = await resultsPdf({
      lang: pageInfo(request, demo).lang,
      title: r("title"),
      lines: [
        r("report.filter", {
          office: office ? `${office.code} · ${office.name}` : r("allOffices"),
          municipality: filter.municipality ?? r("allMunicipalities"),
          cohort: filter.cohort ?? r("report.allCohorts"),
          from: filter.from,
          to: filter.to,
        }),
        r("households", { count: figures.households }),
        r("report.made", { at: formatRomeDateTime(clock.now()) }),
      ],
      rows,
      labels: {
        figure: r("figure"),
        value: r("value"),
        month: r("arrears.month"),
        definitions: r("report.definitions"),
      },
      unitLabel: (unit) => r(`unit.${unit}`),
    });
    return reply
      .type("application/pdf")
      .header("content-disposition", `attachment; filename="${name}.pdf"`)
      .header("cache-control", "no-store")
      .send(pdf);
  });
}

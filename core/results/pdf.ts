// The results report for the governance board: the dashboard's figures (the export rows every
// section gives, core/results/csv.ts) as a printable A4 PDF. Per section, the figures as a table, the
// month-by-month figures as a table of months, and the one-line definitions. Tagged (PDF/UA's
// structure: headings, tables with header cells, lists) with embedded fonts, so a screen reader reads
// it and the text can be extracted.
import PDFDocument from "pdfkit";
import { pdfFonts } from "../pdf-fonts.ts";
import type { CsvRow, CsvUnit } from "./csv.ts";
import { rowValueText } from "./format.ts";

export type ReportInput = {
  /** "it" or "en": the staff member's language. */
  lang: string;
  title: string;
  /** Lines under the title: the filter, when it was made, how many households. */
  lines: readonly string[];
  rows: readonly CsvRow[];
  labels: { figure: string; value: string; month: string; definitions: string };
  /** A unit's name (resultsAdmin's "unit"), written after hours, whose figures do not say it. */
  unitLabel: (unit: CsvUnit) => string;
};

/** Units a reader cannot tell from the figure's name. */
const SPELLED_UNITS: ReadonlySet<CsvUnit> = new Set(["hours", "workingHours"]);

const MARGIN = 50;
const FONT_SIZE = 9;
const PADDING = 3;
const BORDER = "#5c6f82";
/** Month-by-month figures per table: more would not fit across A4 portrait. */
const MONTH_COLUMNS = 4;

type Section = { title: string; totals: CsvRow[]; monthly: CsvRow[] };

function sectionsOf(rows: readonly CsvRow[]): Section[] {
  const sections = new Map<string, Section>();
  for (const row of rows) {
    let section = sections.get(row.section);
    if (!section) {
      section = { title: row.section, totals: [], monthly: [] };
      sections.set(row.section, section);
    }
    (row.month === "" ? section.totals : section.monthly).push(row);
  }
  return [...sections.values()];
}

type Cell = { text: string; type?: "TH" | "TD"; align?: "left" | "right" };

export async function resultsPdf(input: ReportInput): Promise<Buffer> {
  const { regular, bold } = pdfFonts();
  const valueText = (row: CsvRow) => {
    const value = rowValueText(input.lang, row);
    return SPELLED_UNITS.has(row.unit) && row.value !== "" ? `${value} ${input.unitLabel(row.unit)}` : value;
  };
  const doc = new PDFDocument({
    size: "A4",
    margin: MARGIN,
    pdfVersion: "1.7",
    tagged: true,
    displayTitle: true,
    lang: input.lang === "it" ? "it-IT" : "en-GB",
    info: { Title: input.title, Creator: "Bussola" },
    bufferPages: false,
  });
  doc.registerFont("regular", regular);
  doc.registerFont("bold", bold);
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on("end", resolve);
    doc.on("error", reject);
  });

  const root = doc.struct("Document");
  doc.addStructure(root);
  const paragraph = (parent: PDFKit.PDFStructureElement, type: "H1" | "H2" | "H3" | "P", text: string) => {
    const size = { H1: 18, H2: 14, H3: 11, P: 10 }[type];
    parent.add(
      doc.struct(type, {}, () => {
        doc
          .font(type === "P" ? "regular" : "bold")
          .fontSize(size)
          .text(text, { width: doc.page.width - 2 * MARGIN });
      }),
    );
    doc.moveDown(type === "P" ? 0.3 : 0.5);
  };
  /**
   * A table drawn cell by cell (pdfkit's own table lays out every cell several times: 8 s for 800
   * rows). Rows never split across pages; the borders are artifacts, not content, for screen readers.
   */
  const table = (parent: PDFKit.PDFStructureElement, data: Cell[][], widths: number[]) => {
    const structure = doc.struct("Table");
    parent.add(structure);
    const total = widths.reduce((a, b) => a + b, 0);
    const bottom = doc.page.height - MARGIN;
    for (const row of data) {
      const height =
        Math.max(
          ...row.map((cell, j) =>
            doc
              .font(cell.type === "TH" ? "bold" : "regular")
              .fontSize(FONT_SIZE)
              .heightOfString(cell.text, { width: (widths[j] ?? 0) - 2 * PADDING }),
          ),
        ) +
        2 * PADDING;
      if (doc.y + height > bottom) doc.addPage();
      const y = doc.y;
      const tr = doc.struct("TR");
      structure.add(tr);
      let x = MARGIN;
      row.forEach((cell, j) => {
        const width = widths[j] ?? 0;
        tr.add(
          doc.struct(cell.type ?? "TD", {}, () => {
            doc
              .font(cell.type === "TH" ? "bold" : "regular")
              .fontSize(FONT_SIZE)
              .text(cell.text, x + PADDING, y + PADDING, {
                width: width - 2 * PADDING,
                align: cell.align ?? "left",
              });
          }),
        );
        x += width;
      });
      tr.end();
      doc.markContent("Artifact");
      doc.lineWidth(0.5).strokeColor(BORDER).rect(MARGIN, y, total, height).stroke();
      let edge = MARGIN;
      for (const width of widths.slice(0, -1)) {
        edge += width;
        doc
          .moveTo(edge, y)
          .lineTo(edge, y + height)
          .stroke();
      }
      doc.endMarkedContent();
      doc.x = MARGIN;
      doc.y = y + height;
    }
    structure.end();
    doc.moveDown(0.8);
  };

  paragraph(root, "H1", input.title);
  for (const line of input.lines) paragraph(root, "P", line);
  doc.moveDown(0.5);
  const width = doc.page.width - 2 * MARGIN;

  for (const section of sectionsOf(input.rows)) {
    const sect = doc.struct("Sect");
    root.add(sect);
    if (doc.y > doc.page.height - 200) doc.addPage();
    paragraph(sect, "H2", section.title);
    if (section.totals.length > 0) {
      const header: Cell[] = [
        { text: input.labels.figure, type: "TH" },
        { text: input.labels.value, type: "TH", align: "right" },
      ];
      table(
        sect,
        [
          header,
          ...section.totals.map((row): Cell[] => [
            { text: row.figure, type: "TH" },
            { text: valueText(row), align: "right" },
          ]),
        ],
        [width - 140, 140],
      );
    }
    const figures = [...new Set(section.monthly.map((r) => r.figure))];
    const months = [...new Set(section.monthly.map((r) => r.month))];
    const byKey = new Map(section.monthly.map((r) => [`${r.month}|${r.figure}`, r]));
    for (let i = 0; i < figures.length; i += MONTH_COLUMNS) {
      const columns = figures.slice(i, i + MONTH_COLUMNS);
      const columnWidth = Math.floor((width - 70) / columns.length);
      table(
        sect,
        [
          [
            { text: input.labels.month, type: "TH" },
            ...columns.map((f): Cell => ({ text: f, type: "TH", align: "right" })),
          ],
          ...months.map((month): Cell[] => [
            { text: month, type: "TH" },
            ...columns.map((f): Cell => {
              const row = byKey.get(`${month}|${f}`);
              return { text: row ? valueText(row) : "—", align: "right" };
            }),
          ]),
        ],
        [70, ...columns.map(() => columnWidth)],
      );
    }
    const definitions = new Map<string, string>();
    for (const row of [...section.totals, ...section.monthly])
      if (row.definition && !definitions.has(row.figure)) definitions.set(row.figure, row.definition);
    if (definitions.size > 0) {
      paragraph(sect, "H3", input.labels.definitions);
      const list = doc.struct("L");
      sect.add(list);
      for (const [figure, definition] of definitions) {
        list.add(
          doc.struct("LI", {}, () => {
            doc.font("regular").fontSize(8.5).text(`${figure}: ${definition}`, { width });
          }),
        );
        doc.moveDown(0.2);
      }
      list.end();
      doc.moveDown(0.5);
    }
    sect.end();
  }
  root.end();
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}

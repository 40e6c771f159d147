// The results report for the governance board: the dashboard's figures (the export rows every
// section gives, core/results/csv.ts) as a printable A4 PDF. Per section, the figures as a table, the
// month-by-month figures as a table of months, and the one-line definitions. Tagged (PDF/UA's
// structure: headings, tables with header cells, lists) with embedded fonts, so a screen reader reads
// it and the text can be extracted.
import PDFDocument from "pdfkit";
import { pdfFonts } from "../pdf-fonts.ts";
import type { CsvRow } from "./csv.ts";
import { rowValueText } from "./format.ts";

export type ReportInput = {
  /** "it" or "en": the staff member's language. */
  lang: string;
  title: string;
  /** Lines under the title: the filter, when it was made, how many households. */
  lines: readonly string[];
  rows: readonly CsvRow[];
  labels: { figure: string; value: string; month: string; definitions: string };
};

const MARGIN = 50;
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

/** pdfkit's tables take a structure parent when the document is tagged; @types/pdfkit lacks it. */
type TaggedTableOptions = PDFKit.Mixins.TableOptionsWithData & { structParent: PDFKit.PDFStructureElement };
type Cell = { text: string; type?: "TH" | "TD"; scope?: "Row" | "Column"; align?: "left" | "right" };

export async function resultsPdf(input: ReportInput): Promise<Buffer> {
  const { regular, bold } = pdfFonts();
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
  const table = (parent: PDFKit.PDFStructureElement, data: Cell[][], widths: number[]) => {
    doc.font("regular").fontSize(9);
    const options: TaggedTableOptions = {
      structParent: parent,
      position: { x: MARGIN },
      columnStyles: widths,
      defaultStyle: { padding: 3, border: 0.5, borderColor: "#5c6f82" },
      data: data.map((row) =>
        row.map((cell) => ({
          text: cell.text,
          type: cell.type ?? "TD",
          ...(cell.scope ? { scope: cell.scope } : {}),
          align: { x: cell.align ?? "left", y: "top" as const },
          font: { src: cell.type === "TH" ? "bold" : "regular" },
        })),
      ),
    };
    doc.table(options);
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
        { text: input.labels.figure, type: "TH", scope: "Column" },
        { text: input.labels.value, type: "TH", scope: "Column", align: "right" },
      ];
      table(
        sect,
        [
          header,
          ...section.totals.map((row): Cell[] => [
            { text: row.figure, type: "TH", scope: "Row" },
            { text: rowValueText(input.lang, row), align: "right" },
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
            { text: input.labels.month, type: "TH", scope: "Column" },
            ...columns.map((f): Cell => ({ text: f, type: "TH", scope: "Column", align: "right" })),
          ],
          ...months.map((month): Cell[] => [
            { text: month, type: "TH", scope: "Row" },
            ...columns.map((f): Cell => {
              const row = byKey.get(`${month}|${f}`);
              return { text: row ? rowValueText(input.lang, row) : "—", align: "right" };
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

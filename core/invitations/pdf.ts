// Invitation letters as one PDF, one A4 page per household: the text in Italian and in the
// household's language, three steps to join the bot, a QR code of the bot's deep link with the
// household's link code, the code itself (printed once) and its expiry date.
//
// Fonts: DejaVu Sans (core/pdf-fonts.ts), whose Arabic joining forms fontkit (PDFKit's font engine)
// applies. Right-to-left lines are ordered by ./rtl.ts.
import PDFDocument from "pdfkit";
import QRCode from "qrcode";
import { resolveLanguage, translator } from "../i18n.ts";
import { pdfFonts } from "../pdf-fonts.ts";
import { formatCalendarDate, romeToday } from "../time.ts";
import { type Measure, visualRuns, wrapLines } from "./rtl.ts";

export type InvitationLetter = {
  householdId: number;
  contractCode: string;
  name: string;
  address: string;
  municipality: string;
  /** Household.language: the letter is in Italian and, when it is another one we speak, in that too. */
  language: string;
  /** As people type it: "ABCD-2345". */
  code: string;
  expiresAt: Date;
};

export type LetterOptions = {
  /** The bot's Telegram username, without "@". */
  botUsername: string;
  /** How to reach the authority (AUTHORITY_CONTACT); unset, each language's default sentence. */
  authorityContact?: string | undefined;
};

/** The languages written right to left. */
const RTL_LANGUAGES = new Set(["ar"]);

/** The deep link that opens the bot with the code: t.me/<bot>?start=ABCD2345 (the bot takes it as /start ABCD2345). */
export function deepLink(botUsername: string, code: string): string {
  return `https://t.me/${botUsername}?start=${code.replace(/-/g, "")}`;
}

const PAGE = { width: 595.28, height: 841.89 };
const MARGIN = 50;
const CONTENT_WIDTH = PAGE.width - 2 * MARGIN;
const QR_SIZE = 132;
const BASE_SIZE = 10.5;
const MIN_SIZE = 7;

type Doc = PDFKit.PDFDocument;

/**
 * A run drawn and measured as one piece. Without explicit features PDFKit lays text out a word at a
 * time, left to right, which would undo the right-to-left order fontkit gives an Arabic run.
 */
const WHOLE_RUN: PDFKit.Mixins.TextOptions = { lineBreak: false, features: [] };

/** One piece of a page: its height at a font size, and drawing it at y (returns the height used). */
type Block = { height(size: number): number; draw(y: number, size: number): number };

type Texts = {
  language: string;
  rtl: boolean;
  title: string;
  intro: string;
  stepsTitle: string;
  steps: [string, string, string];
  expiry: string;
  helpTitle: string;
  contact: string;
  codeLabel: string;
  validUntil: string;
};

function textsOf(language: string, letter: InvitationLetter, options: LetterOptions): Texts {
  const t = translator(language, "invitations");
  const date = formatCalendarDate(romeToday(letter.expiresAt));
  const bot = `@${options.botUsername}`;
  return {
    language,
    rtl: RTL_LANGUAGES.has(language),
    title: t("title"),
    intro: t("intro"),
    stepsTitle: t("stepsTitle"),
    steps: [`1. ${t("step1")}`, `2. ${t("step2", { bot })}`, `3. ${t("step3")}`],
    expiry: t("expiry", { date }),
    helpTitle: t("helpTitle"),
    contact: options.authorityContact ?? t("contactDefault"),
    codeLabel: t("codeLabel"),
    validUntil: t("validUntil", { date }),
  };
}

/** Paragraph heights by font, size and text: most letters of a print run share most of their texts. */
const HEIGHTS = new WeakMap<Doc, Map<string, number>>();

/** A paragraph in one font: left-aligned, or right-aligned and ordered right to left. */
function paragraph(doc: Doc, text: string, font: "regular" | "bold", rtl: boolean, scale = 1): Block {
  const gap = 0.25;
  const lineHeight = (size: number) => size * scale * 1.25;
  // Measured a word at a time (PDFKit caches each word's layout): Arabic letters do not join across
  // a space, so a line is as wide as its words and spaces, whichever way it is shaped.
  const measure = (size: number): Measure => {
    doc.font(font).fontSize(size * scale);
    return (s) => doc.widthOfString(s);
  };
  const lines = (size: number) => wrapLines(text, CONTENT_WIDTH, measure(size));
  const known = HEIGHTS.get(doc) ?? new Map<string, number>();
  HEIGHTS.set(doc, known);
  return {
    height(size) {
      const key = `${font}|${scale}|${rtl}|${size}|${text}`;
      let height = known.get(key);
      if (height === undefined) {
        if (rtl) height = lines(size).length * lineHeight(size) + gap * size;
        else {
          doc.font(font).fontSize(size * scale);
          height =
            doc.heightOfString(text, { width: CONTENT_WIDTH, lineGap: size * scale * 0.25 }) + gap * size;
        }
        known.set(key, height);
      }
      return height;
    },
    draw(y, size) {
      if (!rtl) {
        doc.font(font).fontSize(size * scale);
        doc.text(text, MARGIN, y, { width: CONTENT_WIDTH, lineGap: size * scale * 0.25 });
        return this.height(size);
      }
      const width = measure(size);
      let lineY = y;
      for (const line of lines(size)) {
        const runs = visualRuns(line);
        const total = runs.reduce((sum, run) => sum + width(run.text), 0);
        let x = MARGIN + CONTENT_WIDTH - total;
        for (const run of runs) {
          doc.text(run.text, x, lineY, WHOLE_RUN);
          x += width(run.text);
        }
        lineY += lineHeight(size);
      }
      return lineY - y + gap * size;
    },
  };
}

function space(points: number): Block {
  return { height: (size) => (points * size) / BASE_SIZE, draw: (_y, size) => (points * size) / BASE_SIZE };
}

function section(doc: Doc, texts: Texts): Block[] {
  return [
    paragraph(doc, texts.title, "bold", texts.rtl, 1.35),
    space(3),
    paragraph(doc, texts.intro, "regular", texts.rtl),
    space(3),
    paragraph(doc, texts.stepsTitle, "bold", texts.rtl),
    ...texts.steps.map((step) => paragraph(doc, step, "regular", texts.rtl)),
    space(2),
    paragraph(doc, texts.expiry, "regular", texts.rtl),
  ];
}

/** The QR code as filled squares (crisp at any print size), one rectangle per run of dark modules. */
function drawQr(doc: Doc, link: string, x: number, y: number, size: number): void {
  const { modules } = QRCode.create(link, { errorCorrectionLevel: "M" });
  const cell = size / modules.size;
  for (let row = 0; row < modules.size; row++) {
    let col = 0;
    while (col < modules.size) {
      if (!modules.get(row, col)) {
        col++;
        continue;
      }
      let end = col;
      while (end < modules.size && modules.get(row, end)) end++;
      doc.rect(x + col * cell, y + row * cell, (end - col) * cell, cell);
      col = end;
    }
  }
  doc.fillColor("black").fill();
}

function codeBox(
  doc: Doc,
  letter: InvitationLetter,
  italian: Texts,
  other: Texts | null,
  link: string,
): Block {
  const padding = 12;
  const height = QR_SIZE + 2 * padding;
  return {
    height: () => height,
    draw(y) {
      doc.lineWidth(1).roundedRect(MARGIN, y, CONTENT_WIDTH, height, 6).stroke();
      drawQr(doc, link, MARGIN + padding, y + padding, QR_SIZE);
      const textX = MARGIN + padding * 2 + QR_SIZE;
      const textWidth = CONTENT_WIDTH - QR_SIZE - padding * 3;
      let textY = y + padding + 8;
      doc.font("regular").fontSize(11).fillColor("black");
      // A line in Italian, then the same in the household's language (right to left for Arabic).
      const bilingual = (italianLine: string, otherLine: string | undefined) => {
        doc.text(italianLine, textX, textY, { width: textWidth, lineBreak: false });
        textY += 15;
        if (other && otherLine !== undefined) {
          if (other.rtl) {
            let x = textX;
            for (const run of visualRuns(otherLine)) {
              doc.text(run.text, x, textY, WHOLE_RUN);
              x += doc.widthOfString(run.text);
            }
          } else {
            doc.text(otherLine, textX, textY, { width: textWidth, lineBreak: false });
          }
          textY += 15;
        }
      };
      bilingual(italian.codeLabel, other?.codeLabel);
      textY += 6;
      doc.font("mono").fontSize(30).text(letter.code, textX, textY, { lineBreak: false });
      textY += 42;
      doc.font("regular").fontSize(11);
      bilingual(italian.validUntil, other?.validUntil);
      return height;
    },
  };
}

function rule(doc: Doc): Block {
  return {
    height: (size) => size * 1.6,
    draw(y, size) {
      const mid = y + size * 0.8;
      doc
        .lineWidth(0.5)
        .strokeColor("#777777")
        .moveTo(MARGIN, mid)
        .lineTo(PAGE.width - MARGIN, mid)
        .stroke();
      doc.strokeColor("black");
      return size * 1.6;
    },
  };
}

function page(doc: Doc, letter: InvitationLetter, options: LetterOptions): void {
  const italian = textsOf("it", letter, options);
  // Household.language as we speak it; Italian (or a language we do not speak): Italian only.
  const language = resolveLanguage(letter.language);
  const other = language === "it" ? null : textsOf(language, letter, options);
  const link = deepLink(options.botUsername, letter.code);
  const t = translator("it", "invitations");
  const header: Block[] = [
    paragraph(doc, letter.name, "bold", false),
    paragraph(doc, letter.address, "regular", false),
    paragraph(doc, letter.municipality, "regular", false),
    paragraph(doc, t("contract", { contract: letter.contractCode }), "regular", false, 0.85),
    space(14),
  ];
  const help = (texts: Texts): Block[] => [
    paragraph(doc, texts.helpTitle, "bold", texts.rtl),
    paragraph(doc, texts.contact, "regular", texts.rtl),
  ];
  // The authority's own contact (AUTHORITY_CONTACT) is printed once, under both headings; the
  // default sentence is each language's.
  const helpBlocks: Block[] =
    options.authorityContact === undefined
      ? [...help(italian), ...(other ? [space(3), ...help(other)] : [])]
      : [
          paragraph(doc, italian.helpTitle, "bold", false),
          ...(other ? [paragraph(doc, other.helpTitle, "bold", other.rtl)] : []),
          paragraph(doc, options.authorityContact, "regular", false),
        ];
  const blocks: Block[] = [
    ...header,
    ...section(doc, italian),
    space(10),
    codeBox(doc, letter, italian, other, link),
    space(4),
    ...(other ? [rule(doc), ...section(doc, other), space(8)] : [space(8)]),
    rule(doc),
    ...helpBlocks,
  ];
  // The largest font size at which the page holds everything (a long address, a long contact).
  const available = PAGE.height - 2 * MARGIN;
  let size = BASE_SIZE;
  while (size > MIN_SIZE && blocks.reduce((sum, b) => sum + b.height(size), 0) > available) size -= 0.5;
  doc.addPage({ size: "A4", margin: 10 });
  let y = MARGIN;
  for (const block of blocks) y += block.draw(y, size);
}

/** The letters as one PDF, one page each, in the order given. */
export async function renderInvitations(
  letters: InvitationLetter[],
  options: LetterOptions,
): Promise<Buffer> {
  const { regular, bold, mono } = pdfFonts();
  const doc = new PDFDocument({
    autoFirstPage: false,
    lang: "it-IT",
    info: { Title: "Bussola: lettere di invito", Creator: "Bussola" },
  });
  doc.registerFont("regular", regular);
  doc.registerFont("bold", bold);
  doc.registerFont("mono", mono);
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on("end", resolve);
    doc.on("error", reject);
  });
  for (const letter of letters) page(doc, letter, options);
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}

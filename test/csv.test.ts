import { describe, expect, it } from "vitest";
import { readCsv } from "../core/imports/csv.ts";
import { readSpreadsheet } from "../core/imports/spreadsheet.ts";

const COLUMNS = ["code", "name", "amount"] as const;
const utf8 = (text: string) => Buffer.from(text, "utf8");
const withBom = (text: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(text)]);

async function problemsOf(input: Buffer) {
  const result = await readCsv(input, COLUMNS);
  if (result.ok) throw new Error("expected the file to be rejected");
  return result.problems;
}

describe("readCsv", () => {
  it("reads a semicolon file with a byte-order mark, trimming cells", async () => {
    const result = await readCsv(withBom("code;name;amount\nA1; Rossi ;1.234,56\nA2;Bianchi;0\n"), COLUMNS);
    expect(result).toEqual({
      ok: true,
      rows: [
        { line: 2, values: { code: "A1", name: "Rossi", amount: "1.234,56" } },
        { line: 3, values: { code: "A2", name: "Bianchi", amount: "0" } },
      ],
    });
  });

  it("detects commas from the header, with quoted separators and doubled quotes", async () => {
    const result = await readCsv(
      utf8('code,name,amount\nA1,"Rossi, Maria","1,5"\nA2,"Ditta ""Sole""",2\n'),
      COLUMNS,
    );
    expect(result.ok && result.rows.map((r) => r.values)).toEqual([
      { code: "A1", name: "Rossi, Maria", amount: "1,5" },
      { code: "A2", name: 'Ditta "Sole"', amount: "2" },
    ]);
  });

  it("accepts the columns in any order and in any case", async () => {
    const result = await readCsv(utf8("Amount;CODE;name\n3;A1;Rossi\n"), COLUMNS);
    expect(result.ok && result.rows[0]?.values).toEqual({ code: "A1", name: "Rossi", amount: "3" });
  });

  it("keeps the real line numbers across empty lines, CRLF and multi-line fields", async () => {
    const text = '\r\ncode;name;amount\r\n\r\nA1;"Rossi\r\nMaria";1\r\n;;\r\n\r\nA2;Bianchi;2\r\nA3;Verdi;3';
    const result = await readCsv(utf8(text), COLUMNS);
    expect(result.ok && result.rows.map((r) => [r.line, r.values.code])).toEqual([
      [4, "A1"],
      [8, "A2"],
      [9, "A3"],
    ]);
  });

  it("reads optional columns when they are there, as empty when they are not", async () => {
    const spec = { required: COLUMNS, optional: ["note"] as const };
    const without = await readCsv(utf8("code;name;amount\nA1;Rossi;1\n"), spec);
    expect(without.ok && without.rows[0]?.values).toEqual({
      code: "A1",
      name: "Rossi",
      amount: "1",
      note: "",
    });
    const withNote = await readCsv(utf8("note;code;name;amount\nhi;A1;Rossi;1\nA2;Bianchi;2\n"), spec);
    expect(withNote.ok ? [] : withNote.problems).toEqual([
      { line: 3, message: "3 fields instead of 4 (a separator too many or missing?)" },
    ]);
    expect(withNote.rows[0]?.values).toEqual({ code: "A1", name: "Rossi", amount: "1", note: "hi" });
    const missing = await readCsv(utf8("code;note\nA1;x\n"), spec);
    expect(missing.ok ? [] : missing.problems.map((p) => p.message)).toEqual([
      "missing columns: name, amount",
      "expected header: code;name;amount (optional: note)",
    ]);
  });

  it("reports rows with the wrong number of fields by line, and still returns the others", async () => {
    const result = await readCsv(utf8("code;name;amount\nA1;Rossi\nA2;Bianchi;2\nA3;Verdi;3;4\n"), COLUMNS);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      { line: 2, message: "2 fields instead of 3 (a separator too many or missing?)" },
      { line: 4, message: "4 fields instead of 3 (a separator too many or missing?)" },
    ]);
    expect(result.rows.map((r) => r.values.code)).toEqual(["A2"]);
  });

  it("names missing, unknown and repeated columns on the header line", async () => {
    expect(await problemsOf(utf8("\ncode;nome;extra;code\nA1;x;y;z\n"))).toEqual([
      { line: 2, message: "missing columns: name, amount" },
      { line: 2, message: 'unknown columns: "nome", "extra"' },
      { line: 2, message: "column named twice: code" },
      { line: 2, message: "expected header: code;name;amount" },
    ]);
    expect((await problemsOf(utf8("code;name;amount;\nA1;x;1;\n")))[0]?.message).toBe(
      "a column without a name (a separator too many?)",
    );
  });

  it("explains a header that is not separated by ; or ,", async () => {
    expect((await problemsOf(utf8("code\tname\tamount\nA1\tx\t1\n")))[0]).toEqual({
      line: 1,
      message: "the header has a single column: separate the column names with ';' or ','",
    });
  });

  it("rejects empty files and a header without rows", async () => {
    for (const input of [Buffer.alloc(0), withBom(""), utf8("\n \r\n\n")]) {
      expect(await problemsOf(input)).toEqual([{ line: 1, message: "the file is empty" }]);
    }
    expect(await problemsOf(utf8("code;name;amount\n\n"))).toEqual([
      { line: 1, message: "no rows after the header" },
    ]);
  });

  it("reads Windows-1252 as Excel's Italian CSV saves it: è, à and € as one byte each", async () => {
    // 0xE8 è, 0xE0 à, 0x80 €, 0x92 ’: never valid UTF-8 here, so the whole file is Windows-1252.
    const cp1252 = Buffer.concat([
      utf8("code;name;amount\nA1;Rossi;1\nA2;Citt"),
      Buffer.from([0xe0, 0x3b, 0x80, 0x20, 0x32, 0x0a]),
      utf8("A3;Perch"),
      Buffer.from([0xe8, 0x20, 0x4c, 0x92, 0x41, 0x71, 0x75, 0x69, 0x6c, 0x61, 0x3b, 0x33, 0x0a]),
    ]);
    const expected = [
      { code: "A1", name: "Rossi", amount: "1" },
      { code: "A2", name: "Città", amount: "€ 2" },
      { code: "A3", name: "Perchè L’Aquila", amount: "3" },
    ];
    const whole = await readCsv(cp1252, COLUMNS);
    expect(whole.ok && whole.rows.map((r) => r.values)).toEqual(expected);
    // The same read a byte at a time, and as Node's own Windows-1252 decoder reads the whole file.
    const bytes = async function* () {
      for (let i = 0; i < cp1252.length; i++) yield cp1252.subarray(i, i + 1);
    };
    expect(await readCsv(bytes(), COLUMNS)).toEqual(whole);
    const reference = new TextDecoder("windows-1252").decode(cp1252).trim().split("\n").slice(1);
    expect(reference.map((line) => line.split(";")[1])).toEqual(expected.map((row) => row.name));
  });

  it("keeps UTF-8 for a file that starts as UTF-8, and rejects a later line that is not", async () => {
    const utf = await readCsv(utf8("code;name;amount\nA1;Società;1\nA2;Perché;2\n"), COLUMNS);
    expect(utf.ok && utf.rows.map((r) => r.values.name)).toEqual(["Società", "Perché"]);
    const mixed = Buffer.concat([
      utf8("code;name;amount\nA1;Società;1\nA2;Citt"),
      Buffer.from([0xe0, 0x3b, 0x32, 0x0a]),
    ]);
    expect(await problemsOf(mixed)).toEqual([
      {
        line: 3,
        message:
          'not UTF-8 text, though the lines before it are: the file mixes two encodings (save it again as "CSV UTF-8")',
      },
    ]);
    // A byte-order mark says UTF-8 from the first line.
    const bom = Buffer.concat([withBom("code;name;amount\nA1;Citt"), Buffer.from([0xe0, 0x3b, 0x32, 0x0a])]);
    expect((await problemsOf(bom))[0]?.line).toBe(2);
  });

  it("rejects a binary file at its first NUL byte", async () => {
    expect(await problemsOf(Buffer.from([0x25, 0x50, 0x44, 0x46, 0x0a, 0x00, 0xe2, 0x0a]))).toEqual([
      { line: 2, message: "not a text file: a CSV or an Excel workbook (.xlsx) is expected" },
    ]);
  });

  it("takes the separator from Excel's sep= first line, keeping the file's line numbers", async () => {
    for (const sep of ["sep=;", '"sep=;"', "SEP=;"]) {
      const result = await readCsv(utf8(`${sep}\r\ncode;name;amount\r\nA1;Rossi, Maria;1,5\r\n`), COLUMNS);
      expect(result).toEqual({
        ok: true,
        rows: [{ line: 3, values: { code: "A1", name: "Rossi, Maria", amount: "1,5" } }],
      });
    }
    // sep=, wins over the header's own count of separators.
    const comma = await readCsv(utf8("sep=,\ncode,name,amount\nA1,x;y,1\n"), COLUMNS);
    expect(comma.ok && comma.rows[0]?.values).toEqual({ code: "A1", name: "x;y", amount: "1" });
    expect(await problemsOf(utf8("sep=|\ncode|name|amount\nA1|x|1\n"))).toEqual([
      { line: 1, message: "sep=|: only ';' or ',' can separate the columns" },
    ]);
    expect(await problemsOf(utf8("sep=;\n"))).toEqual([{ line: 1, message: "the file is empty" }]);
  });

  it("rejects quoted fields that break, at the line where they do", async () => {
    expect(await problemsOf(utf8('code;name;amount\nA1;x;1\n\nA2;"Rossi;2\nA3;y;3\n'))).toEqual([
      { line: 4, message: 'a quoted field starts on this line and is never closed (a missing ")' },
    ]);
    expect(await problemsOf(utf8('code;name;amount\nA1;x;1\nA2;"Rossi" Maria;2\n'))).toEqual([
      { line: 3, message: 'text after the closing quote of a field (inside quotes, write a quote as "")' },
    ]);
  });

  it("rejects a quote inside an unquoted field rather than guess", async () => {
    expect(await problemsOf(utf8('code;name;amount\nA1;Condominio "Le Rose";1\n'))).toEqual([
      {
        line: 2,
        message: 'a quote inside a field (put the whole field in quotes and write the quote as "")',
      },
    ]);
  });

  it("reads a stream the same as the whole file, whatever the chunk boundaries", async () => {
    // A byte-order mark, "\r\n" and two-byte UTF-8 letters cut in half, a quoted field over two lines.
    const text = '\uFEFFcode;name;amount\r\nA1;"Nicolò\r\nSavić";1,5\r\n\r\nA2;Società;2\rA3;x;3';
    const bytes = utf8(text);
    const whole = await readCsv(bytes, COLUMNS);
    expect(whole.ok && whole.rows.map((r) => [r.line, r.values.name])).toEqual([
      [2, "Nicolò\nSavić"],
      [5, "Società"],
      [6, "x"],
    ]);
    for (const size of [1, 2, 3, 7]) {
      const chunks = async function* () {
        for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
      };
      expect(await readCsv(chunks(), COLUMNS)).toEqual(whole);
    }
  });

  it("hands rows to a callback instead of keeping them, when asked", async () => {
    const seen: number[] = [];
    const result = await readCsv(utf8("code;name;amount\nA1;x;1\nA2;y\nA3;z;3\n"), COLUMNS, (row) => {
      seen.push(row.line);
    });
    expect(seen).toEqual([2, 4]);
    expect(result).toEqual({
      ok: false,
      problems: [{ line: 3, message: "2 fields instead of 3 (a separator too many or missing?)" }],
      rows: [],
    });
  });
});

describe("readSpreadsheet", () => {
  it("reads CSV by content, and refuses files saved in other formats in one line", async () => {
    const csv = await readSpreadsheet(utf8("code;name;amount\nA1;x;1\n"), COLUMNS);
    expect(csv.ok && csv.rows.map((r) => r.values.code)).toEqual(["A1"]);
    const refused = async (input: Buffer) => {
      const result = await readSpreadsheet(input, COLUMNS);
      return result.ok ? [] : result.problems;
    };
    expect(await refused(Buffer.from("\uFEFFcode;name;amount\nA1;x;1\n", "utf16le"))).toEqual([
      { line: 1, message: 'UTF-16 text (Excel\'s "Unicode text"): save it as "CSV UTF-8" or as .xlsx' },
    ]);
    // An OpenDocument spreadsheet: a ZIP whose first entry, "mimetype", says what it is.
    const ods = Buffer.concat([
      Buffer.from([0x50, 0x4b, 0x03, 0x04]),
      Buffer.alloc(26),
      Buffer.from("mimetypeapplication/vnd.oasis.opendocument.spreadsheet"),
    ]);
    expect(await refused(ods)).toEqual([
      { line: 1, message: "an OpenDocument file (.ods): save it as Excel (.xlsx) or CSV" },
    ]);
  });
});

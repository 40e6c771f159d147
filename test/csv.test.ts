import { describe, expect, it } from "vitest";
import { readCsv } from "../core/imports/csv.ts";

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

  it("rejects text that is not UTF-8, naming the first line with a bad byte", async () => {
    // "Città" saved as Latin-1 (à = 0xE0), as older spreadsheet exports do.
    const latin1 = Buffer.from("code;name;amount\nA1;Rossi;1\nA2;Citt\xe0;2\n", "latin1");
    expect(await problemsOf(latin1)).toEqual([
      { line: 3, message: 'not UTF-8 text (save the file as "CSV UTF-8")' },
    ]);
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

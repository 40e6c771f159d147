// Hot-path SQL (every bot update runs a few of these): the same statements as `db.$queryRaw`, sent
// straight through the client's pg pool. Prisma's raw queries cost about 0.45 ms of CPU each in its
// query pipeline; this costs about 0.12 ms. Rows come back as `$queryRaw` returns them: int8 as BigInt,
// timestamptz as Date, date as a Date at UTC midnight, json and jsonb parsed.
import pg from "pg";
import { type Db, poolOf } from "./client.ts";

const INT8 = 20;
const DATE = 1082;

/** The type parsers of these queries, for a pg query made elsewhere that must return rows the same way. */
export const sqlTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8) return (value: string) => BigInt(value);
    if (oid === DATE) return (value: string) => new Date(`${value}T00:00:00Z`);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** Parameters as `$queryRaw` sends them, except instants, which go with their zone (ISO, UTC). */
function parameter(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/** Statement texts seen so far, each with a short name: prepared once per connection, then reused. */
const names = new Map<string, string>();

function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `bussola_${names.size + 1}`;
    names.set(text, name);
  }
  return name;
}

export type Sql = {
  /** A tagged-template query: values become parameters ($1, $2, …), never SQL text. */
  query<T>(strings: TemplateStringsArray, ...values: unknown[]): Promise<T[]>;
  /** The same, for statements without a result; resolves to the number of rows affected. */
  execute(strings: TemplateStringsArray, ...values: unknown[]): Promise<number>;
  /** A query whose text is built once elsewhere (shared with another statement): $1, $2… are `values`. */
  text<T>(text: string, values: readonly unknown[]): Promise<T[]>;
};

export function sqlOf(db: Db): Sql {
  const pool = poolOf(db);
  if (!pool || pool.ended) {
    // A client createDb did not make (no pool of ours), or one reconnected after $disconnect ended
    // its pool: Prisma's raw queries do the same.
    return {
      query: <T>(strings: TemplateStringsArray, ...values: unknown[]) =>
        db.$queryRawUnsafe<T[]>(toText(strings), ...values.map(parameter)),
      execute: (strings: TemplateStringsArray, ...values: unknown[]) =>
        db.$executeRawUnsafe(toText(strings), ...values.map(parameter)),
      text: <T>(text: string, values: readonly unknown[]) =>
        db.$queryRawUnsafe<T[]>(text, ...values.map(parameter)),
    };
  }
  const runText = (text: string, values: readonly unknown[]) =>
    pool.query({ name: statementName(text), text, values: values.map(parameter), types: sqlTypes });
  const run = (strings: TemplateStringsArray, values: unknown[]) => runText(toText(strings), values);
  return {
    async text<T>(text: string, values: readonly unknown[]) {
      return (await runText(text, values)).rows as T[];
    },
    async query<T>(strings: TemplateStringsArray, ...values: unknown[]) {
      return (await run(strings, values)).rows as T[];
    },
    async execute(strings: TemplateStringsArray, ...values: unknown[]) {
      return (await run(strings, values)).rowCount ?? 0;
    },
  };
}

const texts = new WeakMap<TemplateStringsArray, string>();

/** "a ${x} b ${y}" → "a $1 b $2"; cached per call site (a template's strings are one object). */
function toText(strings: TemplateStringsArray): string {
  let text = texts.get(strings);
  if (text === undefined) {
    text = strings.reduce((sql, part, i) => `${sql}$${i}${part}`);
    texts.set(strings, text);
  }
  return text;
}

/** Settings for one read-only query's transaction (SET LOCAL name = value): e.g. work_mem. */
export type QuerySettings = Readonly<Record<string, string | number>>;

/** `SET LOCAL` of each setting; names are the code's own, so only checked, and text values quoted. */
function setLocal(settings: QuerySettings): string {
  return Object.entries(settings)
    .map(([name, value]) => {
      if (!/^[a-z_]+$/.test(name)) throw new Error(`not a setting name: ${name}`);
      const shown = typeof value === "number" ? String(value) : `'${value.replaceAll("'", "''")}'`;
      return `; SET LOCAL ${name} = ${shown}`;
    })
    .join("");
}

/**
 * A heavy read (the results dashboard, the ranked caseload): planned for its own parameters every time
 * (an unnamed statement), in a read-only transaction of its own with `settings` set for it alone. A
 * named, reused statement would, after five runs on a connection, switch to a generic plan that cannot
 * drop a filter's "$1 IS NULL OR …" branches: at 100,000 households the results page's offices section
 * then took 90 s instead of a few.
 */
export async function readOnlyQuery<T>(
  db: Db,
  text: string,
  values: readonly unknown[],
  settings: QuerySettings,
): Promise<T[]> {
  const pool = poolOf(db);
  if (!pool || pool.ended) return sqlOf(db).text<T>(text, values);
  return inPoolTransaction(pool, `BEGIN READ ONLY${setLocal(settings)}`, async (client) => {
    const result = await client.query({ text, values: values.map(parameter), types: sqlTypes });
    return result.rows as T[];
  });
}

/**
 * `work` on one connection of the pool, between `begin` ("BEGIN", with any settings) and COMMIT;
 * rolled back if it throws. Straight on pg, not a Prisma interactive transaction: a client
 * disconnected during one of those hung for 20 s and more, where the pool waits for the connection.
 */
export async function inPoolTransaction<T>(
  pool: pg.Pool,
  begin: string,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const value = await work(client);
    await client.query("COMMIT");
    return value;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

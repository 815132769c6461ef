import { mkdirSync } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";

/**
 * The one database interface Cordon's repositories use. Two engines speak the same PostgreSQL:
 * PGlite (embedded, a data folder) by default, a PostgreSQL server when DATABASE_URL is set.
 */
export interface Queryable {
  query<T = Record<string, unknown>>(
    sql: string,
    params?: readonly unknown[],
  ): Promise<{ rows: T[]; rowCount: number }>;
  /** Runs several statements (migrations). */
  exec(sql: string): Promise<void>;
  /** COPY ... FROM STDIN (CSV) into a table: the fast path for bulk imports. */
  copyCsv(table: string, columns: readonly string[], csv: string): Promise<void>;
  /**
   * COPY ... FROM STDIN in PostgreSQL's text format (tab-separated, `\N` for NULL, see `copyTextValue`):
   * cheaper to write than CSV for values full of double quotes, such as JSON.
   */
  copyText(table: string, columns: readonly string[], text: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly engine: "pglite" | "postgres";
  /** PGlite only: the whole data folder as a tarball (tests clone migrated databases from it). */
  dumpDataDir?: () => Promise<Blob>;
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const INT8 = 20;
const DATE = 1082;

function copySql(
  table: string,
  columns: readonly string[],
  source: string,
  format: "csv" | "text" = "csv",
): string {
  return `COPY ${table} (${columns.join(", ")}) FROM ${source} WITH (FORMAT ${format})`;
}

/** Opens the embedded engine on a data folder, or in memory when `dataDir` is null. */
export async function openPglite(dataDir: string | null, loadDataDir?: Blob): Promise<Db> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const parsers = { [INT8]: (v: string) => Number(v), [DATE]: (v: string) => v };
  const options = loadDataDir ? { parsers, loadDataDir } : { parsers };
  const db = dataDir ? new PGlite(dataDir, options) : new PGlite(options);
  await db.waitReady;
  const wrap = (q: Pick<PGlite, "query" | "exec">): Queryable => ({
    async query<T>(sql: string, params?: readonly unknown[]) {
      const r = await q.query<T>(sql, params as unknown[] | undefined);
      // As node-postgres counts: the rows returned when the statement returns rows (SELECT, … RETURNING),
      // else the rows affected (PGlite reports 0 affected rows for a SELECT).
      return { rows: r.rows, rowCount: r.fields.length ? r.rows.length : (r.affectedRows ?? 0) };
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
    async copyCsv(table, columns, csv) {
      await q.query(copySql(table, columns, "'/dev/blob'"), [], { blob: new Blob([csv]) });
    },
    async copyText(table, columns, text) {
      await q.query(copySql(table, columns, "'/dev/blob'", "text"), [], { blob: new Blob([text]) });
    },
  });
  const top = wrap(db);
  return {
    engine: "pglite",
    ...top,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    close: () => db.close(),
    dumpDataDir: async () => (await db.dumpDataDir("none")) as Blob,
  };
}

/** Streams `data` into a COPY ... FROM STDIN on the pool (one connection) or the transaction's client. */
async function copyInto(c: pg.Pool | pg.PoolClient, sql: string, data: string): Promise<void> {
  const run = async (cl: pg.PoolClient) => {
    await pipeline(Readable.from([data]), cl.query(copyFrom(sql)));
  };
  if (c instanceof pg.Pool) {
    const cl = await c.connect();
    try {
      await run(cl);
    } finally {
      cl.release();
    }
  } else await run(c);
}

/** Opens a pool on a PostgreSQL server. */
export async function openPostgres(url: string, max = 10): Promise<Db> {
  const typeParsers = {
    getTypeParser(oid: number, format?: "text" | "binary") {
      if (oid === INT8) return (v: string) => Number(v);
      if (oid === DATE) return (v: string) => v;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg types its default parser table loosely
      return (pg.types.getTypeParser as any)(oid, format);
    },
  };
  // temp_buffers: the bulk imports (nat/*-bulk.ts) stage a file's rows in temporary tables, which live
  // in each connection's own buffers (8 MB by default: a city's 10-million-line file would go through
  // the operating system page by page). It can only be set before a connection's first temporary table,
  // so it is set when connecting; it is allocated only as temporary tables fill it.
  const pool = new pg.Pool({
    connectionString: url,
    max,
    types: typeParsers,
    options: "-c temp_buffers=256MB",
  });
  pool.on("error", () => {}); // idle client errors are reported on the next query
  const client = await pool.connect();
  client.release();
  const wrap = (c: pg.Pool | pg.PoolClient): Queryable => ({
    async query<T>(sql: string, params?: readonly unknown[]) {
      const r = await c.query(sql, params as unknown[] | undefined);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    },
    async exec(sql: string) {
      await c.query(sql);
    },
    async copyCsv(table, columns, csv) {
      await copyInto(c, copySql(table, columns, "STDIN"), csv);
    },
    async copyText(table, columns, text) {
      await copyInto(c, copySql(table, columns, "STDIN", "text"), text);
    },
  });
  return {
    engine: "postgres",
    ...wrap(pool),
    async transaction(fn) {
      const c = await pool.connect();
      try {
        await c.query("BEGIN");
        const result = await fn(wrap(c));
        await c.query("COMMIT");
        return result;
      } catch (e) {
        await c.query("ROLLBACK").catch(() => {});
        throw e;
      } finally {
        c.release();
      }
    },
    close: () => pool.end(),
  };
}

/** DATABASE_URL selects a server; otherwise the embedded engine in `dataDir`. */
export function openDatabase(opts: {
  databaseUrl?: string | undefined;
  dataDir: string | null;
}): Promise<Db> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl) : openPglite(opts.dataDir);
}

/**
 * Memory for sorting and hashing in one bulk import's transaction (SET LOCAL work_mem), on a server:
 * a whole file's rows are joined and grouped at once (10 million lines for a city's round), which the
 * default 4 MB would do in batches written to disk. A server runs few such imports at a time.
 */
export const BULK_WORK_MEM = "256MB";

/**
 * The planner's cost of reading a page out of order, in a bulk import's transaction (SET LOCAL): the
 * default 4 assumes spinning disks, and made the planner read a city's whole registry (10 million
 * people, 2 GB) to look up the 150,000 people of one sampling point's file, for each of 67 files; the
 * registry's keys are in memory on a server in use. 1.1 is the usual figure for SSDs.
 */
export const BULK_RANDOM_PAGE_COST = 1.1;

/**
 * A bulk import's transaction settings (on a server; PGlite keeps its own): BULK_WORK_MEM for hashing
 * and grouping a whole file in memory, BULK_RANDOM_PAGE_COST for looking keys up where a file is small
 * next to the tables. SET LOCAL: they end with the transaction.
 */
export async function applyBulkSettings(db: Db, tx: Queryable): Promise<void> {
  if (db.engine !== "postgres") return;
  await tx.exec(`SET LOCAL work_mem = '${BULK_WORK_MEM}'`);
  await tx.exec(`SET LOCAL random_page_cost = ${BULK_RANDOM_PAGE_COST}`);
}

/** PostgreSQL's SQLSTATE of an error, if it is one. */
export function sqlState(e: unknown): string | undefined {
  return typeof e === "object" && e !== null && "code" in e && typeof e.code === "string"
    ? e.code
    : undefined;
}

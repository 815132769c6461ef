import { createReadStream, createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { from as copyFrom, to as copyTo } from "pg-copy-streams";
import { openPostgres, type Db } from "../../packages/server/src/db/db.ts";
import { migrate } from "../../packages/server/src/db/migrate.ts";
import { loadRegions } from "../../packages/server/src/regions/region-loader.ts";
import pg from "pg";

/** The PostgreSQL server benchmarks run on; each run creates its own database and drops it. */
export const BENCH_PG_URL = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:55432/postgres";

export interface BenchDb {
  db: Db;
  url: string;
  name: string;
  drop(): Promise<void>;
}

function urlOf(name: string): string {
  const u = new URL(BENCH_PG_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: BENCH_PG_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * A fresh database, migrated, with the region tree loaded. With `template`, a copy of that database
 * (CREATE DATABASE … TEMPLATE: a file copy) brought up to the current migrations.
 */
export async function createBenchDb(label: string, template?: string): Promise<BenchDb> {
  const name = `cordon_bench_${label}_${process.pid}`;
  await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${name}`);
    await c.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ""}`);
  });
  const url = urlOf(name);
  const db = await openPostgres(url, 4);
  await migrate(db);
  await loadRegions(db);
  return {
    db,
    url,
    name,
    async drop() {
      await db.close();
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name}`));
    },
  };
}

/** Whether the server has a database of that name. */
export async function databaseExists(name: string): Promise<boolean> {
  return admin(
    async (c) => (await c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1,
  );
}

/** Renames a database (no one connected to it). */
export async function renameDatabase(from: string, to: string): Promise<void> {
  await admin((c) => c.query(`ALTER DATABASE ${from} RENAME TO ${to}`));
}

/** The server's version and the settings that move the figures. */
export async function serverFacts(db: Db): Promise<Record<string, string>> {
  const facts: Record<string, string> = {};
  facts.version = (await db.query<{ server_version: string }>("SHOW server_version")).rows[0]!.server_version;
  for (const s of [
    "shared_buffers",
    "work_mem",
    "maintenance_work_mem",
    "max_wal_size",
    "synchronous_commit",
    "fsync",
  ]) {
    facts[s] = (await db.query<Record<string, string>>(`SHOW ${s}`)).rows[0]![s]!;
  }
  return facts;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Samples this process's resident set size; `peak` is the largest seen (and the kernel's own peak). */
export function rssSampler(everyMs = 50) {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, everyMs);
  t.unref();
  return {
    stop() {
      clearInterval(t);
      peak = Math.max(peak, process.memoryUsage().rss);
      return { sampledPeakBytes: peak, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
    },
  };
}

export const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;

/**
 * Seconds to stream a file (by path) or bytes into `copySql` (a `COPY … FROM STDIN`) on a connection
 * of its own: the plain bulk insert every benchmark compares itself with.
 */
export async function timeCopyIn(url: string, copySql: string, source: string | Buffer): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const t0 = performance.now();
    await pipeline(
      typeof source === "string"
        ? createReadStream(source, { highWaterMark: 1 << 20 })
        : Readable.from([source]),
      c.query(copyFrom(copySql)),
    );
    return (performance.now() - t0) / 1000;
  } finally {
    await c.end();
  }
}

/** The rows a query returns, in COPY text format, into a file (what a baseline COPYs back in). */
export async function copyOutToFile(url: string, sql: string, file: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await pipeline(c.query(copyTo(`COPY (${sql}) TO STDOUT`)), createWriteStream(file));
  } finally {
    await c.end();
  }
}

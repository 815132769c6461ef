import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { type Db, openPglite, openPostgres } from "../db/db.ts";
import { listMigrations, migrate } from "../db/migrate.ts";
import { loadRegions } from "../regions/region-loader.ts";

export type Engine = "pglite" | "postgres";

/**
 * The engines database tests run on: PGlite always, and a PostgreSQL server when CORDON_TEST_PG_URL
 * names one. In CI the server is required, so a missing one fails instead of silently skipping.
 */
export function testEngines(): Engine[] {
  if (process.env.CORDON_TEST_PG_URL) return ["pglite", "postgres"];
  if (process.env.CI) throw new Error("CI must test on PostgreSQL too: CORDON_TEST_PG_URL is not set");
  return ["pglite"];
}

/** A name that changes when the schema or region data change, so stale templates are never reused. */
function templateName(): string {
  const h = createHash("sha256");
  for (const m of listMigrations()) h.update(m.sql);
  h.update(readFileSync(join(import.meta.dirname, "..", "regions", "region-loader.ts")));
  h.update(readFileSync(join(import.meta.dirname, "..", "..", "data", "population-2020.json")));
  return `cordon_tpl_${h.digest("hex").slice(0, 12)}`;
}

let pgliteTemplate: Promise<Blob> | null = null;

async function freshPglite(): Promise<Db> {
  // Migrating and loading 13,000 regions once per test process, then cloning the data folder, keeps
  // each test's database fresh without paying for the load every time.
  pgliteTemplate ??= (async () => {
    const db = await openPglite(null);
    await migrate(db);
    await loadRegions(db);
    const dump = await db.dumpDataDir!();
    await db.close();
    return dump;
  })();
  return openPglite(null, await pgliteTemplate);
}

async function freshPostgres(): Promise<Db> {
  const url = process.env.CORDON_TEST_PG_URL!;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const tpl = templateName();
  const name = `cordon_test_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  try {
    await admin.query("SELECT pg_advisory_lock(727002)");
    const exists = (await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [tpl])).rowCount;
    if (!exists) {
      await admin.query(`CREATE DATABASE ${tpl}`);
      const u = new URL(url);
      u.pathname = `/${tpl}`;
      const t = await openPostgres(u.toString(), 2);
      await migrate(t);
      await loadRegions(t);
      await t.close();
    }
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${tpl}`);
  } finally {
    await admin.query("SELECT pg_advisory_unlock(727002)").catch(() => {});
    await admin.end();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  const db = await openPostgres(u.toString(), 5);
  const close = db.close;
  return {
    ...db,
    async close() {
      await close();
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name}`);
      await a.end();
    },
  };
}

/** A fresh, migrated database with the region tree loaded, on the given engine. */
export function freshDb(engine: Engine): Promise<Db> {
  return engine === "pglite" ? freshPglite() : freshPostgres();
}

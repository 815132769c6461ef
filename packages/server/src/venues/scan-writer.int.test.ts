/**
 * The group commit's statement must cost the same however large the tables grow: every table it reads
 * (gate devices, health codes, earlier uploads) is read by key. A prepared statement keeps a generic
 * plan, made without the parameters' values, so that is the plan checked here, on tables of a city
 * morning's size with their statistics gathered.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Db } from "../db/db.ts";
import { freshDb, testEngines } from "../testing/test-db.ts";
import { seedCheckinFixture } from "./checkin-fixture.ts";
import { FLUSH_SQL } from "./scan-writer.ts";

const PARAMS =
  "uuid[], bigint[], text[], int[], float8[], int[], uuid[], text[], text[], smallint[], real[], float8[], text[], text[]";

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  Plans?: PlanNode[];
}

function nodes(n: PlanNode): PlanNode[] {
  return [n, ...(n.Plans ?? []).flatMap(nodes)];
}

for (const engine of testEngines()) {
  describe(`gate uploads' flush statement (${engine})`, () => {
    let db: Db;
    before(async () => {
      db = await freshDb(engine);
      const f = await seedCheckinFixture(db, {
        people: 1500,
        devices: 1,
        now: new Date("2026-06-01T08:00:00+08:00"),
      });
      await db.exec(`
        INSERT INTO venue_devices (id, venue_id, name, created_at)
          SELECT gen_random_uuid(), '${f.venueId}', '闸机 ' || g, now() FROM generate_series(1, 3000) g;
        INSERT INTO venue_scan_batches (device_id, seq, content_hash, scans, accepted, received_at)
          SELECT d.id, g, md5(g::text), 1, 1, now() FROM (SELECT id FROM venue_devices LIMIT 10) d,
            generate_series(1, 2000) g;
        ANALYZE venue_devices; ANALYZE venues; ANALYZE health_codes; ANALYZE venue_scan_batches;`);
    });
    after(() => db.close());

    test("its generic plan reads devices, codes and earlier uploads by their keys, never whole", async () => {
      const plan = await db.transaction(async (tx) => {
        await tx.exec("SET LOCAL plan_cache_mode = force_generic_plan");
        await tx.exec(`PREPARE flush_plan_check (${PARAMS}) AS ${FLUSH_SQL}`);
        try {
          const r = await tx.query<{ "QUERY PLAN": string | [{ Plan: PlanNode }] }>(
            `EXPLAIN (FORMAT JSON) EXECUTE flush_plan_check (${Array(14).fill("'{}'").join(", ")})`,
          );
          const out = r.rows[0]!["QUERY PLAN"];
          return (typeof out === "string" ? (JSON.parse(out) as [{ Plan: PlanNode }]) : out)[0].Plan;
        } finally {
          await tx.exec("DEALLOCATE flush_plan_check");
        }
      });
      const all = nodes(plan);
      const read = (table: string) =>
        all.filter((n) => n["Relation Name"] === table).map((n) => n["Node Type"]);
      for (const table of ["venue_devices", "health_codes", "venue_scan_batches"])
        assert.ok(
          read(table).length > 0 &&
            read(table).every((t) => t === "Index Scan" || t === "Index Only Scan" || t === "ModifyTable"),
          `${table}: ${read(table).join(", ")}`,
        );
      const indexes = all.map((n) => n["Index Name"]).filter(Boolean);
      for (const index of ["venue_devices_pkey", "health_codes_ref_key", "venue_scan_batches_pkey"])
        assert.ok(indexes.includes(index), `${index} not used: ${indexes.join(", ")}`);
    });
  });
}

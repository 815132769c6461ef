import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { schedule } from "@cordon/domain/quarantine/schedule";
import { personPayload, type TestApp, testApp } from "../testing/test-app.ts";
import { placeDirectly } from "../testing/quarantine-fixtures.ts";
import { testEngines } from "../testing/test-db.ts";
import { findPlacement } from "./placement.repository.ts";

// Migration 0013 moves a course's measures from each placement into the stored course. Placements stored
// before it (measures in the placement, the course without them — in the text Node wrote, or in the
// spaced text migration 0010 built with json_object_agg) read back the very course `schedule` computes.
const XINGQING = "640104";
const TOWNSHIP = "640104001";
const COMMUNITY = "640104001002";
const MIGRATION = readFileSync(
  join(import.meta.dirname, "..", "..", "migrations", "0013_course_measures.sql"),
  "utf8",
);

for (const engine of testEngines()) {
  describe(`placements stored before their courses carried the measures (${engine})`, () => {
    let t: TestApp;
    const placements: string[] = [];

    before(async () => {
      t = await testApp(engine, () => new Date("2022-08-08T10:00:00+08:00"));
      const command = await t.userSession("command", XINGQING);
      const site = (
        await t.call(command, "POST", "/api/quarantine/sites", {
          kind: "centralized",
          name: "宁安宾馆",
          address: "解放西街88号",
          regionCode: TOWNSHIP,
        })
      ).json().id;
      const rooms = (
        await t.call(command, "POST", `/api/quarantine/sites/${site}/rooms`, {
          from: 101,
          to: 103,
          prefix: "A",
          type: "single",
        })
      ).json().items;
      for (const [i, placedAt] of ["2022-08-01T21:00:00+08:00", "2022-08-02T09:30:00+08:00"].entries()) {
        const person = (await t.call(command, "POST", "/api/people", personPayload(COMMUNITY, 71 + i))).json()
          .id;
        placements.push(
          await placeDirectly(t, { personId: person, siteId: site, roomId: rooms[i].id, placedAt }),
        );
      }
      // Back to the schema before 0013: measures in the placement, the course without them — the first in
      // Node's text, the second in the spaced text 0010's json_object_agg wrote.
      await t.db.exec("ALTER TABLE quarantine_placements ADD COLUMN measures json");
      for (const [i, id] of placements.entries()) {
        await t.db.query(
          `WITH c AS (
             SELECT q.id AS placement_id, c.course -> 'measures' AS measures,
               CASE WHEN $2 THEN (
                 SELECT json_object_agg(e.key, e.value ORDER BY e.n)
                 FROM json_each(c.course) WITH ORDINALITY AS e(key, value, n) WHERE e.key <> 'measures')::text
               ELSE '{' || substr(c.course::text, strpos(c.course::text, ',') + 1) END AS text
             FROM quarantine_placements q JOIN quarantine_courses c ON c.id = q.course_id WHERE q.id = $1),
           k AS (
             INSERT INTO quarantine_courses (id, course, created_at)
             SELECT left(encode(sha256(convert_to(text, 'UTF8')), 'hex'), 32), text::json, now() FROM c
             RETURNING id)
           UPDATE quarantine_placements q SET course_id = (SELECT id FROM k), measures = c.measures
           FROM c WHERE q.id = c.placement_id`,
          [id, i === 1],
        );
      }
      const legacy = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM quarantine_placements q JOIN quarantine_courses c ON c.id = q.course_id
         WHERE c.course -> 'measures' IS NULL AND q.measures IS NOT NULL`,
      );
      assert.equal(legacy.rows[0]!.n, 2, "both placements are stored as before 0013");
      await t.db.transaction((tx) => tx.exec(MIGRATION));
    });
    after(() => t.close());

    test("each placement reads back the course schedule() computes, its measures now in the stored course", async () => {
      for (const id of placements) {
        const p = (await findPlacement(t.db, id))!;
        const c = schedule({ centralizedQuarantine: { days: 7 } }, p.startFacts);
        assert.ok(c.ok);
        assert.deepEqual(p.course, c.value);
        assert.deepEqual(p.measures, { centralizedQuarantine: { days: 7 } });
      }
    });

    test("every course is stored under the hash of its text, with its measures; none is left that nobody follows", async () => {
      const rows = (
        await t.db.query<{ id: string; hash: string; measures: unknown; used: boolean }>(
          `SELECT c.id, left(encode(sha256(convert_to(c.course::text, 'UTF8')), 'hex'), 32) AS hash,
             c.course -> 'measures' AS measures,
             EXISTS (SELECT 1 FROM quarantine_placements q WHERE q.course_id = c.id) AS used
           FROM quarantine_courses c`,
        )
      ).rows;
      assert.ok(rows.length >= 1);
      for (const r of rows) {
        assert.equal(r.id, r.hash);
        assert.deepEqual(r.measures, { centralizedQuarantine: { days: 7 } });
        assert.ok(r.used);
      }
      const columns = await t.db.query(
        `SELECT 1 FROM information_schema.columns WHERE table_name = 'quarantine_placements' AND column_name = 'measures'`,
      );
      assert.equal(columns.rows.length, 0, "the placements' own copy of the measures is gone");
    });
  });
}

import assert from "node:assert/strict";
import { schedule } from "@cordon/domain/quarantine/schedule";
import { v7 as uuidv7 } from "uuid";
import { courseRecord, insertCourses } from "../quarantine/placement.repository.ts";
import type { TestApp } from "./test-app.ts";

/**
 * A placement stored as the placements service stores it (7 days' centralized quarantine from the
 * placement), placed or already released with a certificate: for the tests of what reads placements
 * (health reports, certificates) without going through a pack in force. The room is left as the
 * service leaves it: untouched by the placement (its people make it occupied), cleaning after release.
 */
export async function placeDirectly(
  t: TestApp,
  a: { personId: string; siteId: string; roomId: string; placedAt: string },
  release?: { at: string; certificateId: string },
): Promise<string> {
  const measures = { centralizedQuarantine: { days: 7 } };
  const facts = { placedAt: a.placedAt };
  const course = schedule(measures, facts);
  assert.ok(course.ok);
  const id = uuidv7();
  const stored = courseRecord(course.value);
  await insertCourses(t.db, [stored], new Date(a.placedAt));
  await t.db.query(
    `INSERT INTO quarantine_placements (id, person_id, site_id, room_id, source_kind, identified_at,
       start_facts, course_id, status, placed_at, planned_end, released_at, release_kind, certificate_id, created_at,
       updated_at)
     VALUES ($1, $2, $3, $4, 'manual', $5, $6, $7, $8, $5, $9, $10, $11, $12, $5, $5)`,
    [
      id,
      a.personId,
      a.siteId,
      a.roomId,
      new Date(a.placedAt),
      JSON.stringify(facts),
      stored.id,
      release ? "released" : "placed",
      course.value.phases.at(-1)!.end,
      release ? new Date(release.at) : null,
      release ? "on_schedule" : null,
      release?.certificateId ?? null,
    ],
  );
  // As the service leaves the room: placing writes nothing (the placement makes it occupied); the
  // release of its last occupant stores it as to be cleaned.
  if (release)
    await t.db.query(`UPDATE quarantine_rooms SET state = 'cleaning' WHERE site_id = $1 AND id = $2`, [
      a.siteId,
      a.roomId,
    ]);
  return id;
}

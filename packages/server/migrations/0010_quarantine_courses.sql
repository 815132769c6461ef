-- Quarantine courses, content-addressed (docs/capabilities/quarantine.md, "How courses are stored"). A
-- placement's course (`schedule` in packages/domain/src/quarantine/schedule.ts) was stored whole in each
-- placement (~1.9 KB of JSON). What differs per person is kept with the placement: the exact start times
-- (start_facts) and the measures (measures); the rest — phases, test appointments, release conditions,
-- notes — depends only on the measures and the Beijing dates of the facts, so the many people placed with
-- the same measures on the same days share it. It is stored once here (`storedCourse` in
-- packages/domain/src/quarantine/stored-course.ts) under the hash of its exact JSON text, and put back
-- together on reading (`courseFrom`). A row never changes: a rescheduled course is another row.
--
-- Distribution (docs/scale-out.md): quarantine_courses is a reference table (replicated to every node):
-- small (one row per distinct course, a few hundred for 100,000 people), written once and read by the
-- placements of every shard, which reference it by foreign key.

CREATE TABLE quarantine_courses (
  -- The first 32 hex digits of the SHA-256 of the stored JSON text (UTF-8), exactly as stored:
  -- left(encode(sha256(convert_to(course::text, 'UTF8')), 'hex'), 32).
  id text PRIMARY KEY,
  course json NOT NULL,
  created_at timestamptz NOT NULL
);

ALTER TABLE quarantine_placements ADD COLUMN course_id text REFERENCES quarantine_courses (id);

-- Placements stored before: their course without the facts and measures the placement already keeps
-- (each kept when it differs from the placement's own columns), the keys in their stored order.
CREATE TEMPORARY TABLE quarantine_course_migration ON COMMIT DROP AS
SELECT q.person_id, q.id, (
    SELECT json_object_agg(e.key, e.value ORDER BY e.n)
    FROM json_each(q.course) WITH ORDINALITY AS e(key, value, n)
    WHERE NOT (e.key = 'facts' AND e.value::jsonb = q.start_facts::jsonb)
      AND NOT (e.key = 'measures' AND e.value::jsonb = q.measures::jsonb)
  ) AS course
FROM quarantine_placements q;

INSERT INTO quarantine_courses (id, course, created_at)
SELECT DISTINCT ON (k.id) k.id, k.course, now()
FROM (
  SELECT left(encode(sha256(convert_to(m.course::text, 'UTF8')), 'hex'), 32) AS id, m.course
  FROM quarantine_course_migration m
) k
ORDER BY k.id;

UPDATE quarantine_placements q
SET course_id = left(encode(sha256(convert_to(m.course::text, 'UTF8')), 'hex'), 32)
FROM quarantine_course_migration m
WHERE m.person_id = q.person_id AND m.id = q.id;

ALTER TABLE quarantine_placements ALTER COLUMN course_id SET NOT NULL;
ALTER TABLE quarantine_placements DROP COLUMN course;

-- A room's state changes several times a stay (free → occupied → cleaning → free), a whole building's
-- at once when a batch is placed: half of each page is left free so that these updates stay on the
-- room's page without new index entries (HOT updates; none of the state columns is indexed). Measured
-- on 100,000 rooms set occupied in one statement: 1.1–1.3 s at the default fill factor, 0.3–0.4 s at 50.
ALTER TABLE quarantine_rooms SET (fillfactor = 50);

-- A course's measures are stored with the course, not copied into each placement (issue 4, benchmark).
-- The measures a course follows are the same for everyone of one pack and category (~370 bytes of JSON);
-- each placement kept a copy of them in `measures`, almost half of its row (COPY of 100,000 placements:
-- 80 MiB, of which 36 MiB measures). The stored course (`storedCourse` in
-- packages/domain/src/quarantine/stored-course.ts) now carries them as its first key, and is still
-- addressed by the hash of its text: courses of other measures are other rows, as before.
--
-- Stored placements: each placement's course becomes its stored course with the placement's measures put
-- first (a course stored with measures of its own before 0010 keeps them), stored under the hash of that
-- text; courses no placement refers to any more are removed (a stored course never changes otherwise).

CREATE TEMPORARY TABLE quarantine_course_measures ON COMMIT DROP AS
SELECT m.old_id, m.measures, m.text, left(encode(sha256(convert_to(m.text, 'UTF8')), 'hex'), 32) AS id
FROM (
  SELECT DISTINCT q.course_id AS old_id, q.measures::text AS measures,
    CASE WHEN c.course -> 'measures' IS NOT NULL THEN c.course::text
      ELSE '{"measures":' || q.measures::text || ',' || substr(c.course::text, strpos(c.course::text, '{') + 1)
    END AS text
  FROM quarantine_placements q JOIN quarantine_courses c ON c.id = q.course_id
) m;

INSERT INTO quarantine_courses (id, course, created_at)
SELECT DISTINCT ON (id) id, text::json, now() FROM quarantine_course_measures ORDER BY id
ON CONFLICT (id) DO NOTHING;

UPDATE quarantine_placements q SET course_id = m.id
FROM quarantine_course_measures m
WHERE q.course_id = m.old_id AND q.measures::text = m.measures AND q.course_id <> m.id;

ALTER TABLE quarantine_courses DISABLE TRIGGER quarantine_courses_no_update_delete;
DELETE FROM quarantine_courses c WHERE NOT EXISTS (SELECT 1 FROM quarantine_placements q WHERE q.course_id = c.id);
ALTER TABLE quarantine_courses ENABLE TRIGGER quarantine_courses_no_update_delete;

ALTER TABLE quarantine_placements DROP COLUMN measures;

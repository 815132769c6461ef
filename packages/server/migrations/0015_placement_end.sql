-- Two ways a placement ends besides release (issue 4, item 5; docs/capabilities/quarantine.md, "Release"):
-- transfer to a designated hospital (定点医院, seed 000: a positive person is moved there by closed-loop
-- transfer) and upgrade of a secondary contact to close contact (9th edition), which ends the placement
-- and places the person again with a close contact's course. Both set status 'ended' with release_kind
-- 'to_hospital' or 'upgraded' (allowed since 0009); no certificate is issued (a certificate is for
-- release). Here: where the person went.
--   * end_site_id: the designated hospital (a quarantine_sites row of kind designated_hospital).
--   * next_placement_id: the placement that follows an upgrade (same person; its own row).
--
-- Distribution (docs/scale-out.md): no new table. quarantine_sites is a reference table, so end_site_id
-- can be a foreign key under Citus; next_placement_id is a placement of the same person, on the same
-- shard. As for the other references of placements (0011), end_site_id is checked once per statement
-- by the placements' reference trigger, and a site it names cannot be deleted or get another id.

ALTER TABLE quarantine_placements
  ADD COLUMN end_site_id uuid,
  ADD COLUMN next_placement_id uuid,
  -- An end of these kinds says where the person went, and only these kinds do. (Rows with status 'ended'
  -- and no kind are left as 0009 allowed them: placement-references.int.test.ts inserts such rows.)
  ADD CONSTRAINT quarantine_placements_end_check CHECK (
    (release_kind IS DISTINCT FROM 'to_hospital' OR (status = 'ended' AND end_site_id IS NOT NULL))
    AND (release_kind IS DISTINCT FROM 'upgraded' OR (status = 'ended' AND next_placement_id IS NOT NULL))
    AND (end_site_id IS NULL OR release_kind = 'to_hospital')
    AND (next_placement_id IS NULL OR release_kind = 'upgraded')
  );

CREATE OR REPLACE FUNCTION quarantine_placements_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing text;
BEGIN
  SELECT format('person %s', n.person_id) INTO missing FROM placement_rows n
  WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = n.person_id) LIMIT 1;
  IF missing IS NULL THEN
    SELECT format('site %s', n.site_id) INTO missing FROM placement_rows n
    WHERE NOT EXISTS (SELECT 1 FROM quarantine_sites s WHERE s.id = n.site_id) LIMIT 1;
  END IF;
  IF missing IS NULL THEN
    SELECT format('room %s of site %s', n.room_id, n.site_id) INTO missing FROM placement_rows n
    WHERE n.room_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM quarantine_rooms r WHERE r.site_id = n.site_id AND r.id = n.room_id) LIMIT 1;
  END IF;
  IF missing IS NULL THEN
    SELECT format('course %s', n.course_id) INTO missing FROM placement_rows n
    WHERE NOT EXISTS (SELECT 1 FROM quarantine_courses c WHERE c.id = n.course_id) LIMIT 1;
  END IF;
  IF missing IS NULL THEN
    SELECT format('hospital site %s', n.end_site_id) INTO missing FROM placement_rows n
    WHERE n.end_site_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM quarantine_sites s WHERE s.id = n.end_site_id) LIMIT 1;
  END IF;
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'quarantine_placements refers to % that does not exist', missing
      USING ERRCODE = 'foreign_key_violation', TABLE = 'quarantine_placements';
  END IF;
  RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION quarantine_placements_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  referenced boolean;
BEGIN
  IF TG_TABLE_NAME = 'persons' THEN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN RETURN NEW; END IF;
    referenced := EXISTS (SELECT 1 FROM quarantine_placements q WHERE q.person_id = OLD.id);
  ELSIF TG_TABLE_NAME = 'quarantine_sites' THEN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN RETURN NEW; END IF;
    referenced := EXISTS (SELECT 1 FROM quarantine_placements q WHERE q.site_id = OLD.id)
      OR EXISTS (SELECT 1 FROM quarantine_placements q WHERE q.end_site_id = OLD.id);
  ELSE
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.site_id = OLD.site_id THEN RETURN NEW; END IF;
    referenced := EXISTS (SELECT 1 FROM quarantine_placements q WHERE q.site_id = OLD.site_id AND q.room_id = OLD.id);
  END IF;
  IF referenced THEN
    RAISE EXCEPTION '% % is referred to by quarantine_placements: % refused', TG_TABLE_NAME, OLD.id, TG_OP
      USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME;
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$;

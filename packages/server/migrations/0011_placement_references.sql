-- Placements' references checked once per statement instead of once per row (issue 4, benchmark: 100,000
-- people placed with their courses and today's lists for 500 sites in 5 s; docs/benchmarks.md).
--
-- A placement refers to its person, its site, its room (none for home quarantine) and its stored course.
-- As foreign keys, each reference is a trigger per inserted row (a lookup with a row lock, through SPI):
-- measured on COPY of 100,000 placements, 0.4–0.9 s per key, 2.7 s of 4.4 s for the four. Here the same
-- guarantee is kept in two halves:
--   * writing placements: after each INSERT or UPDATE statement, one trigger reads the statement's new rows
--     (a transition table) and looks each reference up in one query per referenced table; the first
--     missing one fails the statement with foreign_key_violation (SQLSTATE 23503), as the key did.
--     Measured on the same COPY: 0.25 s for the four.
--   * changing what placements refer to: a person, site or room that a placement refers to cannot be
--     deleted or get another key (foreign_key_violation, as the key's NO ACTION did), and a stored course
--     never changes at all (its id is the hash of its text, quarantine_courses in 0010).
-- What a foreign key has that this has not: the key locks the referenced row until the writer commits, so
-- that a delete running at the same moment waits. Nothing in Cordon deletes people, sites, rooms or
-- courses (a room is taken out of service instead); placing also locks the rooms it fills.
--
-- Distribution (docs/scale-out.md): under Citus these checks become keys again where Citus allows them
-- (sites and courses as reference tables, persons co-located by person_id); rooms, distributed by site,
-- cannot be referenced from placements distributed by person and are checked by placing (locked rooms).

ALTER TABLE quarantine_placements
  DROP CONSTRAINT quarantine_placements_person_id_fkey,
  DROP CONSTRAINT quarantine_placements_site_id_fkey,
  DROP CONSTRAINT quarantine_placements_site_id_room_id_fkey,
  DROP CONSTRAINT quarantine_placements_course_id_fkey;

CREATE FUNCTION quarantine_placements_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
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
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'quarantine_placements refers to % that does not exist', missing
      USING ERRCODE = 'foreign_key_violation', TABLE = 'quarantine_placements';
  END IF;
  RETURN NULL;
END;
$$;
-- A trigger with a transition table has one event: one for INSERT (COPY included), one for UPDATE.
CREATE TRIGGER quarantine_placements_references_insert AFTER INSERT ON quarantine_placements
  REFERENCING NEW TABLE AS placement_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quarantine_placements_check_references();
CREATE TRIGGER quarantine_placements_references_update AFTER UPDATE ON quarantine_placements
  REFERENCING NEW TABLE AS placement_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quarantine_placements_check_references();

-- What a placement refers to keeps existing, under the same key.
CREATE FUNCTION quarantine_placements_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  referenced boolean;
BEGIN
  IF TG_TABLE_NAME = 'persons' THEN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN RETURN NEW; END IF;
    referenced := EXISTS (SELECT 1 FROM quarantine_placements q WHERE q.person_id = OLD.id);
  ELSIF TG_TABLE_NAME = 'quarantine_sites' THEN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id THEN RETURN NEW; END IF;
    referenced := EXISTS (SELECT 1 FROM quarantine_placements q WHERE q.site_id = OLD.id);
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
CREATE TRIGGER persons_placements_referenced BEFORE DELETE OR UPDATE OF id ON persons
  FOR EACH ROW EXECUTE FUNCTION quarantine_placements_referenced();
CREATE TRIGGER quarantine_sites_placements_referenced BEFORE DELETE OR UPDATE OF id ON quarantine_sites
  FOR EACH ROW EXECUTE FUNCTION quarantine_placements_referenced();
CREATE TRIGGER quarantine_rooms_placements_referenced BEFORE DELETE OR UPDATE OF id, site_id ON quarantine_rooms
  FOR EACH ROW EXECUTE FUNCTION quarantine_placements_referenced();

CREATE FUNCTION quarantine_courses_never_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'a stored course never changes (its id is the hash of its text): % refused', TG_OP
    USING ERRCODE = 'foreign_key_violation', TABLE = 'quarantine_courses';
END;
$$;
CREATE TRIGGER quarantine_courses_no_update_delete BEFORE UPDATE OR DELETE ON quarantine_courses
  FOR EACH ROW EXECUTE FUNCTION quarantine_courses_never_change();
CREATE TRIGGER quarantine_courses_no_truncate BEFORE TRUNCATE ON quarantine_courses
  FOR EACH STATEMENT EXECUTE FUNCTION quarantine_courses_never_change();

-- Indexes: each is written with every placement (100,000 index entries per index for a batch).
-- The certificate's id is set on release only: unique among those set, no entry for the others.
ALTER TABLE quarantine_placements DROP CONSTRAINT quarantine_placements_certificate_id_key;
CREATE UNIQUE INDEX quarantine_placements_certificate_idx ON quarantine_placements (certificate_id)
  WHERE certificate_id IS NOT NULL;
-- One index for a site's placements by status and for a room's current placements (it replaces
-- (site_id, status) and (site_id, room_id) WHERE status = 'placed').
DROP INDEX quarantine_placements_room_idx;
DROP INDEX quarantine_placements_site_idx;
CREATE INDEX quarantine_placements_site_idx ON quarantine_placements (site_id, status, room_id);

-- Nucleic acid testing at the scale of a city's round (issue 5 item 7; docs/benchmarks.md): 10 million
-- swabs in 1.9 million tubes written by the bulk sampling import, and the lab results for all of them
-- applied set-based (packages/server/src/nat/{sampling-bulk,lab-result-bulk}.ts).
--
-- Swabs' and tubes' references checked once per statement instead of once per row. As foreign keys,
-- each reference is a trigger per inserted row (a lookup with a row lock, through SPI): three per swab
-- (person, round, tube) and two per tube (round, sampling point), i.e. 34 million lookups for a round of
-- 10 million people. The same guarantee is kept in two halves, as for quarantine placements (0011):
--   * writing swabs or tubes: after each INSERT statement (COPY included), one trigger reads the
--     statement's new rows (a transition table) and looks each reference up in one query per referenced
--     table; the first missing one fails the statement with foreign_key_violation (SQLSTATE 23503), as
--     the key did. A swab's or tube's references never change (refused, as below);
--   * changing what swabs and tubes refer to: a person, round, sampling point or tube referred to cannot
--     be deleted or get another key (foreign_key_violation, as the keys' NO ACTION did).
-- What a foreign key has that this has not: the key locks the referenced row until the writer commits.
-- Nothing in Cordon deletes people, rounds, sampling points or tubes.
--
-- Distribution (docs/scale-out.md): unchanged from 0014. Under Citus the person check becomes a key
-- again (swabs co-located with persons by person_id; rounds and sampling points reference tables); the
-- tube check stays a statement check (tubes are distributed by barcode).

ALTER TABLE nat_swabs
  DROP CONSTRAINT nat_swabs_person_id_fkey,
  DROP CONSTRAINT nat_swabs_round_id_fkey,
  DROP CONSTRAINT nat_swabs_tube_barcode_fkey;
ALTER TABLE nat_tubes
  DROP CONSTRAINT nat_tubes_round_id_fkey,
  DROP CONSTRAINT nat_tubes_sampling_point_id_fkey;

CREATE FUNCTION nat_swabs_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing text;
BEGIN
  SELECT format('person %s', n.person_id) INTO missing FROM nat_swab_rows n
  WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = n.person_id) LIMIT 1;
  IF missing IS NULL THEN
    SELECT format('round %s', n.round_id) INTO missing FROM (SELECT DISTINCT round_id FROM nat_swab_rows) n
    WHERE NOT EXISTS (SELECT 1 FROM nat_rounds r WHERE r.id = n.round_id) LIMIT 1;
  END IF;
  IF missing IS NULL THEN
    SELECT format('tube %s', n.tube_barcode) INTO missing FROM nat_swab_rows n
    WHERE NOT EXISTS (SELECT 1 FROM nat_tubes t WHERE t.barcode = n.tube_barcode) LIMIT 1;
  END IF;
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'nat_swabs refers to % that does not exist', missing
      USING ERRCODE = 'foreign_key_violation', TABLE = 'nat_swabs';
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER nat_swabs_references_insert AFTER INSERT ON nat_swabs
  REFERENCING NEW TABLE AS nat_swab_rows
  FOR EACH STATEMENT EXECUTE FUNCTION nat_swabs_check_references();

CREATE FUNCTION nat_tubes_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing text;
BEGIN
  SELECT format('round %s', n.round_id) INTO missing FROM (SELECT DISTINCT round_id FROM nat_tube_rows) n
  WHERE NOT EXISTS (SELECT 1 FROM nat_rounds r WHERE r.id = n.round_id) LIMIT 1;
  IF missing IS NULL THEN
    SELECT format('sampling point %s', n.sampling_point_id) INTO missing
    FROM (SELECT DISTINCT sampling_point_id FROM nat_tube_rows) n
    WHERE NOT EXISTS (SELECT 1 FROM nat_sampling_points s WHERE s.id = n.sampling_point_id) LIMIT 1;
  END IF;
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'nat_tubes refers to % that does not exist', missing
      USING ERRCODE = 'foreign_key_violation', TABLE = 'nat_tubes';
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER nat_tubes_references_insert AFTER INSERT ON nat_tubes
  REFERENCING NEW TABLE AS nat_tube_rows
  FOR EACH STATEMENT EXECUTE FUNCTION nat_tubes_check_references();

-- A swab's person, round and tube, and a tube's round and sampling point, never change.
CREATE FUNCTION nat_references_never_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the references of % never change: UPDATE refused', TG_TABLE_NAME
    USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER nat_swabs_references_fixed BEFORE UPDATE OF person_id, round_id, tube_barcode ON nat_swabs
  FOR EACH ROW WHEN (OLD.person_id IS DISTINCT FROM NEW.person_id OR OLD.round_id IS DISTINCT FROM NEW.round_id
    OR OLD.tube_barcode IS DISTINCT FROM NEW.tube_barcode)
  EXECUTE FUNCTION nat_references_never_change();
CREATE TRIGGER nat_tubes_references_fixed BEFORE UPDATE OF round_id, sampling_point_id ON nat_tubes
  FOR EACH ROW WHEN (OLD.round_id IS DISTINCT FROM NEW.round_id
    OR OLD.sampling_point_id IS DISTINCT FROM NEW.sampling_point_id)
  EXECUTE FUNCTION nat_references_never_change();

-- What swabs and tubes refer to keeps existing, under the same key.
CREATE FUNCTION nat_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  referenced boolean;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF TG_TABLE_NAME = 'nat_tubes' AND NEW.barcode = OLD.barcode THEN RETURN NEW; END IF;
    IF TG_TABLE_NAME <> 'nat_tubes' AND NEW.id = OLD.id THEN RETURN NEW; END IF;
  END IF;
  IF TG_TABLE_NAME = 'persons' THEN
    referenced := EXISTS (SELECT 1 FROM nat_swabs s WHERE s.person_id = OLD.id);
  ELSIF TG_TABLE_NAME = 'nat_rounds' THEN
    referenced := EXISTS (SELECT 1 FROM nat_tubes t WHERE t.round_id = OLD.id)
      OR EXISTS (SELECT 1 FROM nat_swabs s WHERE s.round_id = OLD.id);
  ELSIF TG_TABLE_NAME = 'nat_sampling_points' THEN
    referenced := EXISTS (SELECT 1 FROM nat_tubes t WHERE t.sampling_point_id = OLD.id);
  ELSE
    referenced := EXISTS (SELECT 1 FROM nat_swabs s WHERE s.tube_barcode = OLD.barcode)
      OR EXISTS (SELECT 1 FROM nat_lab_results r WHERE r.barcode = OLD.barcode);
  END IF;
  IF referenced THEN
    RAISE EXCEPTION '% is referred to by nucleic acid tubes or swabs: % refused', TG_TABLE_NAME, TG_OP
      USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME;
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END;
$$;
CREATE TRIGGER persons_nat_referenced BEFORE DELETE OR UPDATE OF id ON persons
  FOR EACH ROW EXECUTE FUNCTION nat_referenced();
CREATE TRIGGER nat_rounds_referenced BEFORE DELETE OR UPDATE OF id ON nat_rounds
  FOR EACH ROW EXECUTE FUNCTION nat_referenced();
CREATE TRIGGER nat_sampling_points_referenced BEFORE DELETE OR UPDATE OF id ON nat_sampling_points
  FOR EACH ROW EXECUTE FUNCTION nat_referenced();
CREATE TRIGGER nat_tubes_referenced BEFORE DELETE OR UPDATE OF barcode ON nat_tubes
  FOR EACH ROW EXECUTE FUNCTION nat_referenced();

-- A UUIDv7 (RFC 9562) made in the database, for rows written by INSERT … SELECT (recall entries and
-- case candidates from a result file): the time's milliseconds, then random bits of a v4.
CREATE FUNCTION nat_uuid_v7(at timestamptz) RETURNS uuid LANGUAGE sql VOLATILE AS $$
  SELECT (lpad(to_hex(floor(extract(epoch FROM at) * 1000)::bigint), 12, '0') || '7'
    || substr(r, 14, 3) || substr(r, 17, 16))::uuid
  FROM (SELECT replace(gen_random_uuid()::text, '-', '') AS r) x
$$;

-- The positive results (a handful per round): what the recall lists start from.
CREATE INDEX nat_lab_results_positive_idx ON nat_lab_results (barcode)
  WHERE result = 'positive' AND outcome IN ('recorded', 'late');

-- A round's swabs are written once and then each updated once, when their tube's result closes them
-- (10 million rows in one statement for a city): with room left on each page, the new version goes on
-- the same page and no index entry is written (a HOT update), instead of three index entries per swab.
ALTER TABLE nat_swabs SET (fillfactor = 50);

-- A lab result's tube, checked once per statement as well (1.9 million results for a city's round):
-- a result for an unknown barcode is reported by the services and never stored, so the check only
-- guards the services; a tube is never deleted nor renamed (nat_tubes_referenced, above).
ALTER TABLE nat_lab_results DROP CONSTRAINT nat_lab_results_barcode_fkey;
CREATE FUNCTION nat_lab_results_check_tube() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing text;
BEGIN
  SELECT n.barcode INTO missing FROM nat_lab_result_rows n
  WHERE NOT EXISTS (SELECT 1 FROM nat_tubes t WHERE t.barcode = n.barcode) LIMIT 1;
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'nat_lab_results refers to tube % that does not exist', missing
      USING ERRCODE = 'foreign_key_violation', TABLE = 'nat_lab_results';
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER nat_lab_results_tube_insert AFTER INSERT ON nat_lab_results
  REFERENCING NEW TABLE AS nat_lab_result_rows
  FOR EACH STATEMENT EXECUTE FUNCTION nat_lab_results_check_tube();
CREATE TRIGGER nat_lab_results_tube_fixed BEFORE UPDATE OF barcode ON nat_lab_results
  FOR EACH ROW WHEN (OLD.barcode IS DISTINCT FROM NEW.barcode)
  EXECUTE FUNCTION nat_references_never_change();

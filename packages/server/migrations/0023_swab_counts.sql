-- A round's coverage (swabs per address region) counted as the swabs are written, instead of read
-- through an index on every swab. The index nat_swabs (round_id, region_code) existed for two readers
-- only (coverage by region and a round's counts), and every swab paid for it: at a city's round, one
-- more index entry per swab was 11 % of the database's work on each sampling point's file of 223,000
-- lines (measured: backend CPU 7.8 → 6.9 s with the index dropped, three runs each, docs/benchmarks.md).
-- Now a statement-level trigger adds, per INSERT (or COPY) statement, one row per (round, region,
-- retest) with the number of swabs it wrote — a bulk file of 150,000 swabs adds a few hundred rows, a
-- desk's scan one — and takes them off again for a DELETE or an UPDATE. Readers sum a round's rows;
-- `sampledByRegion` folds them into one row per region as it reads (under a lock per round).
--
-- Distribution (docs/scale-out.md): by round_id, a small table (rows per statement, folded on reading).
-- Under Citus the trigger runs on each shard of nat_swabs and inserts into this table, distributed by
-- round_id; the readers sum it per round as here.

CREATE TABLE nat_swab_counts (
  round_id uuid NOT NULL,
  region_code text COLLATE "C" NOT NULL,
  retest boolean NOT NULL,
  swabs bigint NOT NULL
);
CREATE INDEX nat_swab_counts_round_idx ON nat_swab_counts (round_id);

INSERT INTO nat_swab_counts (round_id, region_code, retest, swabs)
SELECT round_id, region_code, retest, count(*) FROM nat_swabs GROUP BY round_id, region_code, retest;

-- The swabs a statement wrote (+) or removed (−), per round, region and retest; an UPDATE's rows are
-- counted out in their old values and in in their new ones (only the differences are kept).
CREATE FUNCTION nat_swabs_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO nat_swab_counts (round_id, region_code, retest, swabs)
    SELECT round_id, region_code, retest, count(*) FROM nat_swab_new GROUP BY round_id, region_code, retest;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO nat_swab_counts (round_id, region_code, retest, swabs)
    SELECT round_id, region_code, retest, -count(*) FROM nat_swab_old GROUP BY round_id, region_code, retest;
  ELSE
    INSERT INTO nat_swab_counts (round_id, region_code, retest, swabs)
    SELECT round_id, region_code, retest, sum(n) FROM (
      SELECT round_id, region_code, retest, 1 AS n FROM nat_swab_new
      UNION ALL SELECT round_id, region_code, retest, -1 FROM nat_swab_old
    ) d GROUP BY round_id, region_code, retest HAVING sum(n) <> 0;
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER nat_swabs_count_insert AFTER INSERT ON nat_swabs
  REFERENCING NEW TABLE AS nat_swab_new FOR EACH STATEMENT EXECUTE FUNCTION nat_swabs_count();
CREATE TRIGGER nat_swabs_count_delete AFTER DELETE ON nat_swabs
  REFERENCING OLD TABLE AS nat_swab_old FOR EACH STATEMENT EXECUTE FUNCTION nat_swabs_count();
CREATE TRIGGER nat_swabs_count_update AFTER UPDATE ON nat_swabs
  REFERENCING OLD TABLE AS nat_swab_old NEW TABLE AS nat_swab_new FOR EACH STATEMENT
  EXECUTE FUNCTION nat_swabs_count();

DROP INDEX nat_swabs_round_region_idx;

-- A round referred to by swabs (0016): asked of the counts now that no index leads with round_id.
CREATE OR REPLACE FUNCTION nat_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
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
      OR coalesce((SELECT sum(c.swabs) FROM nat_swab_counts c WHERE c.round_id = OLD.id), 0) > 0;
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

-- The swabs' reference check (0018) looks each tube up once, not once per swab: a sampling point's
-- file of 150,000 swabs names 15,000 tubes of 10.
CREATE OR REPLACE FUNCTION nat_swabs_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing text;
BEGIN
  EXECUTE $q$SELECT 'person ' || min(n.person_id::text) FROM nat_swab_rows n
    WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = n.person_id)$q$ INTO missing;
  IF missing IS NULL THEN
    EXECUTE $q$SELECT 'round ' || min(n.round_id::text) FROM (SELECT DISTINCT round_id FROM nat_swab_rows) n
      WHERE NOT EXISTS (SELECT 1 FROM nat_rounds r WHERE r.id = n.round_id)$q$ INTO missing;
  END IF;
  IF missing IS NULL THEN
    EXECUTE $q$SELECT 'tube ' || min(n.tube_barcode) FROM (SELECT DISTINCT tube_barcode FROM nat_swab_rows) n
      WHERE NOT EXISTS (SELECT 1 FROM nat_tubes t WHERE t.barcode = n.tube_barcode)$q$ INTO missing;
  END IF;
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'nat_swabs refers to % that does not exist', missing
      USING ERRCODE = 'foreign_key_violation', TABLE = 'nat_swabs';
  END IF;
  RETURN NULL;
END;
$$;

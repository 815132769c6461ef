-- The swabs' statement-level reference check (0016) asked for "the first missing person, LIMIT 1". With
-- LIMIT 1 the planner expects to stop early and probes the persons' primary key once per new swab: 10
-- million probes (42 s) for a city's round, and 10 million more into the tubes' key (19 s), whose pages
-- are not yet all-visible — 61 of the 161 s of the swabs' INSERT (docs/benchmarks.md). Asked for the
-- smallest missing key instead (an aggregate over every new row), the planner weighs the whole anti-join:
-- one hash or merge join for a file of millions, an index probe for the single swab of a desk's scan. The
-- guarantee is the same: a missing reference fails the statement with foreign_key_violation.

CREATE OR REPLACE FUNCTION nat_swabs_check_references() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing text;
BEGIN
  SELECT 'person ' || min(n.person_id::text) INTO missing FROM nat_swab_rows n
  WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = n.person_id);
  IF missing IS NULL THEN
    SELECT 'round ' || min(n.round_id::text) INTO missing FROM (SELECT DISTINCT round_id FROM nat_swab_rows) n
    WHERE NOT EXISTS (SELECT 1 FROM nat_rounds r WHERE r.id = n.round_id);
  END IF;
  IF missing IS NULL THEN
    SELECT 'tube ' || min(n.tube_barcode) INTO missing FROM nat_swab_rows n
    WHERE NOT EXISTS (SELECT 1 FROM nat_tubes t WHERE t.barcode = n.tube_barcode);
  END IF;
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'nat_swabs refers to % that does not exist', missing
      USING ERRCODE = 'foreign_key_violation', TABLE = 'nat_swabs';
  END IF;
  RETURN NULL;
END;
$$;

-- The same for a lab result's tube (1.9 million results for a city's round).
CREATE OR REPLACE FUNCTION nat_lab_results_check_tube() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  missing text;
BEGIN
  SELECT min(n.barcode) INTO missing FROM nat_lab_result_rows n
  WHERE NOT EXISTS (SELECT 1 FROM nat_tubes t WHERE t.barcode = n.barcode);
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'nat_lab_results refers to tube % that does not exist', missing
      USING ERRCODE = 'foreign_key_violation', TABLE = 'nat_lab_results';
  END IF;
  RETURN NULL;
END;
$$;

-- The swabs' statement-level reference check (0016) asked for "the first missing person, LIMIT 1". With
-- LIMIT 1 the planner expects to stop early and probes the persons' primary key once per new swab: 10
-- million probes (42 s) for a city's round, and 10 million more into the tubes' key (19 s), whose pages
-- are not yet all-visible — 61 of the 161 s of the swabs' INSERT (docs/benchmarks.md). And PL/pgSQL
-- keeps a query's plan for the session: planned for a desk's single swab (a transition table of one
-- row), the same probes were reused for the next file's 1.9 million results (10 s). Now each check asks
-- for the smallest missing key (an aggregate over every new row, no LIMIT) and is planned at each
-- statement (EXECUTE) with the transition table's real size: one hash or merge join for a file of
-- millions, an index probe for a desk's scan. The guarantee is the same: a missing reference fails the
-- statement with foreign_key_violation.

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
    EXECUTE $q$SELECT 'tube ' || min(n.tube_barcode) FROM nat_swab_rows n
      WHERE NOT EXISTS (SELECT 1 FROM nat_tubes t WHERE t.barcode = n.tube_barcode)$q$ INTO missing;
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
  EXECUTE $q$SELECT min(n.barcode) FROM nat_lab_result_rows n
    WHERE NOT EXISTS (SELECT 1 FROM nat_tubes t WHERE t.barcode = n.barcode)$q$ INTO missing;
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'nat_lab_results refers to tube % that does not exist', missing
      USING ERRCODE = 'foreign_key_violation', TABLE = 'nat_lab_results';
  END IF;
  RETURN NULL;
END;
$$;

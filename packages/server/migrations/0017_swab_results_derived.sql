-- A swab's result is its tube's accepted result (issue 5 item 2: "a negative tube closes its members'
-- tests"), read through the tube instead of copied onto every swab. Until now each result wrote its
-- tube's members: a city's round closed 9,991,000 swabs in one UPDATE, 120 of the 197 s from the labs'
-- file to the recall lists at 10 million people (docs/benchmarks.md), and the swabs were stored half
-- empty (fill factor 50) so that those updates stayed on their pages. Now a result is one row, written
-- once, and a swab's state is derived where it is read:
--   * result: the tube's accepted result ('recorded' or 'late'): negative → 'negative'; positive →
--     'positive' when the tube holds that one swab (a case candidate), 'pool_positive' when it holds
--     several (recalled for a single-tube retest); null while the tube has no accepted result;
--   * closed_at: when that result was received (and applied: both in the same transaction).
-- The same rules as the services applied before (lab-result.service.ts, lab-result-bulk.ts): a
-- conflicting result is kept for review and changes nothing; an accepted result is never replaced.
--
-- Distribution (docs/scale-out.md): the view joins swabs (by person) with results (by barcode); under
-- Citus a person's state is read for one person or one tube at a time, both of which route.

ALTER TABLE nat_swabs DROP COLUMN result, DROP COLUMN closed_at;
ALTER TABLE nat_swabs RESET (fillfactor);

CREATE VIEW nat_swab_results AS
SELECT w.person_id, w.round_id, w.tube_barcode, w.household_id, w.region_code, w.sampled_at, w.sampled_by,
  w.retest,
  CASE a.result
    WHEN 'negative' THEN 'negative'
    WHEN 'positive' THEN
      CASE WHEN (SELECT count(*) FROM nat_swabs m WHERE m.tube_barcode = w.tube_barcode) = 1 THEN 'positive'
        ELSE 'pool_positive' END
  END AS result,
  a.received_at AS closed_at
FROM nat_swabs w
LEFT JOIN nat_lab_results a ON a.barcode = w.tube_barcode AND a.outcome IN ('recorded', 'late');

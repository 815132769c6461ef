-- Arrivals are written once and read whole: their travel history, facts and decision are documents the
-- platform stores and hands back, never searched inside (the lists filter on the columns beside them).
-- `json` keeps the text as written and only checks it, where `jsonb` takes it apart on every insert:
-- that was a tenth of the server's work in a bulk import (docs/benchmarks.md). Control tasks keep
-- `jsonb` for their steps, which are rewritten on each step.
ALTER TABLE arrivals
  ALTER COLUMN travel_history TYPE json USING travel_history::json,
  ALTER COLUMN facts TYPE json USING facts::json,
  ALTER COLUMN decision TYPE json USING decision::json;

-- Nothing looks an arrival up by its id alone (tasks reach it by person and id, the primary key), and a
-- unique index on (id, person_id) guarded nothing the primary key does not.
DROP INDEX arrivals_id_idx;

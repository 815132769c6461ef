-- Deadlines a jurisdiction sets for itself (arrival control tasks, assist lists). A region's setting
-- applies to its subtree unless a region below sets its own; no row means the platform default.
-- Small and read on every registration: a Citus reference table (docs/scale-out.md).

CREATE TABLE deadline_settings (
  region_code text COLLATE "C" PRIMARY KEY REFERENCES regions (code),
  arrival_task jsonb,
  assist_list jsonb,
  updated_by uuid,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 1
);

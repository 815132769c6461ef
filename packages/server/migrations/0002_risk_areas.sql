-- Risk areas (高/中/低风险区) and zones (封控区/管控区/防范区). History is kept: ending a designation sets
-- valid_to and ended_*, never deletes. Distribution: reference table (docs/scale-out.md).

CREATE TABLE area_designations (
  id uuid PRIMARY KEY,
  region_code text COLLATE "C" NOT NULL REFERENCES regions (code),
  place_name text,
  kind text NOT NULL CHECK (kind IN ('high', 'medium', 'low', 'sealed', 'controlled', 'precaution')),
  valid_from timestamptz NOT NULL,
  valid_to timestamptz CHECK (valid_to IS NULL OR valid_to > valid_from),
  reason text NOT NULL,
  linked_case text,
  created_by uuid,
  created_at timestamptz NOT NULL,
  ended_by uuid,
  ended_at timestamptz,
  end_reason text
);
-- As-of queries: "in force at T inside region R" is a prefix range on region_code plus valid_from <= T.
CREATE INDEX area_designations_region_from_idx ON area_designations (region_code, valid_from);
CREATE INDEX area_designations_from_idx ON area_designations (valid_from, valid_to);

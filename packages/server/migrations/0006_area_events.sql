-- Facts staff record on a risk-area or zone designation (a new infection, an area-wide screening round,
-- the release of the last close contact), from which the pack in force proposes a downgrade or lift;
-- and the link from a designation to the one it replaced when a person confirmed a downgrade.
-- Distribution: area_events is a reference table like area_designations (docs/scale-out.md): a few rows
-- per designation, read with it.

CREATE TABLE area_events (
  id uuid PRIMARY KEY,
  designation_id uuid NOT NULL REFERENCES area_designations (id),
  kind text NOT NULL CHECK (kind IN ('new_infection', 'screening_round', 'last_contact_released')),
  at timestamptz NOT NULL,
  result text CHECK (result IN ('negative', 'positive')),
  note text,
  linked_case text,
  created_by uuid,
  created_at timestamptz NOT NULL,
  CHECK ((kind = 'screening_round') = (result IS NOT NULL))
);
CREATE INDEX area_events_designation_idx ON area_events (designation_id, at);

-- A designation opened by confirming a downgrade points at the one it replaced.
ALTER TABLE area_designations ADD COLUMN previous_id uuid REFERENCES area_designations (id);

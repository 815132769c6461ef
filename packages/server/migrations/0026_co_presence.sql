-- Co-presence (时空伴随, issue 7 item 6): location points uploaded for the grid-cell rule, and the
-- candidates an investigator confirmed as co-presence contacts of a case (the colour engine makes them
-- yellow under the pack in force). The venue rule reads venue_scans (0025). The rules:
-- packages/domain/src/codes/co-presence.ts; docs/capabilities/co-presence.md.
--
-- Distribution (docs/scale-out.md):
-- - location_points: distributed by person_id (a person's points in time order make their dwells, on one
--   shard; primary key (person_id, at)). The cell lookup (index on (cell, at)) fans out to all shards.
-- - location_point_batches: reference-sized (one row per uploaded file); distributed by id if it grows.
-- - co_presence_contacts: distributed by person_id, co-located with the person and with health_codes
--   (the colour engine reads a person's co-presence facts); primary key (person_id, id). A case's
--   contacts (index on (case_id)) fan out to all shards.

-- A file of location points (operator signalling, an app's GPS trail) uploaded by an investigator.
CREATE TABLE location_point_batches (
  id uuid PRIMARY KEY,
  source text NOT NULL CHECK (length(btrim(source)) > 0),
  file_name text,
  points integer NOT NULL,
  duplicates integer NOT NULL,
  uploaded_by uuid,
  uploaded_at timestamptz NOT NULL
);

-- A person somewhere at a time. `cell` is the point's grid cell (cellOf, "<metres>:<row>:<col>") for the
-- cell size of the policy in force at the upload; the same person at the same time is stored once.
CREATE TABLE location_points (
  person_id uuid NOT NULL,
  at timestamptz NOT NULL,
  lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
  lon double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
  cell text COLLATE "C" NOT NULL,
  source text NOT NULL,
  batch uuid NOT NULL REFERENCES location_point_batches (id),
  PRIMARY KEY (person_id, at)
);
-- Who else was in the case's cells around the case's time.
CREATE INDEX location_points_cell_idx ON location_points (cell, at);

-- A candidate the investigator confirmed: by a venue (venue_id) or a grid cell (cell), with the overlap.
CREATE TABLE co_presence_contacts (
  case_id uuid NOT NULL REFERENCES tracing_cases (id),
  person_id uuid NOT NULL REFERENCES persons (id),
  id uuid NOT NULL,
  basis text NOT NULL CHECK (basis IN ('venue', 'grid_cell')),
  venue_id uuid,
  cell text COLLATE "C",
  overlap_from timestamptz NOT NULL,
  overlap_to timestamptz NOT NULL,
  confirmed_by uuid,
  confirmed_at timestamptz NOT NULL,
  PRIMARY KEY (person_id, id),
  CHECK ((basis = 'venue') = (venue_id IS NOT NULL) AND (basis = 'grid_cell') = (cell IS NOT NULL)),
  CHECK (overlap_to > overlap_from)
);
-- One confirmation per person, case, place and overlap start (confirming the same candidate twice is a no-op).
CREATE UNIQUE INDEX co_presence_contacts_unique_idx
  ON co_presence_contacts (person_id, case_id, basis, coalesce(venue_id::text, cell), overlap_from);
CREATE INDEX co_presence_contacts_case_idx ON co_presence_contacts (case_id);

-- The health-code worker is signalled by triggers on co_presence_contacts: 0027 (the lead's).

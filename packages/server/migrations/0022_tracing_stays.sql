-- A case's itinerary (行程, issue 6 item 3): the places and times the case stayed in (residence, work,
-- activity), checked against the look-back window by `checkItinerary` (packages/domain/src/tracing/
-- itinerary.ts); the risk-area or zone proposals made from them (`proposeAreas`) that an investigator
-- submitted for the command to confirm; and, on the contacts, the assist request (协查, item 4) a
-- contact living outside the classifier's jurisdiction was forwarded as.
--
-- Distribution (docs/scale-out.md): stays and submitted proposals by case_id, co-located with the
-- case's exposures and contacts (everything the itinerary card and the proposals read is one case's, on
-- one shard); their primary keys include case_id. Their references to regions and area_designations
-- point at reference tables. The command's list of submitted proposals in its jurisdiction fans out to
-- all shards (index on region_code). A proposal is found by id alone through a plain index: ids are
-- UUIDv7, unique by construction, so no unique index without case_id.

-- One stay of a case's itinerary. No venue column: there is no venues table yet (a named place is
-- `place_name`). Refused stays are never stored; kept ones carry the flags `checkItinerary` raised (a
-- stay outside the look-back window when it was recorded).
CREATE TABLE tracing_stays (
  case_id uuid NOT NULL REFERENCES tracing_cases (id),
  id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('residence', 'work', 'activity')),
  region_code text COLLATE "C" NOT NULL REFERENCES regions (code),
  -- A named compound, building or shop ("富兴小区3号楼"); null = the region itself.
  place_name text,
  stay_from timestamptz NOT NULL,
  stay_to timestamptz NOT NULL,
  -- The investigator judged the place frequent and higher-risk (经常活动且风险较高): proposed high.
  frequent_higher_risk boolean NOT NULL,
  flags json NOT NULL,
  recorded_by uuid,
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (case_id, id),
  CHECK (stay_to >= stay_from)
);
CREATE INDEX tracing_stays_from_idx ON tracing_stays (case_id, stay_from);

-- A risk-area or zone proposal from a case's itinerary, submitted to the command: the designation as
-- `proposeAreas` made it (region, place, kind, reason) and its explanation, the stays it came from, and
-- the command's decision: confirmed (the designation it opened) or rejected (with a reason).
CREATE TABLE tracing_area_proposals (
  case_id uuid NOT NULL REFERENCES tracing_cases (id),
  id uuid NOT NULL,
  region_code text COLLATE "C" NOT NULL REFERENCES regions (code),
  place_name text,
  kind text NOT NULL CHECK (kind IN ('high', 'medium', 'low', 'sealed', 'controlled', 'precaution')),
  reason text NOT NULL,
  explanation json NOT NULL,
  stay_ids uuid[] NOT NULL,
  status text NOT NULL CHECK (status IN ('submitted', 'confirmed', 'rejected')),
  submitted_by uuid,
  submitted_at timestamptz NOT NULL,
  decided_by uuid,
  decided_at timestamptz,
  decision_reason text,
  designation_id uuid REFERENCES area_designations (id),
  PRIMARY KEY (case_id, id),
  CHECK ((status = 'confirmed') = (designation_id IS NOT NULL))
);
CREATE INDEX tracing_area_proposals_id_idx ON tracing_area_proposals (id);
-- A place is waiting for the command at most once per case and kind.
CREATE UNIQUE INDEX tracing_area_proposals_open_idx
  ON tracing_area_proposals (case_id, region_code, coalesce(place_name, ''), kind) WHERE status = 'submitted';
-- The command's list: submitted proposals inside its jurisdiction.
CREATE INDEX tracing_area_proposals_region_idx ON tracing_area_proposals (region_code) WHERE status = 'submitted';

-- The assist request a contact was forwarded as (once per contact: a re-classification does not send
-- it again): the assist list addressed to the county where they live, and their row in it. Both are
-- assist_lists/assist_rows ids (distributed by list id): the tracing service's reference, not a key.
ALTER TABLE tracing_contacts
  ADD COLUMN assist_list_id uuid,
  ADD COLUMN assist_row_id uuid,
  ADD COLUMN assist_region_code text COLLATE "C",
  ADD COLUMN assist_sent_at timestamptz;

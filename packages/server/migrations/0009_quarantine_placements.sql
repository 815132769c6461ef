-- Placements (安置): a person's course of quarantine or isolation at a site (issue 4). A placement comes
-- from a control task (an arrival's; contacts' and zone residents' when tracing lands) or is entered by
-- hand; it keeps the measures the pack in force decided, the facts its course was computed from and the
-- course itself (phases and test days, `schedule` in packages/domain/src/quarantine/schedule.ts), so
-- that "who is due for a test today" is read, not recomputed. With it: the closed-loop transfer
-- (启程前、行程中、终程后), test results, health reports (temperature twice a day and symptoms) and
-- release with its certificate.
--
-- Distribution (docs/scale-out.md): every table here by person_id, so that a person's timeline stays on
-- one shard; person_id is part of each key, and references between them are (person_id, placement_id).
-- Lists per site (occupancy, today's due tests, missing reports) fan out to all shards.

CREATE TABLE quarantine_placements (
  id uuid NOT NULL,
  person_id uuid NOT NULL REFERENCES persons (id),
  site_id uuid NOT NULL REFERENCES quarantine_sites (id),
  -- A room of the site; none for home quarantine (the person's home is the room).
  room_id uuid,
  -- People placed together (a household, 同户): the same key, chosen at placement.
  household_key text,
  source_kind text NOT NULL CHECK (source_kind IN ('arrival_task', 'contact', 'zone_resident', 'manual')),
  -- The control task (or, later, contact or zone record) the placement closes; null when entered by hand.
  source_id uuid,
  -- When the person was identified (the task's creation, the contact's finding): the closed loop's
  -- clock (seed 000: 48 h, 72 h in a major outbreak) runs from here to arrival at the site.
  identified_at timestamptz NOT NULL,
  pack_id text,
  -- The combined measures the course follows, and the facts it starts from (arrivalAt, lastExposureAt,
  -- placedAt): with them the course can be recomputed and a change explained.
  measures json NOT NULL,
  start_facts json NOT NULL,
  course json NOT NULL,
  status text NOT NULL CHECK (status IN ('placed', 'released', 'ended')),
  placed_at timestamptz NOT NULL,
  -- Last day of isolation as the course has it (or as extended / shortened with a reason).
  planned_end date,
  released_at timestamptz,
  release_kind text CHECK (release_kind IN ('on_schedule', 'early', 'to_hospital', 'upgraded')),
  release_reason text,
  -- The certificate's own id (printed and in its QR code), set on release; verifiable on the platform.
  certificate_id uuid UNIQUE,
  created_by uuid,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (person_id, id),
  FOREIGN KEY (site_id, room_id) REFERENCES quarantine_rooms (site_id, id),
  CHECK (status <> 'released' OR (released_at IS NOT NULL AND release_kind IS NOT NULL))
);
CREATE UNIQUE INDEX quarantine_placements_id_idx ON quarantine_placements (id);
-- A person is in one place at a time.
CREATE UNIQUE INDEX quarantine_placements_current_idx ON quarantine_placements (person_id) WHERE status = 'placed';
-- A room holds one household at a time (people of one household_key may share it).
CREATE INDEX quarantine_placements_room_idx ON quarantine_placements (site_id, room_id) WHERE status = 'placed';
CREATE INDEX quarantine_placements_site_idx ON quarantine_placements (site_id, status);

-- The closed-loop transfer to the site: vehicle, escort, picked up, arrived.
CREATE TABLE quarantine_transfers (
  person_id uuid NOT NULL,
  placement_id uuid NOT NULL,
  vehicle text NOT NULL,
  escort text NOT NULL,
  picked_up_at timestamptz NOT NULL,
  arrived_at timestamptz,
  recorded_by uuid,
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (person_id, placement_id),
  FOREIGN KEY (person_id, placement_id) REFERENCES quarantine_placements (person_id, id),
  CHECK (arrived_at IS NULL OR arrived_at >= picked_up_at)
);

-- Test results of the course (manual entry with a lab reference until the testing capability lands).
CREATE TABLE quarantine_test_results (
  person_id uuid NOT NULL,
  placement_id uuid NOT NULL,
  id uuid NOT NULL,
  sampled_on date NOT NULL,
  sample text NOT NULL CHECK (sample IN ('nasopharyngeal', 'oropharyngeal', 'unspecified')),
  outcome text NOT NULL CHECK (outcome IN ('negative', 'positive', 'pending')),
  lab_reference text NOT NULL,
  recorded_by uuid,
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (person_id, id),
  FOREIGN KEY (person_id, placement_id) REFERENCES quarantine_placements (person_id, id),
  -- One result per sample type and day; a correction replaces it (audited).
  UNIQUE (person_id, placement_id, sampled_on, sample)
);

-- Daily health monitoring: temperature and symptoms, by staff or self-reported; the alerts it raised.
CREATE TABLE health_reports (
  person_id uuid NOT NULL,
  placement_id uuid NOT NULL,
  id uuid NOT NULL,
  reported_at timestamptz NOT NULL,
  temperature_c numeric(3, 1) NOT NULL CHECK (temperature_c BETWEEN 30 AND 45),
  symptoms text[] NOT NULL DEFAULT '{}',
  reported_by text NOT NULL CHECK (reported_by IN ('staff', 'self')),
  recorded_by uuid,
  alerts json NOT NULL,
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (person_id, id),
  FOREIGN KEY (person_id, placement_id) REFERENCES quarantine_placements (person_id, id)
);
CREATE INDEX health_reports_placement_idx ON health_reports (person_id, placement_id, reported_at);

-- Case investigation and contact tracing (流调与密接追踪, issue 6 items 1, 2 and 4; the rules are
-- docs/capabilities/tracing-rules.md and packages/domain/src/tracing/): cases, made by hand or from a
-- positive single tube (a `nat_case_candidates` row), each with its investigation and the milestones
-- whose clocks the policy in force sets; exposures as explicit records (source, exposed person, when,
-- setting, proximity, duration); and the contacts the policy classifies from them (close, secondary,
-- general, each with the rule and the reason), going through 核 verify → 转 transfer → 检 test → 隔 isolate.
--
-- Distribution (docs/scale-out.md): cases and their investigations by person_id, co-located with the
-- person, their case candidates and their placements (a person's timeline on one shard; the case's
-- reference to its candidate is (person_id, candidate_id), co-located). Exposures and contacts by
-- case_id: everything the classification and the loop read is one case's, on one shard. Their
-- references to the case (by id), to the exposed people and to a quarantine placement are not
-- co-located and become the services' checks before scaling out (the services already read each one).
-- Lists of a jurisdiction's cases and the command's escalations fan out to all shards.

-- A case (病例): one per person (a contact who becomes a case keeps their person id, so both histories
-- are one person's).
CREATE TABLE tracing_cases (
  person_id uuid NOT NULL REFERENCES persons (id),
  id uuid NOT NULL,
  -- Where the case is investigated: the person's current region when the case was made.
  region_code text COLLATE "C" NOT NULL REFERENCES regions (code),
  classification text NOT NULL CHECK (classification IN ('suspected', 'confirmed_mild', 'confirmed_moderate',
    'confirmed_severe', 'confirmed_critical', 'asymptomatic')),
  found_by text NOT NULL CHECK (found_by IN ('screening', 'fever_clinic', 'quarantine', 'arrival', 'other')),
  source text NOT NULL CHECK (source IN ('imported', 'local', 'linked')),
  linked_case_id uuid,
  onset_date date,
  sampling_date date,
  last_negative_sampling_date date,
  -- The investigation's clocks run from the report; the contacts' loop from the confirmation.
  reported_at timestamptz NOT NULL,
  confirmed_at timestamptz,
  isolated_at timestamptz,
  -- A major outbreak (重大疫情): the contacts' loop limit is the policy's major one (72 h).
  major boolean NOT NULL DEFAULT false,
  -- Made from a positive single tube: the candidate, its tube and the lab result.
  candidate_id uuid,
  barcode text COLLATE "C",
  result_id uuid,
  status text NOT NULL CHECK (status IN ('investigating', 'closed')),
  created_by uuid,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (person_id, id),
  FOREIGN KEY (person_id, candidate_id) REFERENCES nat_case_candidates (person_id, id)
);
CREATE UNIQUE INDEX tracing_cases_id_idx ON tracing_cases (id);
-- One case per person, and a candidate is taken once.
CREATE UNIQUE INDEX tracing_cases_person_idx ON tracing_cases (person_id);
CREATE UNIQUE INDEX tracing_cases_candidate_idx ON tracing_cases (person_id, candidate_id) WHERE candidate_id IS NOT NULL;
-- A jurisdiction's cases, newest first (the list, the escalations).
CREATE INDEX tracing_cases_region_idx ON tracing_cases (region_code, reported_at DESC);
ALTER TABLE tracing_cases ADD FOREIGN KEY (linked_case_id) REFERENCES tracing_cases (id);

-- The case's investigation (流调): opened with the case, its milestones as they are recorded, who did
-- them, and the pack in force when it opened (its `tracing` block set the clocks; null: national figures).
CREATE TABLE tracing_investigations (
  person_id uuid NOT NULL,
  case_id uuid NOT NULL,
  pack_id text,
  opened_at timestamptz NOT NULL,
  opened_by uuid,
  direct_report_at timestamptz,
  direct_report_by uuid,
  on_site_at timestamptz,
  on_site_by uuid,
  preliminary_at timestamptz,
  preliminary_by uuid,
  closed_at timestamptz,
  closed_by uuid,
  PRIMARY KEY (person_id, case_id),
  FOREIGN KEY (person_id, case_id) REFERENCES tracing_cases (person_id, id)
);

-- An exposure: who (source) exposed whom, when, for how long, where and how near. The source is the
-- case's person or one of its close contacts (their exposures make secondary contacts). Kept with the
-- flags `checkExposure` raised (before the look-back window, after the source's isolation); refused
-- ones are never stored.
CREATE TABLE tracing_exposures (
  case_id uuid NOT NULL REFERENCES tracing_cases (id),
  id uuid NOT NULL,
  source_person_id uuid NOT NULL REFERENCES persons (id),
  exposed_person_id uuid NOT NULL REFERENCES persons (id),
  at timestamptz NOT NULL,
  -- at + duration (at when the duration is unknown).
  until timestamptz NOT NULL,
  duration_minutes double precision CHECK (duration_minutes >= 0),
  setting text NOT NULL,
  proximity text NOT NULL,
  enclosed boolean,
  protected boolean NOT NULL,
  judged_close boolean NOT NULL,
  -- Where the exposed person lives or is now (decides an assist request); null = unknown.
  exposed_region_code text COLLATE "C",
  place text NOT NULL DEFAULT '',
  flags json NOT NULL,
  recorded_by uuid,
  recorded_at timestamptz NOT NULL,
  PRIMARY KEY (case_id, id),
  CHECK (source_person_id <> exposed_person_id)
);
CREATE INDEX tracing_exposures_source_idx ON tracing_exposures (case_id, source_person_id, at);

-- A contact of a case as the policy classified them, once per person and case, in their highest
-- category, with the rule and the reason; through the four steps 核转检隔, each with its time and who.
CREATE TABLE tracing_contacts (
  case_id uuid NOT NULL REFERENCES tracing_cases (id),
  id uuid NOT NULL,
  person_id uuid NOT NULL REFERENCES persons (id),
  kind text NOT NULL CHECK (kind IN ('close', 'secondary', 'general')),
  -- The rule that matched (close, secondary), or null for a general contact; the sentence shown.
  rule_id text,
  rule json,
  explanation json NOT NULL,
  -- The case's person (close, general) or the close contact (secondary) they were exposed to.
  via_person_id uuid NOT NULL,
  exposure_ids uuid[] NOT NULL,
  first_exposure_at timestamptz NOT NULL,
  last_exposure_at timestamptz NOT NULL,
  region_code text COLLATE "C",
  -- Lives outside the classifier's jurisdiction: forwarded as an assist request (协查).
  assist boolean NOT NULL,
  jurisdiction text COLLATE "C" NOT NULL,
  classified_at timestamptz NOT NULL,
  classified_by uuid,
  verified_at timestamptz,
  verified_by uuid,
  transferred_at timestamptz,
  transferred_by uuid,
  tested_at timestamptz,
  tested_by uuid,
  isolated_at timestamptz,
  isolated_by uuid,
  -- The quarantine placement the isolate step was linked to (the person's own).
  placement_id uuid REFERENCES quarantine_placements (id),
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (case_id, id),
  UNIQUE (case_id, person_id)
);
CREATE UNIQUE INDEX tracing_contacts_id_idx ON tracing_contacts (id);
-- A person's contact records across cases (a contact who becomes a case keeps both histories).
CREATE INDEX tracing_contacts_person_idx ON tracing_contacts (person_id);

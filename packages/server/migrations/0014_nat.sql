-- Nucleic acid testing (核酸检测, issue 5; docs/capabilities/nat.md): sampling points and their desks,
-- screening campaigns over regions with their rounds, pooled tubes (混采) and the swabs in them, lab
-- results as received, and what a result does: a negative tube closes its members' tests, a positive
-- single tube makes a case candidate, a positive pool puts every member on a recall list for a
-- single-tube retest. The rules (pool sizes by zone, deadlines, recall grouping) are the domain's
-- (packages/domain/src/nat/), with the numbers of the policy pack in force.
--
-- Distribution (docs/scale-out.md): sampling points, campaigns and rounds are small reference tables;
-- tubes and lab results by barcode (a tube and its results on one shard: every scan and every result
-- finds its tube by barcode); swabs, case candidates and recall entries by person_id, co-located with
-- the person (a person once per round is the swabs' primary key). A tube's members are read by barcode
-- from the swabs, which fans out to all shards (an index on tube_barcode on each); the swabs' foreign
-- key to the tubes is not co-located and becomes the sampling service's check before scaling out.

-- A place where swabs are taken (核酸采样点), with its desks (采样台) and opening hours.
-- Reference table: thousands per city at most (Xi'an 2021-12: 5,077 points).
CREATE TABLE nat_sampling_points (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  address text NOT NULL,
  region_code text COLLATE "C" NOT NULL REFERENCES regions (code),
  -- Opening hours as posted ("08:00-20:00", "24小时").
  hours text NOT NULL,
  desks integer NOT NULL CHECK (desks >= 1),
  capacity_per_hour integer NOT NULL CHECK (capacity_per_hour >= 1),
  created_by uuid,
  created_at timestamptz NOT NULL
);
CREATE INDEX nat_sampling_points_region_idx ON nat_sampling_points (region_code);

-- An area-wide screening campaign (区域核酸 / 全员核酸) over chosen regions. The deadline of each round
-- is the policy's (`campaignDeadline`) for the campaign's kind and target population; reference table.
CREATE TABLE nat_campaigns (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('designated_area', 'whole_population')),
  region_codes text[] NOT NULL CHECK (cardinality(region_codes) >= 1),
  -- The registry's population under the regions when the campaign was created (the deadline's basis).
  population integer NOT NULL CHECK (population >= 0),
  starts_at timestamptz NOT NULL,
  deadline_hours double precision NOT NULL,
  -- The first round's deadline, and why (the policy's sentence).
  deadline_at timestamptz NOT NULL,
  deadline_reason json NOT NULL,
  interval_days integer NOT NULL CHECK (interval_days >= 1),
  rounds integer NOT NULL CHECK (rounds >= 1),
  -- The pack whose `nat` block decided (null: no pack in force, national figures).
  pack_id text,
  notes json NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL
);

-- One round of a campaign: sampling from starts_at, every result due by deadline_at. Reference table.
CREATE TABLE nat_rounds (
  id uuid PRIMARY KEY,
  campaign_id uuid NOT NULL REFERENCES nat_campaigns (id),
  number integer NOT NULL CHECK (number >= 1),
  starts_at timestamptz NOT NULL,
  deadline_at timestamptz NOT NULL,
  -- The round's Beijing calendar window (`roundWindows`).
  window_from date NOT NULL,
  window_to date NOT NULL,
  UNIQUE (campaign_id, number)
);

-- A tube (采样管) by its printed barcode: opened at a desk for a round, filled, sealed. Distributed by
-- barcode; a barcode is used once, ever.
CREATE TABLE nat_tubes (
  barcode text COLLATE "C" PRIMARY KEY,
  round_id uuid NOT NULL REFERENCES nat_rounds (id),
  sampling_point_id uuid NOT NULL REFERENCES nat_sampling_points (id),
  -- The sampling point's region: access and jurisdiction checks read it without a join.
  region_code text COLLATE "C" NOT NULL,
  size integer NOT NULL CHECK (size IN (1, 5, 10, 20)),
  mode text NOT NULL CHECK (mode IN ('pool', 'household')),
  -- 'retest': a single tube for a member of a positive pool (单管复核), taken in the same round.
  purpose text NOT NULL DEFAULT 'screening' CHECK (purpose IN ('screening', 'retest')),
  -- For a household tube (一户一管): the household, set by the first member.
  household_key text,
  opened_at timestamptz NOT NULL,
  opened_by uuid,
  sealed_at timestamptz,
  sealed_by uuid
);
CREATE INDEX nat_tubes_round_idx ON nat_tubes (round_id);

-- A person's swab in a tube: a person once per round (the key), and once more in a retest tube when
-- their pool was positive. Distributed by person_id.
CREATE TABLE nat_swabs (
  person_id uuid NOT NULL REFERENCES persons (id),
  round_id uuid NOT NULL REFERENCES nat_rounds (id),
  tube_barcode text COLLATE "C" NOT NULL REFERENCES nat_tubes (barcode),
  household_id uuid,
  -- The person's address region when sampled: coverage by region counts here.
  region_code text COLLATE "C" NOT NULL,
  sampled_at timestamptz NOT NULL,
  sampled_by uuid,
  -- What the tube's result did to this test: negative (closed), positive (single tube: case candidate),
  -- pool_positive (recalled for a single-tube retest); null while pending.
  result text CHECK (result IN ('negative', 'positive', 'pool_positive')),
  closed_at timestamptz,
  retest boolean NOT NULL DEFAULT false,
  PRIMARY KEY (person_id, round_id, retest)
);
CREATE INDEX nat_swabs_tube_idx ON nat_swabs (tube_barcode);
CREATE INDEX nat_swabs_round_region_idx ON nat_swabs (round_id, region_code);

-- Lab results as received. One row per distinct result for a tube: the accepted one ('recorded', or
-- 'late' when received after the round's deadline) and any different result sent later ('conflict',
-- kept with the raw row for review). The same result again ('unchanged') is reported, never stored:
-- (barcode, fingerprint) is unique. Distributed by barcode, with its tube.
CREATE TABLE nat_lab_results (
  barcode text COLLATE "C" NOT NULL REFERENCES nat_tubes (barcode),
  id uuid NOT NULL,
  result text NOT NULL CHECK (result IN ('negative', 'positive')),
  ct_orf1ab double precision,
  ct_n double precision,
  tested_at timestamptz NOT NULL,
  lab text NOT NULL,
  received_at timestamptz NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('recorded', 'late', 'conflict')),
  -- result|ct_orf1ab|ct_n|tested_at|lab: what makes two results the same.
  fingerprint text NOT NULL,
  -- Where the Ct values and the call seem not to agree (`checkLabResult`'s notes).
  notes json NOT NULL,
  -- For a conflict: the row as sent, and which fields differ from the recorded result.
  raw json,
  received_by uuid,
  batch_id uuid NOT NULL,
  PRIMARY KEY (barcode, id),
  UNIQUE (barcode, fingerprint)
);
-- One accepted result per tube.
CREATE UNIQUE INDEX nat_lab_results_accepted_idx ON nat_lab_results (barcode) WHERE outcome IN ('recorded', 'late');

-- A positive single tube: its person, for investigation (流调) until tracing lands (issue 6).
-- Distributed by person_id.
CREATE TABLE nat_case_candidates (
  person_id uuid NOT NULL REFERENCES persons (id),
  id uuid NOT NULL,
  barcode text COLLATE "C" NOT NULL,
  round_id uuid NOT NULL REFERENCES nat_rounds (id),
  result_id uuid NOT NULL,
  ct_orf1ab double precision,
  ct_n double precision,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (person_id, id),
  UNIQUE (person_id, barcode)
);

-- A member of a positive pool to retest in a single tube (单管复核), isolated in place until then.
-- Distributed by person_id.
CREATE TABLE nat_recalls (
  person_id uuid NOT NULL REFERENCES persons (id),
  id uuid NOT NULL,
  barcode text COLLATE "C" NOT NULL,
  round_id uuid NOT NULL REFERENCES nat_rounds (id),
  campaign_id uuid NOT NULL,
  -- The community of the person's address (`communityOf`), null when it has no community code.
  community_code text COLLATE "C",
  address_code text COLLATE "C",
  deadline_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  -- The retest: the single tube and its result, when it is back.
  retest_barcode text COLLATE "C",
  retest_result text CHECK (retest_result IN ('negative', 'positive')),
  retest_at timestamptz,
  PRIMARY KEY (person_id, id),
  UNIQUE (person_id, barcode)
);
CREATE INDEX nat_recalls_campaign_idx ON nat_recalls (campaign_id, community_code);

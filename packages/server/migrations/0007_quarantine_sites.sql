-- Quarantine sites (集中隔离点, 定点医院, 居家隔离 per community) and their rooms (issue 4).
-- Distribution (docs/scale-out.md): quarantine_sites is a reference table (hundreds to a few thousand
-- sites, read with every capacity and occupancy view); quarantine_rooms is distributed by site_id, so
-- a site's rooms, their bulk creation and its occupancy counts stay on one shard; its keys contain
-- site_id.

CREATE TABLE quarantine_sites (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('centralized', 'designated_hospital', 'home')),
  name text NOT NULL,
  address text,
  -- A county or below; a home-quarantine site is exactly one community.
  region_code text COLLATE "C" NOT NULL REFERENCES regions (code),
  -- 备用: prepared in advance, counted apart from the sites in use.
  reserve boolean NOT NULL DEFAULT false,
  capacity_note text,
  created_by uuid,
  created_at timestamptz NOT NULL,
  updated_by uuid,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 1,
  CHECK (kind <> 'home' OR NOT reserve)
);
CREATE INDEX quarantine_sites_region_idx ON quarantine_sites (region_code);
-- Home quarantine is one site per community.
CREATE UNIQUE INDEX quarantine_sites_home_idx ON quarantine_sites (region_code) WHERE kind = 'home';

CREATE TABLE quarantine_rooms (
  site_id uuid NOT NULL REFERENCES quarantine_sites (id),
  id uuid NOT NULL,
  number text COLLATE "C" NOT NULL,
  type text NOT NULL CHECK (type IN ('single', 'double', 'family', 'accessible', 'negative_pressure')),
  state text NOT NULL CHECK (state IN ('free', 'occupied', 'cleaning', 'out_of_service')),
  state_reason text,
  state_changed_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (site_id, id),
  UNIQUE (site_id, number)
);

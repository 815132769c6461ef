-- Venues and check-in (场所码与扫码登记, issue 7 items 4, 5 and 7): registered venues with a printable
-- venue code, the gate devices that scan people's codes at their doors, and the scans themselves (a
-- person's check-in at a venue at a time), kept for tracing (co-presence, itineraries) and purged after
-- the policy's retention (HealthCodePolicy.scans.retentionDays, 30 days by default).
-- How ingestion works at the peak (group commit, idempotent batches, load shedding):
-- docs/capabilities/venues.md.
--
-- Distribution (docs/scale-out.md):
-- - venues: reference table (thousands to a few hundred thousand per city; read by every check-in and
--   by co-presence).
-- - venue_devices: reference table (a few per venue; read inside every gate upload's statement).
-- - venue_device_keys: reference table (one row: the secret the device tokens are signed with).
-- - venue_scans: distributed by venue_id (co-presence reads one venue's scans over a time window, on one
--   shard); its primary key (venue_id, at, id) contains both the distribution and the partition column.
--   A person's itinerary (index on (person_id, at)) fans out to all shards.
-- - venue_scan_batches: distributed by device_id (a device's uploads, looked up by (device_id, seq)).
--   Scans and their batch are written by one statement: on Citus, a distributed transaction.

CREATE TABLE venues (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (length(btrim(name)) > 0),
  -- VENUE_KINDS of packages/server/src/venues/venue.service.ts (restaurant, mall, market, …).
  kind text NOT NULL,
  region_code text COLLATE "C" NOT NULL REFERENCES regions (code),
  address text NOT NULL,
  capacity integer CHECK (capacity IS NULL OR capacity > 0),
  lat double precision CHECK (lat IS NULL OR lat BETWEEN -90 AND 90),
  lon double precision CHECK (lon IS NULL OR lon BETWEEN -180 AND 180),
  -- An inactive venue (closed, sealed) takes no check-ins; its scans stay.
  active boolean NOT NULL DEFAULT true,
  created_by uuid,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 1
);
CREATE INDEX venues_region_idx ON venues (region_code, name);

-- The secret gate-device tokens are signed with (HMAC-SHA256): made once by the first server to start,
-- loaded by every API process at start, so any process verifies any device's token with no database read.
CREATE TABLE venue_device_keys (
  id integer PRIMARY KEY CHECK (id = 1),
  secret bytea NOT NULL CHECK (octet_length(secret) = 32),
  created_at timestamptz NOT NULL
);

-- A venue's gate device (a phone or scanner at the door). Its token is shown once, when it is registered;
-- a revoked device's uploads are refused (checked inside the upload's one statement).
CREATE TABLE venue_devices (
  id uuid PRIMARY KEY,
  venue_id uuid NOT NULL REFERENCES venues (id),
  name text NOT NULL CHECK (length(btrim(name)) > 0),
  created_by uuid,
  created_at timestamptz NOT NULL,
  revoked_by uuid,
  revoked_at timestamptz
);
CREATE INDEX venue_devices_venue_idx ON venue_devices (venue_id);

-- Check-ins: a person at a venue at `at` (device time corrected for the device's clock skew), either by
-- scanning the venue's code with their phone ('self') or by a gate device scanning their code ('gate').
-- One partition per Beijing day (venue_scans_pYYYYMMDD, covering [00:00, 24:00) +08:00), created ahead by
-- the server (packages/server/src/venues/scan-partitions.ts); retention drops whole partitions.
-- No foreign keys: written at the peak by one multi-row statement, and venue_id / person_id come from
-- the joins that statement makes (venue_devices, health_codes), so they exist when written.
CREATE TABLE venue_scans (
  venue_id uuid NOT NULL,
  id uuid NOT NULL,
  person_id uuid NOT NULL,
  at timestamptz NOT NULL,
  way text NOT NULL CHECK (way IN ('self', 'gate')),
  -- The colour the gate (or the server, for a self check-in) saw, and the vaccination byte of the code.
  colour text NOT NULL CHECK (colour IN ('green', 'yellow', 'red', 'grey')),
  vaccination smallint,
  temperature real,
  decision text NOT NULL CHECK (decision IN ('admit', 'refuse')),
  reason text,
  device_id uuid,
  -- The gate's batch: (device_id, seq) of venue_scan_batches.
  seq bigint,
  received_at timestamptz NOT NULL,
  -- (venue_id, at) first: co-presence reads one venue's scans over a time window with it.
  PRIMARY KEY (venue_id, at, id)
) PARTITION BY RANGE (at);
CREATE INDEX venue_scans_person_at_idx ON venue_scans (person_id, at);

-- Gate uploads already stored, for idempotency: the same (device, seq) again is answered with the first
-- answer (and refused when its content differs). Purged with the scans' retention, by received_at.
CREATE TABLE venue_scan_batches (
  device_id uuid NOT NULL,
  seq bigint NOT NULL,
  -- SHA-256 of the batch as received (scans in order), hex: a reused seq with other content is refused.
  content_hash text NOT NULL,
  scans integer NOT NULL,
  accepted integer NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (device_id, seq)
);
CREATE INDEX venue_scan_batches_received_idx ON venue_scan_batches (received_at);

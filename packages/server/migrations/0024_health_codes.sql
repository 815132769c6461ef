-- Health codes (健康码, issue 7): each person's colour as the rules of the pack in force compute it, with
-- its reasons; the history of every change; manual overrides that need two users; the issuing
-- authority's Ed25519 keys; and the signals that say whose colour to compute again.
-- Rules and sources: docs/capabilities/health-code-rules.md; the signed QR format:
-- docs/capabilities/health-code-format.md; how colours follow state: docs/capabilities/health-codes.md.
--
-- Distribution (docs/scale-out.md):
-- - code_signing_keys: reference table (a handful of rows, read by every process).
-- - health_codes, health_code_changes: by person_id, with persons.
-- - health_code_overrides: by person_id (its id is unique within the person's shard).
-- - health_code_signals: a local work queue on the coordinator; under Citus the triggers below run on
--   the shards and insert into it through the coordinator (a small row per statement and key).

CREATE TABLE code_signing_keys (
  kid integer PRIMARY KEY CHECK (kid > 0),
  -- The raw 32-byte Ed25519 public key, as published (base64url) at GET /api/codes/keys.
  public_key bytea NOT NULL CHECK (octet_length(public_key) = 32),
  -- PKCS#8 DER. Only the API processes read it; it is never returned by any endpoint.
  private_key bytea NOT NULL,
  created_at timestamptz NOT NULL,
  created_by uuid,
  -- Signs new codes from this time until retired (the newest active key signs).
  active_from timestamptz NOT NULL,
  -- Signs nothing after this; stays published until its last code has expired.
  retired_at timestamptz
);

CREATE TABLE health_codes (
  person_id uuid PRIMARY KEY REFERENCES persons (id),
  -- The pseudonymous reference in the QR payload: 16 random bytes, not derived from identity.
  ref bytea NOT NULL UNIQUE CHECK (octet_length(ref) = 16),
  colour text NOT NULL CHECK (colour IN ('green', 'yellow', 'red', 'grey')),
  -- When the current colour began.
  since timestamptz NOT NULL,
  -- The reasons the rules gave, as shown to the person (ColourReason[] of packages/domain/src/codes/colour.ts).
  reasons json NOT NULL,
  pack_id text,
  computed_at timestamptz NOT NULL,
  -- When the colour may change with no new event (a monitoring period ends, an override expires, a
  -- routine test falls due): the worker computes it again then.
  recheck_at timestamptz,
  -- The last change to a more restrictive colour: codes issued before it are on the revocation list.
  downgraded_at timestamptz,
  version integer NOT NULL DEFAULT 1
);
CREATE INDEX health_codes_recheck_idx ON health_codes (recheck_at) WHERE recheck_at IS NOT NULL;
CREATE INDEX health_codes_downgraded_idx ON health_codes (downgraded_at) WHERE downgraded_at IS NOT NULL;
-- People whose colour is not green: the few whose colour a negative result can change.
CREATE INDEX health_codes_not_green_idx ON health_codes (person_id) WHERE colour <> 'green';

-- Every change of colour, with the reasons and what caused the computation: no colour changes without
-- a rule (or an approved override) and a trace.
CREATE TABLE health_code_changes (
  person_id uuid NOT NULL,
  id uuid NOT NULL,
  at timestamptz NOT NULL,
  from_colour text,
  to_colour text NOT NULL,
  reasons json NOT NULL,
  -- 'first' (first computation), 'signal:<kinds>' (a change of state), 'recheck' (time passed),
  -- 'override' (an override approved, revoked or expired).
  cause text NOT NULL,
  pack_id text,
  PRIMARY KEY (person_id, id)
);
CREATE INDEX health_code_changes_at_idx ON health_code_changes (at);

-- A colour set by hand (人工赋码): requested with a written reason, approved by a second, different
-- user, for a limited time. One person per request: there is no bulk path.
CREATE TABLE health_code_overrides (
  id uuid PRIMARY KEY,
  person_id uuid NOT NULL REFERENCES persons (id),
  colour text NOT NULL CHECK (colour IN ('green', 'yellow', 'red')),
  reason text NOT NULL CHECK (length(btrim(reason)) > 0),
  hours integer NOT NULL CHECK (hours > 0),
  region_code text COLLATE "C" NOT NULL,
  requested_by uuid NOT NULL,
  requested_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'revoked', 'withdrawn')),
  decided_by uuid,
  decided_at timestamptz,
  decision_note text,
  -- Set on approval: decided_at + hours.
  expires_at timestamptz,
  revoked_by uuid,
  revoked_at timestamptz,
  revoke_reason text,
  -- The two-user rule, in the database too.
  CHECK (decided_by IS NULL OR decided_by <> requested_by),
  CHECK (status <> 'approved' OR (decided_by IS NOT NULL AND expires_at IS NOT NULL)),
  CHECK (status <> 'revoked' OR (revoked_by IS NOT NULL AND revoked_at IS NOT NULL))
);
-- One open request per person.
CREATE UNIQUE INDEX health_code_overrides_pending_idx ON health_code_overrides (person_id) WHERE status = 'pending';
CREATE INDEX health_code_overrides_person_idx ON health_code_overrides (person_id, requested_at DESC);
CREATE INDEX health_code_overrides_report_idx ON health_code_overrides (region_code, requested_at DESC);

-- Whose colour to compute again: written by statement-level triggers on the tables the colour is
-- computed from, in the same transaction as the change; taken by the worker (FOR UPDATE SKIP LOCKED,
-- so several API processes share it) and deleted in the transaction that stores the new colours.
CREATE TABLE health_code_signals (
  id bigserial PRIMARY KEY,
  -- 'person' (key: person id), 'tube' (key: a tube's barcode with a lab result), 'region' (key: a region
  -- code whose designations changed: everyone living inside it).
  kind text NOT NULL CHECK (kind IN ('person', 'tube', 'region')),
  key text NOT NULL,
  source text NOT NULL,
  at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION health_code_signal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'nat_lab_results' THEN
    INSERT INTO health_code_signals (kind, key, source)
    SELECT DISTINCT 'tube', barcode, TG_TABLE_NAME FROM hc_new WHERE outcome IN ('recorded', 'late');
  ELSIF TG_TABLE_NAME = 'area_designations' THEN
    INSERT INTO health_code_signals (kind, key, source)
    SELECT DISTINCT 'region', region_code, TG_TABLE_NAME FROM hc_new;
  ELSIF TG_TABLE_NAME = 'persons' THEN
    INSERT INTO health_code_signals (kind, key, source)
    SELECT 'person', n.id::text, TG_TABLE_NAME FROM hc_new n JOIN hc_old o ON o.id = n.id
    WHERE n.current_region_code IS DISTINCT FROM o.current_region_code;
  ELSE
    INSERT INTO health_code_signals (kind, key, source)
    SELECT DISTINCT 'person', person_id::text, TG_TABLE_NAME FROM hc_new;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER health_code_signal_insert AFTER INSERT ON nat_lab_results
  REFERENCING NEW TABLE AS hc_new FOR EACH STATEMENT EXECUTE FUNCTION health_code_signal();
CREATE TRIGGER health_code_signal_insert AFTER INSERT ON nat_recalls
  REFERENCING NEW TABLE AS hc_new FOR EACH STATEMENT EXECUTE FUNCTION health_code_signal();
CREATE TRIGGER health_code_signal_update AFTER UPDATE ON nat_recalls
  REFERENCING NEW TABLE AS hc_new FOR EACH STATEMENT EXECUTE FUNCTION health_code_signal();
CREATE TRIGGER health_code_signal_insert AFTER INSERT ON tracing_cases
  REFERENCING NEW TABLE AS hc_new FOR EACH STATEMENT EXECUTE FUNCTION health_code_signal();
CREATE TRIGGER health_code_signal_update AFTER UPDATE ON tracing_cases
  REFERENCING NEW TABLE AS hc_new FOR EACH STATEMENT EXECUTE FUNCTION health_code_signal();
CREATE TRIGGER health_code_signal_insert AFTER INSERT ON tracing_contacts
  REFERENCING NEW TABLE AS hc_new FOR EACH STATEMENT EXECUTE FUNCTION health_code_signal();
CREATE TRIGGER health_code_signal_update AFTER UPDATE ON tracing_contacts
  REFERENCING NEW TABLE AS hc_new FOR EACH STATEMENT EXECUTE FUNCTION health_code_signal();
CREATE TRIGGER health_code_signal_insert AFTER INSERT ON quarantine_placements
  REFERENCING NEW TABLE AS hc_new FOR EACH STATEMENT EXECUTE FUNCTION health_code_signal();
CREATE TRIGGER health_code_signal_update AFTER UPDATE ON quarantine_placements
  REFERENCING NEW TABLE AS hc_new FOR EACH STATEMENT EXECUTE FUNCTION health_code_signal();
CREATE TRIGGER health_code_signal_insert AFTER INSERT ON area_designations
  REFERENCING NEW TABLE AS hc_new FOR EACH STATEMENT EXECUTE FUNCTION health_code_signal();
CREATE TRIGGER health_code_signal_update AFTER UPDATE ON area_designations
  REFERENCING NEW TABLE AS hc_new FOR EACH STATEMENT EXECUTE FUNCTION health_code_signal();
CREATE TRIGGER health_code_signal_update AFTER UPDATE ON persons
  REFERENCING OLD TABLE AS hc_old NEW TABLE AS hc_new FOR EACH STATEMENT EXECUTE FUNCTION health_code_signal();
CREATE TRIGGER health_code_signal_insert AFTER INSERT ON health_code_overrides
  REFERENCING NEW TABLE AS hc_new FOR EACH STATEMENT EXECUTE FUNCTION health_code_signal();
CREATE TRIGGER health_code_signal_update AFTER UPDATE ON health_code_overrides
  REFERENCING NEW TABLE AS hc_new FOR EACH STATEMENT EXECUTE FUNCTION health_code_signal();

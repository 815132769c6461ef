-- Cordon foundation: regions, grids and responsibility, people and households, accounts, sessions, audit.
-- Distribution columns for a Citus scale-out are named in docs/scale-out.md.

CREATE TABLE regions (
  code text COLLATE "C" PRIMARY KEY,
  parent_code text COLLATE "C" REFERENCES regions (code),
  level text NOT NULL CHECK (level IN ('country', 'province', 'city', 'county', 'township', 'community', 'grid')),
  name text NOT NULL,
  population integer CHECK (population IS NULL OR population >= 0),
  population_source text CHECK (population_source IN ('census2020', 'estimate')),
  population_note text,
  source text NOT NULL
);
CREATE INDEX regions_parent_idx ON regions (parent_code);
CREATE INDEX regions_name_idx ON regions (name);

-- Who answers for a region or grid: 市包县、县包乡、乡包村、村包户 (seed 003).
CREATE TABLE region_responsibles (
  id uuid PRIMARY KEY,
  region_code text NOT NULL REFERENCES regions (code),
  name text NOT NULL,
  title text NOT NULL,
  phone text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX region_responsibles_region_idx ON region_responsibles (region_code);

CREATE TABLE households (
  id uuid PRIMARY KEY,
  region_code text COLLATE "C" NOT NULL REFERENCES regions (code),
  address text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX households_region_idx ON households (region_code);

CREATE TABLE persons (
  id uuid PRIMARY KEY,
  name text COLLATE "C" NOT NULL,
  name_initials text COLLATE "C" NOT NULL,
  name_pinyin text COLLATE "C" NOT NULL,
  document_type text NOT NULL CHECK (document_type IN ('resident_id', 'passport', 'hk_mo_permit', 'tw_permit')),
  document_number text COLLATE "C" NOT NULL,
  birth_date date NOT NULL,
  sex text NOT NULL CHECK (sex IN ('male', 'female')),
  nationality text NOT NULL,
  phone text COLLATE "C" NOT NULL,
  household_region_code text,
  current_region_code text COLLATE "C" NOT NULL REFERENCES regions (code),
  current_address text NOT NULL,
  household_id uuid REFERENCES households (id),
  household_relation text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 1
);
-- Every text key is in the C collation, so one btree serves both prefix search (LIKE 'x%') and ordering.
CREATE INDEX persons_region_pinyin_idx ON persons (current_region_code, name_pinyin, id);
CREATE INDEX persons_pinyin_idx ON persons (name_pinyin, id);
CREATE INDEX persons_created_idx ON persons (created_at, id);
CREATE INDEX persons_name_idx ON persons (name);
CREATE INDEX persons_initials_idx ON persons (name_initials);
CREATE INDEX persons_docrev_idx ON persons ((reverse(document_number) COLLATE "C"));
CREATE INDEX persons_phone_idx ON persons (phone);
CREATE INDEX persons_phonerev_idx ON persons ((reverse(phone) COLLATE "C"));
CREATE INDEX persons_household_idx ON persons (household_id);

-- One person per document: the lookup that keeps "same ID number = same person" true even when
-- persons are sharded by id (it is sharded by document_number itself).
CREATE TABLE person_documents (
  document_type text NOT NULL,
  document_number text COLLATE "C" NOT NULL,
  person_id uuid NOT NULL REFERENCES persons (id) DEFERRABLE INITIALLY DEFERRED,
  PRIMARY KEY (document_number, document_type)
);
CREATE INDEX person_documents_person_idx ON person_documents (person_id);

CREATE TABLE users (
  id uuid PRIMARY KEY,
  username text NOT NULL UNIQUE,
  display_name text NOT NULL,
  role text NOT NULL CHECK (role IN ('administrator', 'command', 'investigator', 'grid_worker', 'quarantine_staff',
    'lab', 'venue', 'school', 'cold_chain', 'citizen')),
  jurisdiction_code text COLLATE "C" NOT NULL REFERENCES regions (code),
  person_id uuid REFERENCES persons (id),
  password_hash text NOT NULL,
  failed_attempts integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  disabled boolean NOT NULL DEFAULT false,
  language text NOT NULL DEFAULT 'zh-CN' CHECK (language IN ('zh-CN', 'en')),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Append-only: who, when, what, before -> after, for every write and every full-PII read.
CREATE TABLE audit_log (
  id uuid PRIMARY KEY,
  at timestamptz NOT NULL,
  actor_id uuid,
  actor_username text,
  actor_role text,
  action text NOT NULL,
  entity_type text NOT NULL,
  entity_id text,
  region_code text COLLATE "C",
  before jsonb,
  after jsonb,
  ip text
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, at DESC);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at DESC);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

INSERT INTO regions (code, parent_code, level, name, source) VALUES ('000000', NULL, 'country', '中华人民共和国', 'GB/T 2260');

-- Facts about this installation (e.g. that it holds synthetic demo data, so the UI can say so).
CREATE TABLE app_meta (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Assist lists (协查名单): a list pushed by another region or by big data, and its rows, each matched to
-- the registry and ending as controlled, not found or forwarded before the list's deadline.
-- Distribution (docs/scale-out.md): by list id, not by region. assist_lists is distributed by id and
-- assist_rows by list_id, co-located: a list is imported, matched, deduplicated and counted as one
-- unit (one shard, one transaction), and merged_into points inside the same list. Distributing by the
-- rows' region would spread one import over every shard and make duplicate merging a cross-shard
-- job; the per-region views (overdue per child region) are scans of open rows, which Citus runs on
-- all shards in parallel. Matching joins persons/person_documents (distributed by id/document number),
-- a repartition join on Citus.
-- persons already has persons_phone_idx (phone) and persons_name_idx (name), which serve the
-- name + phone match (one phone is one or a few people), so no new index on persons.

CREATE TABLE assist_lists (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  source text NOT NULL,
  region_code text COLLATE "C" NOT NULL REFERENCES regions (code),
  file_name text,
  received_at timestamptz NOT NULL,
  deadline_at timestamptz NOT NULL,
  imported_by uuid NOT NULL,
  imported_by_name text NOT NULL
);
CREATE INDEX assist_lists_region_received_idx ON assist_lists (region_code, received_at DESC);

-- No foreign key from the rows to their list: rows are written only by the import, in the transaction
-- that writes their list, and the per-row check cost a tenth of a 100,000-row import.
CREATE TABLE assist_rows (
  list_id uuid NOT NULL,
  id uuid NOT NULL,
  row_number integer NOT NULL,
  name text COLLATE "C" NOT NULL,
  document_number text COLLATE "C",
  phone text COLLATE "C",
  reason text,
  address text,
  -- The region code the sender believes the person is in.
  region_hint text COLLATE "C",
  extra jsonb NOT NULL DEFAULT '{}',
  state text NOT NULL CHECK (state IN ('ambiguous', 'unmatched', 'dispatched', 'merged', 'controlled',
    'not_found', 'forwarded')),
  person_id uuid,
  -- Who answers for the row (a community, usually); null: the list's own region.
  region_code text COLLATE "C",
  candidates uuid[],
  merged_into uuid,
  outcome_at timestamptz,
  outcome_by text,
  outcome_reason text,
  forwarded_to text COLLATE "C",
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 1,
  PRIMARY KEY (list_id, id)
);
CREATE UNIQUE INDEX assist_rows_row_number_idx ON assist_rows (list_id, row_number);
-- The command's view: open rows by the region they are assigned to.
CREATE INDEX assist_rows_open_region_idx ON assist_rows (region_code)
  WHERE state NOT IN ('controlled', 'not_found', 'forwarded');

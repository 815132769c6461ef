-- Transmission chains over the database's cases (传播链, issue 6 item 5; the rules are
-- docs/capabilities/tracing-rules.md "Chains over the database" and packages/domain/src/tracing/chains.ts):
-- each case's cluster, generation and secondary cases, the links between cases that made them, and each
-- cluster's size and depth, as the last recompute (POST /api/tracing/chains/recompute) left them, so the
-- cluster list and a cluster's graph are read by index instead of recomputed. A recompute rewrites the
-- three derived tables in one transaction (TRUNCATE, then COPY), one at a time, and records itself in
-- tracing_chain_runs. Nothing here is entered by hand: every row can be computed again from tracing_cases
-- and tracing_exposures.
--
-- Distribution (docs/scale-out.md): tracing_case_chains, tracing_chain_links and tracing_chain_clusters by
-- cluster_id, co-located: a cluster's members, links and summary on one shard, so its graph is one
-- shard's read; the cluster list (ordered by size) fans out to all shards. Their references to the cases
-- are by case id, not foreign keys (the tables are derived and rewritten whole; tracing_cases is
-- distributed by person_id); joining them to tracing_cases is a repartition join. tracing_chain_runs is a
-- reference table (a row per recompute).

-- A recompute: when, by whom, what it found, how long it took, and the newest change it saw (whether
-- the stored chains are stale is a comparison with these, see chain.repository.ts).
CREATE TABLE tracing_chain_runs (
  id uuid PRIMARY KEY,
  computed_at timestamptz NOT NULL,
  computed_by uuid,
  cases integer NOT NULL,
  links integer NOT NULL,
  -- Clusters of two or more cases, and cases without any link.
  clusters integer NOT NULL,
  isolated_cases integer NOT NULL,
  duration_ms integer NOT NULL,
  -- The newest case (ids are UUIDv7: a new case has a larger id), the newest change to a case and the
  -- newest exposure the recompute saw.
  cases_max_id uuid,
  cases_max_updated_at timestamptz,
  exposures_max_recorded_at timestamptz
);
CREATE INDEX tracing_chain_runs_at_idx ON tracing_chain_runs (computed_at DESC, id DESC);

-- Each case's place in the chains. cluster_id: the smallest case id of the cluster (a case with no link
-- is a cluster of one, its own id). generation: null when only a cycle of links reaches the case.
-- in_cycle: on a cycle of infector links or downstream of one.
CREATE TABLE tracing_case_chains (
  cluster_id uuid NOT NULL,
  case_id uuid NOT NULL,
  generation integer,
  secondary_cases integer NOT NULL,
  in_cycle boolean NOT NULL,
  PRIMARY KEY (cluster_id, case_id)
);
-- A case's cluster (the list's search and jurisdiction filter go from cases to clusters).
CREATE INDEX tracing_case_chains_case_idx ON tracing_case_chains (case_id);

-- The links between cases (infector → infectee), one per pair: 'exposure' when an exposure recorded on
-- the infector's case names the infectee's person (setting and time of the earliest such exposure),
-- else 'linked' (the infectee's linked_case_id); `linked` says whether linked_case_id names it too.
CREATE TABLE tracing_chain_links (
  cluster_id uuid NOT NULL,
  infector_case_id uuid NOT NULL,
  infectee_case_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('linked', 'exposure')),
  linked boolean NOT NULL,
  setting text,
  at timestamptz,
  PRIMARY KEY (cluster_id, infector_case_id, infectee_case_id)
);

-- Each cluster's size and depth (the list is ordered by size, largest first); clusters of two or more
-- cases only (a case with no link has its own id as cluster_id in tracing_case_chains, and no row here).
CREATE TABLE tracing_chain_clusters (
  cluster_id uuid PRIMARY KEY,
  size integer NOT NULL,
  -- The highest generation reached.
  generations integer NOT NULL,
  index_cases integer NOT NULL
);
CREATE INDEX tracing_chain_clusters_size_idx ON tracing_chain_clusters (size DESC, cluster_id);

-- Whether the stored chains are stale: the newest change to a case and the newest exposure, read by
-- index on every list and graph (max() of a timestamp; the newest case by tracing_cases_id_idx).
CREATE INDEX tracing_cases_updated_idx ON tracing_cases (updated_at);
CREATE INDEX tracing_exposures_recorded_idx ON tracing_exposures (recorded_at);

/**
 * SQL of the transmission chains over the database's cases (migration 0021): the links between cases
 * read from tracing_cases and tracing_exposures, the derived tables rewritten by a recompute (COPY, in
 * the caller's transaction), and the reads of the cluster list, a cluster's graph and the analysis'
 * inputs, each by index. The rules: docs/capabilities/tracing-rules.md "Chains over the database".
 */
import { copyTextValue } from "../db/csv.ts";
import type { Queryable } from "../db/db.ts";

/** Keeps two recomputes apart (pg_try_advisory_xact_lock). */
const CHAIN_LOCK = 727021;

/** True when this transaction now holds the recompute lock; false when another recompute does. */
export async function tryChainLock(tx: Queryable): Promise<boolean> {
  const r = await tx.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(${CHAIN_LOCK}) AS ok`);
  return r.rows[0]!.ok;
}

export interface ChainCaseRow {
  id: string;
  personId: string;
  linkedCaseId: string | null;
  onsetDate: string | null;
}

/** Every case, with its person, the case it is linked to (its stated source) and its onset. */
export async function allChainCases(q: Queryable): Promise<ChainCaseRow[]> {
  const r = await q.query<ChainCaseRow>(
    `SELECT id, person_id AS "personId", linked_case_id AS "linkedCaseId", onset_date::text AS "onsetDate"
     FROM tracing_cases`,
  );
  return r.rows;
}

export interface ExposureToCaseRow {
  /** The case the exposure is recorded on, and the exposure's source. */
  caseId: string;
  sourcePersonId: string;
  /** The case of the exposed person. */
  to: string;
  setting: string;
  at: Date;
  id: string;
}

/**
 * Every exposure whose exposed person is (now) a case, with that case. The caller keeps those whose source
 * is the person of the case they are recorded on (a link X → Y) — in memory, from the cases it read: as a
 * second join, PostgreSQL takes the two conditions on the case (its id and its person) as independent,
 * expects a handful of rows and plans a nested loop over the 2,000,000 exposures of the benchmark
 * (13 s instead of 1 s, docs/benchmarks.md).
 */
export async function exposuresToCases(q: Queryable): Promise<ExposureToCaseRow[]> {
  const r = await q.query<ExposureToCaseRow>(
    `SELECT e.case_id AS "caseId", e.source_person_id AS "sourcePersonId", y.id AS "to", e.setting, e.at, e.id
     FROM tracing_exposures e JOIN tracing_cases y ON y.person_id = e.exposed_person_id`,
  );
  return r.rows;
}

/** The newest case, the newest change to a case and the newest exposure (each by an index). */
export interface SourceMarks {
  casesMaxId: string | null;
  casesMaxUpdatedAt: Date | null;
  exposuresMaxRecordedAt: Date | null;
}

export async function sourceMarks(q: Queryable): Promise<SourceMarks> {
  const r = await q.query<SourceMarks>(
    `SELECT (SELECT id FROM tracing_cases ORDER BY id DESC LIMIT 1) AS "casesMaxId",
       (SELECT max(updated_at) FROM tracing_cases) AS "casesMaxUpdatedAt",
       (SELECT max(recorded_at) FROM tracing_exposures) AS "exposuresMaxRecordedAt"`,
  );
  return r.rows[0]!;
}

export interface StoredCaseChain {
  clusterId: string;
  caseId: string;
  generation: number | null;
  secondaryCases: number;
  inCycle: boolean;
}

export interface StoredLink {
  clusterId: string;
  from: string;
  to: string;
  kind: "linked" | "exposure";
  linked: boolean;
  setting: string | null;
  at: Date | null;
}

export interface StoredCluster {
  clusterId: string;
  size: number;
  generations: number;
  indexCases: number;
}

const nullable = (v: string | number | null) => (v === null ? "\\N" : String(v));

/**
 * Replaces the stored chains with these rows: TRUNCATE, then COPY, in the caller's transaction. A reader
 * of the chains waits for the commit (TRUNCATE's lock), from here to the end of the recompute: the few
 * seconds of writing, not the reading and analysing before. DELETE would let readers see the previous
 * chains meanwhile but costs more than the COPY itself (a dead row and its index entries per row).
 */
export async function replaceChains(
  tx: Queryable,
  cases: readonly StoredCaseChain[],
  links: readonly StoredLink[],
  clusters: readonly StoredCluster[],
): Promise<void> {
  await tx.exec("TRUNCATE tracing_case_chains, tracing_chain_links, tracing_chain_clusters");
  const CHUNK = 50_000;
  for (let i = 0; i < cases.length; i += CHUNK) {
    let text = "";
    for (const c of cases.slice(i, i + CHUNK))
      text += `${c.clusterId}\t${c.caseId}\t${nullable(c.generation)}\t${c.secondaryCases}\t${c.inCycle ? "t" : "f"}\n`;
    await tx.copyText(
      "tracing_case_chains",
      ["cluster_id", "case_id", "generation", "secondary_cases", "in_cycle"],
      text,
    );
  }
  for (let i = 0; i < links.length; i += CHUNK) {
    let text = "";
    for (const l of links.slice(i, i + CHUNK))
      text += `${l.clusterId}\t${l.from}\t${l.to}\t${l.kind}\t${l.linked ? "t" : "f"}\t${copyTextValue(l.setting)}\t${l.at ? l.at.toISOString() : "\\N"}\n`;
    await tx.copyText(
      "tracing_chain_links",
      ["cluster_id", "infector_case_id", "infectee_case_id", "kind", "linked", "setting", "at"],
      text,
    );
  }
  for (let i = 0; i < clusters.length; i += CHUNK) {
    let text = "";
    for (const k of clusters.slice(i, i + CHUNK))
      text += `${k.clusterId}\t${k.size}\t${k.generations}\t${k.indexCases}\n`;
    await tx.copyText("tracing_chain_clusters", ["cluster_id", "size", "generations", "index_cases"], text);
  }
}

export interface ChainRunRow {
  id: string;
  computedAt: Date;
  computedBy: string | null;
  cases: number;
  links: number;
  clusters: number;
  isolatedCases: number;
  durationMs: number;
  casesMaxId: string | null;
  casesMaxUpdatedAt: Date | null;
  exposuresMaxRecordedAt: Date | null;
}

export async function insertChainRun(tx: Queryable, r: ChainRunRow): Promise<void> {
  await tx.query(
    `INSERT INTO tracing_chain_runs (id, computed_at, computed_by, cases, links, clusters, isolated_cases,
       duration_ms, cases_max_id, cases_max_updated_at, exposures_max_recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      r.id,
      r.computedAt,
      r.computedBy,
      r.cases,
      r.links,
      r.clusters,
      r.isolatedCases,
      r.durationMs,
      r.casesMaxId,
      r.casesMaxUpdatedAt,
      r.exposuresMaxRecordedAt,
    ],
  );
}

/** The last recompute, if any. */
export async function lastChainRun(q: Queryable): Promise<ChainRunRow | null> {
  const r = await q.query<ChainRunRow>(
    `SELECT id, computed_at AS "computedAt", computed_by AS "computedBy", cases, links, clusters,
       isolated_cases AS "isolatedCases", duration_ms AS "durationMs", cases_max_id AS "casesMaxId",
       cases_max_updated_at AS "casesMaxUpdatedAt",
       exposures_max_recorded_at AS "exposuresMaxRecordedAt"
     FROM tracing_chain_runs ORDER BY computed_at DESC, id DESC LIMIT 1`,
  );
  return r.rows[0] ?? null;
}

export interface ClusterListFilter {
  /** Region prefix of the caller's jurisdiction ("" for the whole country). */
  regionPrefix: string;
  minSize: number;
  /** A case id (exact) or part of a person's name, among the jurisdiction's cases. */
  q: string | null;
  offset: number;
  limit: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string) => UUID.test(s);

/**
 * Clusters of at least `minSize` cases with a case in the jurisdiction (and, with `q`, a case of the
 * jurisdiction matching it), largest first, a page of them and how many there are.
 */
export async function listStoredClusters(
  q: Queryable,
  f: ClusterListFilter,
): Promise<{ total: number; items: StoredCluster[] }> {
  const params: unknown[] = [f.minSize];
  let where = "k.size >= $1";
  if (f.regionPrefix !== "" || f.q !== null) {
    params.push(`${f.regionPrefix}%`);
    let match = "";
    let persons = "";
    if (f.q !== null) {
      if (isUuid(f.q)) {
        params.push(f.q.toLowerCase());
        match = ` AND c.id = $${params.length}::uuid`;
      } else {
        params.push(`%${f.q.replace(/[%_\\]/g, "\\$&")}%`);
        persons = " JOIN persons p ON p.id = c.person_id";
        match = ` AND p.name LIKE $${params.length}`;
      }
    }
    where += ` AND k.cluster_id IN (SELECT m.cluster_id FROM tracing_cases c
        JOIN tracing_case_chains m ON m.case_id = c.id${persons}
        WHERE c.region_code LIKE $2${match})`;
  }
  const n = params.length;
  const r = await q.query<StoredCluster & { total: number }>(
    `SELECT k.cluster_id AS "clusterId", k.size, k.generations, k.index_cases AS "indexCases",
       count(*) OVER ()::int AS total
     FROM tracing_chain_clusters k WHERE ${where}
     ORDER BY k.size DESC, k.cluster_id LIMIT $${n + 1} OFFSET $${n + 2}`,
    [...params, f.limit, f.offset],
  );
  let total = r.rows[0]?.total ?? 0;
  if (r.rows.length === 0 && f.offset > 0)
    // A page past the end: count without it.
    total = (
      await q.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM tracing_chain_clusters k WHERE ${where}`,
        params,
      )
    ).rows[0]!.n;
  return { total, items: r.rows.map(({ total: _, ...k }) => k) };
}

export interface ClusterDetails {
  clusterId: string;
  superspreaders: number;
  regions: string[];
  firstOnset: string | null;
  lastOnset: string | null;
  lastReportedAt: Date | null;
  /** The first three index cases (generation 0), earliest reported first. */
  indexCaseIds: string[];
}

/** What the list shows of each cluster, from its members' cases (one query for a page). */
export async function clusterDetails(
  q: Queryable,
  clusterIds: readonly string[],
  superspreaderThreshold: number,
): Promise<Map<string, ClusterDetails>> {
  if (!clusterIds.length) return new Map();
  const r = await q.query<ClusterDetails>(
    `SELECT m.cluster_id AS "clusterId",
       count(*) FILTER (WHERE m.secondary_cases >= $2)::int AS superspreaders,
       (array_agg(DISTINCT c.region_code::text ORDER BY c.region_code::text))[1:5] AS regions,
       min(c.onset_date)::text AS "firstOnset", max(c.onset_date)::text AS "lastOnset",
       max(c.reported_at) AS "lastReportedAt",
       coalesce((array_agg(c.id::text ORDER BY c.reported_at, c.id) FILTER (WHERE m.generation = 0))[1:3], '{}') AS "indexCaseIds"
     FROM tracing_case_chains m JOIN tracing_cases c ON c.id = m.case_id
     WHERE m.cluster_id = ANY($1::uuid[])
     GROUP BY m.cluster_id`,
    [clusterIds, superspreaderThreshold],
  );
  return new Map(r.rows.map((d) => [d.clusterId, d]));
}

/** The names of these cases' people. */
export async function caseNames(q: Queryable, caseIds: readonly string[]): Promise<Map<string, string>> {
  if (!caseIds.length) return new Map();
  const r = await q.query<{ id: string; name: string }>(
    `SELECT c.id, p.name FROM tracing_cases c JOIN persons p ON p.id = c.person_id WHERE c.id = ANY($1::uuid[])`,
    [[...new Set(caseIds)]],
  );
  return new Map(r.rows.map((x) => [x.id, x.name]));
}

export interface GraphNodeRow {
  caseId: string;
  personId: string;
  name: string;
  classification: string;
  generation: number | null;
  onsetDate: string | null;
  reportedAt: Date;
  regionCode: string;
  secondaryCases: number;
  inCycle: boolean;
}

/** A cluster's cases with their people (by the cluster index and the cases' and persons' keys). */
export async function clusterNodes(q: Queryable, clusterId: string): Promise<GraphNodeRow[]> {
  const r = await q.query<GraphNodeRow>(
    `SELECT m.case_id AS "caseId", c.person_id AS "personId", p.name, c.classification, m.generation,
       c.onset_date::text AS "onsetDate", c.reported_at AS "reportedAt", c.region_code AS "regionCode",
       m.secondary_cases AS "secondaryCases", m.in_cycle AS "inCycle"
     FROM tracing_case_chains m
     JOIN tracing_cases c ON c.id = m.case_id
     JOIN persons p ON p.id = c.person_id
     WHERE m.cluster_id = $1
     ORDER BY m.generation NULLS LAST, c.reported_at, m.case_id`,
    [clusterId],
  );
  return r.rows;
}

/** A cluster's links. */
export async function clusterLinks(q: Queryable, clusterId: string): Promise<StoredLink[]> {
  const r = await q.query<StoredLink>(
    `SELECT cluster_id AS "clusterId", infector_case_id AS "from", infectee_case_id AS "to", kind, linked,
       setting, at
     FROM tracing_chain_links WHERE cluster_id = $1 ORDER BY at NULLS LAST, infector_case_id, infectee_case_id`,
    [clusterId],
  );
  return r.rows;
}

/** The stored cases of a jurisdiction (as of the last recompute) with their onset. */
export async function storedCasesIn(
  q: Queryable,
  regionPrefix: string,
): Promise<{ id: string; onsetDate: string | null }[]> {
  const r = await q.query<{ id: string; onsetDate: string | null }>(
    `SELECT m.case_id AS id, c.onset_date::text AS "onsetDate"
     FROM tracing_case_chains m JOIN tracing_cases c ON c.id = m.case_id
     WHERE c.region_code LIKE $1`,
    [`${regionPrefix}%`],
  );
  return r.rows;
}

/** The stored links whose infectee is a case of the jurisdiction (the line list's infector column). */
export async function storedLinksInto(
  q: Queryable,
  regionPrefix: string,
): Promise<{ from: string; to: string }[]> {
  const r = await q.query<{ from: string; to: string }>(
    regionPrefix === ""
      ? `SELECT infector_case_id AS "from", infectee_case_id AS "to" FROM tracing_chain_links`
      : `SELECT l.infector_case_id AS "from", l.infectee_case_id AS "to"
         FROM tracing_chain_links l JOIN tracing_cases c ON c.id = l.infectee_case_id
         WHERE c.region_code LIKE $1`,
    regionPrefix === "" ? [] : [`${regionPrefix}%`],
  );
  return r.rows;
}

/** The stored cluster of each of these cases. */
export async function clustersOfCases(
  q: Queryable,
  caseIds: readonly string[],
): Promise<Map<string, string>> {
  if (!caseIds.length) return new Map();
  const r = await q.query<{ caseId: string; clusterId: string }>(
    `SELECT case_id AS "caseId", cluster_id AS "clusterId" FROM tracing_case_chains WHERE case_id = ANY($1::uuid[])`,
    [[...new Set(caseIds)]],
  );
  return new Map(r.rows.map((x) => [x.caseId, x.clusterId]));
}

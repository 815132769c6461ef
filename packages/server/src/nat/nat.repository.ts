import type { CampaignScope } from "@cordon/domain/nat/campaigns";
import type { LabCall, LabResult } from "@cordon/domain/nat/lab-results";
import type { PoolSize } from "@cordon/domain/nat/policy";
import type { Tube } from "@cordon/domain/nat/pooling";
import { subtreePrefix } from "@cordon/domain/regions/region-code";
import type { Message } from "@cordon/domain/shared/result";
import type { Db, Queryable } from "../db/db.ts";

export interface SamplingPointRow {
  id: string;
  name: string;
  address: string;
  regionCode: string;
  hours: string;
  desks: number;
  capacityPerHour: number;
  createdBy: string | null;
  createdAt: Date;
}

const POINT_COLUMNS = `id, name, address, region_code AS "regionCode", hours, desks,
  capacity_per_hour AS "capacityPerHour", created_by AS "createdBy", created_at AS "createdAt"`;

export async function insertSamplingPoint(q: Queryable, p: SamplingPointRow): Promise<void> {
  await q.query(
    `INSERT INTO nat_sampling_points (id, name, address, region_code, hours, desks, capacity_per_hour, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [p.id, p.name, p.address, p.regionCode, p.hours, p.desks, p.capacityPerHour, p.createdBy, p.createdAt],
  );
}

export async function findSamplingPoint(q: Queryable, id: string): Promise<SamplingPointRow | null> {
  return (
    (await q.query<SamplingPointRow>(`SELECT ${POINT_COLUMNS} FROM nat_sampling_points WHERE id = $1`, [id]))
      .rows[0] ?? null
  );
}

/** Sampling points inside a region's subtree, by region and name. */
export async function listSamplingPoints(q: Queryable, regionCode: string): Promise<SamplingPointRow[]> {
  return (
    await q.query<SamplingPointRow>(
      `SELECT ${POINT_COLUMNS} FROM nat_sampling_points WHERE region_code LIKE $1 ORDER BY region_code, name, id LIMIT 10000`,
      [`${subtreePrefix(regionCode)}%`],
    )
  ).rows;
}

export interface CampaignRow {
  id: string;
  name: string;
  kind: CampaignScope;
  regionCodes: string[];
  population: number;
  startsAt: Date;
  deadlineHours: number;
  deadlineAt: Date;
  deadlineReason: Message;
  intervalDays: number;
  rounds: number;
  packId: string | null;
  notes: Message[];
  createdBy: string | null;
  createdAt: Date;
}

export interface RoundRow {
  id: string;
  campaignId: string;
  number: number;
  startsAt: Date;
  deadlineAt: Date;
  windowFrom: string;
  windowTo: string;
}

const CAMPAIGN_COLUMNS = `id, name, kind, region_codes AS "regionCodes", population, starts_at AS "startsAt",
  deadline_hours AS "deadlineHours", deadline_at AS "deadlineAt", deadline_reason AS "deadlineReason",
  interval_days AS "intervalDays", rounds, pack_id AS "packId", notes, created_by AS "createdBy",
  created_at AS "createdAt"`;
const ROUND_COLUMNS = `id, campaign_id AS "campaignId", number, starts_at AS "startsAt", deadline_at AS "deadlineAt",
  window_from::text AS "windowFrom", window_to::text AS "windowTo"`;

export async function insertCampaign(q: Queryable, c: CampaignRow, rounds: RoundRow[]): Promise<void> {
  await q.query(
    `INSERT INTO nat_campaigns (id, name, kind, region_codes, population, starts_at, deadline_hours, deadline_at,
       deadline_reason, interval_days, rounds, pack_id, notes, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
    [
      c.id,
      c.name,
      c.kind,
      c.regionCodes,
      c.population,
      c.startsAt,
      c.deadlineHours,
      c.deadlineAt,
      JSON.stringify(c.deadlineReason),
      c.intervalDays,
      c.rounds,
      c.packId,
      JSON.stringify(c.notes),
      c.createdBy,
      c.createdAt,
    ],
  );
  for (const r of rounds)
    await q.query(
      `INSERT INTO nat_rounds (id, campaign_id, number, starts_at, deadline_at, window_from, window_to)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [r.id, r.campaignId, r.number, r.startsAt, r.deadlineAt, r.windowFrom, r.windowTo],
    );
}

export async function findCampaign(q: Queryable, id: string): Promise<CampaignRow | null> {
  return (
    (await q.query<CampaignRow>(`SELECT ${CAMPAIGN_COLUMNS} FROM nat_campaigns WHERE id = $1`, [id]))
      .rows[0] ?? null
  );
}

/** Campaigns with at least one region inside the subtree, newest first. */
export async function listCampaigns(q: Queryable, regionCode: string): Promise<CampaignRow[]> {
  return (
    await q.query<CampaignRow>(
      `SELECT ${CAMPAIGN_COLUMNS} FROM nat_campaigns
       WHERE EXISTS (SELECT 1 FROM unnest(region_codes) AS c WHERE c LIKE $1)
       ORDER BY starts_at DESC, id LIMIT 1000`,
      [`${subtreePrefix(regionCode)}%`],
    )
  ).rows;
}

export async function roundsOf(q: Queryable, campaignId: string): Promise<RoundRow[]> {
  return (
    await q.query<RoundRow>(
      `SELECT ${ROUND_COLUMNS} FROM nat_rounds WHERE campaign_id = $1 ORDER BY number`,
      [campaignId],
    )
  ).rows;
}

export async function findRound(q: Queryable, id: string): Promise<RoundRow | null> {
  return (
    (await q.query<RoundRow>(`SELECT ${ROUND_COLUMNS} FROM nat_rounds WHERE id = $1`, [id])).rows[0] ?? null
  );
}

/** People in the registry per address region (community or grid) under each of the regions. */
export async function populationByRegion(
  q: Queryable,
  regionCodes: readonly string[],
): Promise<Map<string, number>> {
  const rows = (
    await q.query<{ code: string; n: number }>(
      `SELECT current_region_code AS code, count(*)::int AS n FROM persons
       WHERE current_region_code LIKE ANY ($1::text[]) GROUP BY current_region_code`,
      [regionCodes.map((c) => `${subtreePrefix(c)}%`)],
    )
  ).rows;
  return new Map(rows.map((r) => [r.code, r.n]));
}

/**
 * Swabs of a round per address region (retests not counted), from the counts the swabs' statements
 * added (0023), folded into one row per region and kind as they are read: the round's rows are taken
 * out and their sums put back in one statement, under a lock per round so that two readers do not fold
 * the same rows (the second, waiting, then reads the first's sums).
 */
export async function sampledByRegion(db: Db, roundId: string): Promise<Map<string, number>> {
  const rows = await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('nat_swab_counts:' || $1, 0))`, [roundId]);
    return (
      await tx.query<{ code: string; n: number }>(
        `WITH gone AS (DELETE FROM nat_swab_counts WHERE round_id = $1 RETURNING region_code, retest, swabs),
           sums AS (SELECT region_code, retest, sum(swabs)::bigint AS swabs FROM gone GROUP BY region_code, retest),
           kept AS (INSERT INTO nat_swab_counts (round_id, region_code, retest, swabs)
             SELECT $1, region_code, retest, swabs FROM sums WHERE swabs <> 0)
         SELECT region_code AS code, swabs::int AS n FROM sums WHERE NOT retest AND swabs <> 0`,
        [roundId],
      )
    ).rows;
  });
  return new Map(rows.map((r) => [r.code, r.n]));
}

export interface TubeRow {
  barcode: string;
  roundId: string;
  samplingPointId: string;
  regionCode: string;
  size: PoolSize;
  mode: "pool" | "household";
  purpose: "screening" | "retest";
  householdKey: string | null;
  openedAt: Date;
  openedBy: string | null;
  sealedAt: Date | null;
  sealedBy: string | null;
}

export interface SwabRow {
  personId: string;
  roundId: string;
  tubeBarcode: string;
  householdId: string | null;
  regionCode: string;
  sampledAt: Date;
  sampledBy: string | null;
  result: "negative" | "positive" | "pool_positive" | null;
  closedAt: Date | null;
  /** A single-tube retest of a member of a positive pool. */
  retest: boolean;
}

const TUBE_COLUMNS = `barcode, round_id AS "roundId", sampling_point_id AS "samplingPointId", region_code AS "regionCode",
  size, mode, purpose, household_key AS "householdKey", opened_at AS "openedAt", opened_by AS "openedBy",
  sealed_at AS "sealedAt", sealed_by AS "sealedBy"`;
const SWAB_COLUMNS = `person_id AS "personId", round_id AS "roundId", tube_barcode AS "tubeBarcode",
  household_id AS "householdId", region_code AS "regionCode", sampled_at AS "sampledAt", sampled_by AS "sampledBy",
  result, closed_at AS "closedAt", retest`;

export async function findTubes(
  q: Queryable,
  barcodes: readonly string[],
  forUpdate = false,
): Promise<TubeRow[]> {
  return (
    await q.query<TubeRow>(
      `SELECT ${TUBE_COLUMNS} FROM nat_tubes WHERE barcode = ANY ($1::text[]) ORDER BY barcode${forUpdate ? " FOR UPDATE" : ""}`,
      [barcodes],
    )
  ).rows;
}

export async function swabsInTubes(q: Queryable, barcodes: readonly string[]): Promise<SwabRow[]> {
  return (
    await q.query<SwabRow>(
      `SELECT ${SWAB_COLUMNS} FROM nat_swab_results WHERE tube_barcode = ANY ($1::text[]) ORDER BY sampled_at, person_id`,
      [barcodes],
    )
  ).rows;
}

/** The tube a person's swab is in this round (the screening one, or their retest tube), if any. */
export async function tubeOfPerson(
  q: Queryable,
  personId: string,
  roundId: string,
  retest = false,
): Promise<string | null> {
  return (
    (
      await q.query<{ barcode: string }>(
        `SELECT tube_barcode AS barcode FROM nat_swabs WHERE person_id = $1 AND round_id = $2 AND retest = $3`,
        [personId, roundId, retest],
      )
    ).rows[0]?.barcode ?? null
  );
}

/** A stored tube and its swabs as the domain's `Tube`. */
export function toTube(t: TubeRow, swabs: readonly SwabRow[]): Tube {
  return {
    barcode: t.barcode,
    roundId: t.roundId,
    size: t.size,
    mode: t.mode,
    householdId: t.householdKey,
    members: swabs.map((s) => ({ personId: s.personId, householdId: s.householdId, sampledAt: s.sampledAt })),
    sealedAt: t.sealedAt,
  };
}

export async function insertTube(q: Queryable, t: TubeRow): Promise<void> {
  await q.query(
    `INSERT INTO nat_tubes (barcode, round_id, sampling_point_id, region_code, size, mode, purpose, household_key,
       opened_at, opened_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      t.barcode,
      t.roundId,
      t.samplingPointId,
      t.regionCode,
      t.size,
      t.mode,
      t.purpose,
      t.householdKey,
      t.openedAt,
      t.openedBy,
    ],
  );
}

export async function setTubeHousehold(
  q: Queryable,
  barcode: string,
  householdKey: string | null,
): Promise<void> {
  await q.query(`UPDATE nat_tubes SET household_key = $2 WHERE barcode = $1`, [barcode, householdKey]);
}

export async function sealTubeRow(q: Queryable, barcode: string, at: Date, by: string | null): Promise<void> {
  await q.query(`UPDATE nat_tubes SET sealed_at = $2, sealed_by = $3 WHERE barcode = $1`, [barcode, at, by]);
}

export async function insertSwab(q: Queryable, s: SwabRow): Promise<void> {
  await q.query(
    `INSERT INTO nat_swabs (person_id, round_id, tube_barcode, household_id, region_code, sampled_at, sampled_by, retest)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [s.personId, s.roundId, s.tubeBarcode, s.householdId, s.regionCode, s.sampledAt, s.sampledBy, s.retest],
  );
}

export interface StoredResult extends LabResult {
  id: string;
  receivedAt: Date;
  outcome: "recorded" | "late" | "conflict";
}

/** The accepted result of each tube (recorded or late). */
export async function acceptedResults(
  q: Queryable,
  barcodes: readonly string[],
): Promise<Map<string, StoredResult>> {
  const rows = (
    await q.query<{
      id: string;
      barcode: string;
      call: LabCall;
      orf1ab: number | null;
      n: number | null;
      testedAt: Date;
      lab: string;
      receivedAt: Date;
      outcome: "recorded" | "late";
      notes: Message[];
    }>(
      `SELECT id, barcode, result AS call, ct_orf1ab AS orf1ab, ct_n AS n, tested_at AS "testedAt", lab,
         received_at AS "receivedAt", outcome, notes
       FROM nat_lab_results WHERE barcode = ANY ($1::text[]) AND outcome IN ('recorded', 'late')`,
      [barcodes],
    )
  ).rows;
  return new Map(
    rows.map((r) => [
      r.barcode,
      {
        id: r.id,
        barcode: r.barcode,
        call: r.call,
        ct: { orf1ab: r.orf1ab, n: r.n },
        testedAt: new Date(r.testedAt),
        lab: r.lab,
        notes: r.notes,
        receivedAt: new Date(r.receivedAt),
        outcome: r.outcome,
      },
    ]),
  );
}

export const fingerprint = (r: LabResult) =>
  [r.call, r.ct.orf1ab ?? "", r.ct.n ?? "", r.testedAt.toISOString(), r.lab].join("|");

/** Stores a result; false when the same result (by fingerprint) is already stored for the tube. */
export async function insertLabResult(
  q: Queryable,
  r: {
    id: string;
    result: LabResult;
    receivedAt: Date;
    outcome: "recorded" | "late" | "conflict";
    raw: unknown;
    receivedBy: string | null;
    batchId: string;
  },
): Promise<boolean> {
  const res = await q.query(
    `INSERT INTO nat_lab_results (barcode, id, result, ct_orf1ab, ct_n, tested_at, lab, received_at, outcome, fingerprint,
       notes, raw, received_by, batch_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (barcode, fingerprint) DO NOTHING`,
    [
      r.result.barcode,
      r.id,
      r.result.call,
      r.result.ct.orf1ab,
      r.result.ct.n,
      r.result.testedAt,
      r.result.lab,
      r.receivedAt,
      r.outcome,
      fingerprint(r.result),
      JSON.stringify(r.result.notes),
      r.raw === null ? null : JSON.stringify(r.raw),
      r.receivedBy,
      r.batchId,
    ],
  );
  return res.rowCount > 0;
}

export async function insertCaseCandidate(
  q: Queryable,
  c: {
    personId: string;
    id: string;
    barcode: string;
    roundId: string;
    resultId: string;
    ct: { orf1ab: number | null; n: number | null };
    at: Date;
  },
): Promise<void> {
  await q.query(
    `INSERT INTO nat_case_candidates (person_id, id, barcode, round_id, result_id, ct_orf1ab, ct_n, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (person_id, barcode) DO NOTHING`,
    [c.personId, c.id, c.barcode, c.roundId, c.resultId, c.ct.orf1ab, c.ct.n, c.at],
  );
}

export interface RecallInsert {
  personId: string;
  id: string;
  barcode: string;
  roundId: string;
  campaignId: string;
  communityCode: string | null;
  addressCode: string | null;
  deadlineAt: Date;
  createdAt: Date;
}

export async function insertRecalls(q: Queryable, rows: readonly RecallInsert[]): Promise<void> {
  for (const r of rows)
    await q.query(
      `INSERT INTO nat_recalls (person_id, id, barcode, round_id, campaign_id, community_code, address_code, deadline_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (person_id, barcode) DO NOTHING`,
      [
        r.personId,
        r.id,
        r.barcode,
        r.roundId,
        r.campaignId,
        r.communityCode,
        r.addressCode,
        r.deadlineAt,
        r.createdAt,
      ],
    );
}

/** A single-tube result for a person with an open recall: the retest is back. */
export async function recordRetest(
  q: Queryable,
  personId: string,
  barcode: string,
  result: LabCall,
  at: Date,
): Promise<void> {
  await q.query(
    `UPDATE nat_recalls SET retest_barcode = $2, retest_result = $3, retest_at = $4
     WHERE person_id = $1 AND retest_result IS NULL AND barcode <> $2`,
    [personId, barcode, result, at],
  );
}

export interface PositivePoolRow {
  barcode: string;
  roundId: string;
  resultAt: Date;
  personId: string;
  addressCode: string;
}

/** Members of the campaign's positive pools (a recorded positive result on a tube of several swabs). */
export async function positivePoolMembers(q: Queryable, campaignId: string): Promise<PositivePoolRow[]> {
  return (
    await q.query<PositivePoolRow>(
      `SELECT s.tube_barcode AS barcode, s.round_id AS "roundId", lr.received_at AS "resultAt",
         s.person_id AS "personId", s.region_code AS "addressCode"
       FROM nat_swab_results s
       JOIN nat_rounds r ON r.id = s.round_id
       JOIN nat_lab_results lr ON lr.barcode = s.tube_barcode AND lr.outcome IN ('recorded', 'late')
       WHERE r.campaign_id = $1 AND lr.result = 'positive' AND s.result = 'pool_positive'
       ORDER BY lr.received_at, s.tube_barcode, s.person_id`,
      [campaignId],
    )
  ).rows;
}

export interface RecallDetailRow {
  personId: string;
  barcode: string;
  name: string;
  address: string;
  deadlineAt: Date;
  retestBarcode: string | null;
  retestResult: LabCall | null;
  retestAt: Date | null;
}

export async function recallDetails(q: Queryable, campaignId: string): Promise<RecallDetailRow[]> {
  return (
    await q.query<RecallDetailRow>(
      `SELECT rc.person_id AS "personId", rc.barcode, p.name, p.current_address AS address, rc.deadline_at AS "deadlineAt",
         rc.retest_barcode AS "retestBarcode", rc.retest_result AS "retestResult", rc.retest_at AS "retestAt"
       FROM nat_recalls rc JOIN persons p ON p.id = rc.person_id WHERE rc.campaign_id = $1`,
      [campaignId],
    )
  ).rows;
}

export interface TubeTimingRow {
  barcode: string;
  sampledAt: Date;
  sealedAt: Date | null;
  lab: string | null;
  resultAt: Date | null;
}

/** Each tube of a round: its first swab, and its accepted result's lab and time of receipt. */
export async function tubeTimings(q: Queryable, roundId: string): Promise<TubeTimingRow[]> {
  return (
    await q.query<TubeTimingRow>(
      `SELECT t.barcode, (SELECT min(s.sampled_at) FROM nat_swabs s WHERE s.tube_barcode = t.barcode) AS "sampledAt",
         t.sealed_at AS "sealedAt", lr.lab, lr.received_at AS "resultAt"
       FROM nat_tubes t
       LEFT JOIN nat_lab_results lr ON lr.barcode = t.barcode AND lr.outcome IN ('recorded', 'late')
       WHERE t.round_id = $1`,
      [roundId],
    )
  ).rows;
}

export interface RoundCounts {
  tubes: number;
  sealed: number;
  /** People sampled in the round (retests not counted again). */
  swabs: number;
  /** Single-tube retests of members of positive pools. */
  retests: number;
  negative: number;
  positive: number;
  poolPositive: number;
  conflicts: number;
  late: number;
}

export async function roundCounts(q: Queryable, roundId: string): Promise<RoundCounts> {
  return (
    await q.query<RoundCounts>(
      `SELECT (SELECT count(*)::int FROM nat_tubes WHERE round_id = $1) AS tubes,
         (SELECT count(*)::int FROM nat_tubes WHERE round_id = $1 AND sealed_at IS NOT NULL) AS sealed,
         (SELECT coalesce(sum(swabs), 0)::int FROM nat_swab_counts WHERE round_id = $1 AND NOT retest) AS swabs,
         (SELECT coalesce(sum(swabs), 0)::int FROM nat_swab_counts WHERE round_id = $1 AND retest) AS retests,
         s.negative, s.positive, s."poolPositive",
         (SELECT count(*)::int FROM nat_lab_results lr JOIN nat_tubes t ON t.barcode = lr.barcode
            WHERE t.round_id = $1 AND lr.outcome = 'conflict') AS conflicts,
         (SELECT count(*)::int FROM nat_lab_results lr JOIN nat_tubes t ON t.barcode = lr.barcode
            WHERE t.round_id = $1 AND lr.outcome = 'late') AS late
       FROM (SELECT count(*) FILTER (WHERE result = 'negative')::int AS negative,
               count(*) FILTER (WHERE result = 'positive')::int AS positive,
               count(*) FILTER (WHERE result = 'pool_positive')::int AS "poolPositive"
             FROM nat_swab_results WHERE round_id = $1) s`,
      [roundId],
    )
  ).rows[0]!;
}

/** The zone and risk-area designations in force at `at` on the region or any region above it. */
export async function designationsOver(
  q: Queryable,
  codes: readonly string[],
  at: Date,
): Promise<{ regionCode: string; placeName: string | null; kind: string; from: Date; to: Date | null }[]> {
  return (
    await q.query<{
      regionCode: string;
      placeName: string | null;
      kind: string;
      from: Date;
      to: Date | null;
    }>(
      `SELECT region_code AS "regionCode", place_name AS "placeName", kind, valid_from AS "from", valid_to AS "to"
       FROM area_designations WHERE region_code = ANY ($1::text[]) AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)`,
      [codes, at],
    )
  ).rows;
}

/** Whether the person is placed at an isolation site now (a key group: 隔离点人员 single-sampled). */
export async function isPlaced(q: Queryable, personId: string): Promise<boolean> {
  return (
    (
      await q.query(
        `SELECT 1 FROM quarantine_placements WHERE person_id = $1 AND status = 'placed' LIMIT 1`,
        [personId],
      )
    ).rows.length > 0
  );
}

/** Whether the person is on the round's recall list with no retest back yet. */
export async function hasOpenRecall(q: Queryable, personId: string, roundId: string): Promise<boolean> {
  return (
    (
      await q.query(
        `SELECT 1 FROM nat_recalls WHERE person_id = $1 AND round_id = $2 AND retest_result IS NULL LIMIT 1`,
        [personId, roundId],
      )
    ).rows.length > 0
  );
}

export async function householdSize(q: Queryable, householdId: string): Promise<number> {
  return (
    await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM persons WHERE household_id = $1`, [
      householdId,
    ])
  ).rows[0]!.n;
}

export interface TargetPersonRow {
  personId: string;
  regionCode: string;
  name: string;
  address: string;
}

/** The registry's people under the regions (at most `limit`, by region and id). */
export async function peopleUnder(
  q: Queryable,
  regionCodes: readonly string[],
  limit: number,
): Promise<TargetPersonRow[]> {
  return (
    await q.query<TargetPersonRow>(
      `SELECT id AS "personId", current_region_code AS "regionCode", name, current_address AS address FROM persons
       WHERE current_region_code LIKE ANY ($1::text[]) ORDER BY current_region_code, id LIMIT $2`,
      [regionCodes.map((c) => `${subtreePrefix(c)}%`), limit],
    )
  ).rows;
}

/** The people sampled in a round (retests aside). */
export async function sampledPeople(q: Queryable, roundId: string): Promise<Set<string>> {
  const rows = (
    await q.query<{ id: string }>(
      `SELECT person_id AS id FROM nat_swabs WHERE round_id = $1 AND NOT retest`,
      [roundId],
    )
  ).rows;
  return new Set(rows.map((r) => r.id));
}

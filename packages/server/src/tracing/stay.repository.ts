import type { Message } from "@cordon/domain/shared/result";
import type { StayKind } from "@cordon/domain/tracing/itinerary";
import type { AreaKind } from "@cordon/domain/zones/area";
import type { Queryable } from "../db/db.ts";

/** A flag `checkItinerary` raised on a kept stay (outside the look-back window). */
export interface StayFlag {
  code: string;
  message: Message;
}

export interface StayRow {
  caseId: string;
  id: string;
  kind: StayKind;
  regionCode: string;
  placeName: string | null;
  from: Date;
  to: Date;
  frequentHigherRisk: boolean;
  flags: StayFlag[];
  recordedBy: string | null;
  recordedAt: Date;
}

const STAY_SELECT = `s.case_id AS "caseId", s.id, s.kind, s.region_code AS "regionCode", s.place_name AS "placeName",
  s.stay_from AS "from", s.stay_to AS "to", s.frequent_higher_risk AS "frequentHigherRisk", s.flags,
  s.recorded_by AS "recordedBy", s.recorded_at AS "recordedAt"`;

export async function insertStay(q: Queryable, s: StayRow): Promise<void> {
  await q.query(
    `INSERT INTO tracing_stays (case_id, id, kind, region_code, place_name, stay_from, stay_to,
       frequent_higher_risk, flags, recorded_by, recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      s.caseId,
      s.id,
      s.kind,
      s.regionCode,
      s.placeName,
      s.from,
      s.to,
      s.frequentHigherRisk,
      JSON.stringify(s.flags),
      s.recordedBy,
      s.recordedAt,
    ],
  );
}

/** A case's stays in time order. */
export async function staysOf(q: Queryable, caseId: string): Promise<StayRow[]> {
  const r = await q.query<StayRow>(
    `SELECT ${STAY_SELECT} FROM tracing_stays s WHERE s.case_id = $1 ORDER BY s.stay_from, s.id`,
    [caseId],
  );
  return r.rows;
}

export async function findStay(q: Queryable, caseId: string, id: string): Promise<StayRow | null> {
  const r = await q.query<StayRow>(
    `SELECT ${STAY_SELECT} FROM tracing_stays s WHERE s.case_id = $1 AND s.id = $2 FOR UPDATE`,
    [caseId, id],
  );
  return r.rows[0] ?? null;
}

export async function deleteStay(q: Queryable, caseId: string, id: string): Promise<void> {
  await q.query(`DELETE FROM tracing_stays WHERE case_id = $1 AND id = $2`, [caseId, id]);
}

/** Which of these region codes exist. */
export async function knownRegions(q: Queryable, codes: readonly string[]): Promise<Set<string>> {
  if (!codes.length) return new Set();
  const r = await q.query<{ code: string }>(`SELECT code FROM regions WHERE code = ANY($1::text[])`, [
    [...new Set(codes)],
  ]);
  return new Set(r.rows.map((x) => x.code));
}

export type AreaProposalStatus = "submitted" | "confirmed" | "rejected";

export interface AreaProposalRow {
  caseId: string;
  id: string;
  regionCode: string;
  placeName: string | null;
  kind: AreaKind;
  reason: string;
  explanation: Message;
  stayIds: string[];
  status: AreaProposalStatus;
  submittedBy: string | null;
  submittedAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  designationId: string | null;
}

const PROPOSAL_SELECT = `p.case_id AS "caseId", p.id, p.region_code AS "regionCode", p.place_name AS "placeName",
  p.kind, p.reason, p.explanation, p.stay_ids AS "stayIds", p.status, p.submitted_by AS "submittedBy",
  p.submitted_at AS "submittedAt", p.decided_by AS "decidedBy", p.decided_at AS "decidedAt",
  p.decision_reason AS "decisionReason", p.designation_id AS "designationId"`;

/** uuid[] comes back as an array on both engines; be safe with a "{…}" literal. */
function fixIds<T extends { stayIds: unknown }>(r: T): T {
  if (typeof r.stayIds === "string")
    r.stayIds = r.stayIds
      .replace(/^\{|\}$/g, "")
      .split(",")
      .filter(Boolean);
  return r;
}

export async function insertAreaProposal(q: Queryable, p: AreaProposalRow): Promise<void> {
  await q.query(
    `INSERT INTO tracing_area_proposals (case_id, id, region_code, place_name, kind, reason, explanation,
       stay_ids, status, submitted_by, submitted_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::uuid[], $9, $10, $11)`,
    [
      p.caseId,
      p.id,
      p.regionCode,
      p.placeName,
      p.kind,
      p.reason,
      JSON.stringify(p.explanation),
      p.stayIds,
      p.status,
      p.submittedBy,
      p.submittedAt,
    ],
  );
}

/** A case's submitted proposals (every status), oldest first. */
export async function areaProposalsOf(q: Queryable, caseId: string): Promise<AreaProposalRow[]> {
  const r = await q.query<AreaProposalRow>(
    `SELECT ${PROPOSAL_SELECT} FROM tracing_area_proposals p WHERE p.case_id = $1 ORDER BY p.submitted_at, p.id`,
    [caseId],
  );
  return r.rows.map(fixIds);
}

export async function findAreaProposal(q: Queryable, id: string): Promise<AreaProposalRow | null> {
  const r = await q.query<AreaProposalRow>(
    `SELECT ${PROPOSAL_SELECT} FROM tracing_area_proposals p WHERE p.id = $1 FOR UPDATE`,
    [id],
  );
  const row = r.rows[0];
  return row ? fixIds(row) : null;
}

export interface SubmittedProposalRow extends AreaProposalRow {
  regionName: string;
  personName: string;
}

/** Submitted proposals waiting for the command inside a jurisdiction (region codes with the prefix), oldest first. */
export async function submittedProposals(
  q: Queryable,
  regionPrefix: string,
  limit: number,
): Promise<SubmittedProposalRow[]> {
  const r = await q.query<SubmittedProposalRow>(
    `SELECT ${PROPOSAL_SELECT}, g.name AS "regionName", coalesce(pe.name, '') AS "personName"
     FROM tracing_area_proposals p
     JOIN regions g ON g.code = p.region_code
     JOIN tracing_cases c ON c.id = p.case_id
     LEFT JOIN persons pe ON pe.id = c.person_id
     WHERE p.status = 'submitted' AND p.region_code LIKE $1
     ORDER BY p.submitted_at, p.id LIMIT $2`,
    [`${regionPrefix}%`, limit],
  );
  return r.rows.map(fixIds);
}

export async function decideAreaProposal(
  q: Queryable,
  p: Pick<
    AreaProposalRow,
    "caseId" | "id" | "status" | "decidedBy" | "decidedAt" | "decisionReason" | "designationId"
  >,
): Promise<void> {
  await q.query(
    `UPDATE tracing_area_proposals SET status = $3, decided_by = $4, decided_at = $5, decision_reason = $6,
       designation_id = $7
     WHERE case_id = $1 AND id = $2`,
    [p.caseId, p.id, p.status, p.decidedBy, p.decidedAt, p.decisionReason, p.designationId],
  );
}

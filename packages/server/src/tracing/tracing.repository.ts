import type { Message } from "@cordon/domain/shared/result";
import type { TracingCase } from "@cordon/domain/tracing/cases";
import type { ContactCategory, ExposureFlag, MatchedRule } from "@cordon/domain/tracing/exposures";
import type { Milestone } from "@cordon/domain/tracing/investigation";
import type { LoopStep } from "@cordon/domain/tracing/contact-loop";
import type { Queryable } from "../db/db.ts";

export type CaseStatus = "investigating" | "closed";

/** A stored case: the checked case (`TracingCase`) with its id, region, origin and status. */
export interface CaseRow extends TracingCase {
  id: string;
  regionCode: string;
  major: boolean;
  candidateId: string | null;
  barcode: string | null;
  resultId: string | null;
  status: CaseStatus;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

const CASE_SELECT = `c.person_id AS "personId", c.id, c.region_code AS "regionCode", c.classification,
  c.found_by AS "foundBy", c.source, c.linked_case_id AS "linkedCaseId", c.onset_date::text AS "onsetDate",
  c.sampling_date::text AS "samplingDate", c.last_negative_sampling_date::text AS "lastNegativeSamplingDate",
  c.reported_at AS "reportedAt", c.confirmed_at AS "confirmedAt", c.isolated_at AS "isolatedAt", c.major,
  c.candidate_id AS "candidateId", c.barcode, c.result_id AS "resultId", c.status,
  c.created_by AS "createdBy", c.created_at AS "createdAt", c.updated_at AS "updatedAt", c.version`;

export async function insertCase(q: Queryable, c: CaseRow): Promise<void> {
  await q.query(
    `INSERT INTO tracing_cases (person_id, id, region_code, classification, found_by, source, linked_case_id,
       onset_date, sampling_date, last_negative_sampling_date, reported_at, confirmed_at, isolated_at, major,
       candidate_id, barcode, result_id, status, created_by, created_at, updated_at, version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`,
    [
      c.personId,
      c.id,
      c.regionCode,
      c.classification,
      c.foundBy,
      c.source,
      c.linkedCaseId,
      c.onsetDate,
      c.samplingDate,
      c.lastNegativeSamplingDate,
      c.reportedAt,
      c.confirmedAt,
      c.isolatedAt,
      c.major,
      c.candidateId,
      c.barcode,
      c.resultId,
      c.status,
      c.createdBy,
      c.createdAt,
      c.updatedAt,
      c.version,
    ],
  );
}

/** Writes the fields a classification change or the investigation's closing change; bumps the version. */
export async function updateCase(q: Queryable, c: CaseRow): Promise<void> {
  await q.query(
    `UPDATE tracing_cases SET classification = $3, onset_date = $4, sampling_date = $5,
       last_negative_sampling_date = $6, confirmed_at = $7, isolated_at = $8, major = $9, status = $10,
       updated_at = $11, version = version + 1
     WHERE person_id = $1 AND id = $2`,
    [
      c.personId,
      c.id,
      c.classification,
      c.onsetDate,
      c.samplingDate,
      c.lastNegativeSamplingDate,
      c.confirmedAt,
      c.isolatedAt,
      c.major,
      c.status,
      c.updatedAt,
    ],
  );
}

export async function findCase(q: Queryable, id: string, forUpdate = false): Promise<CaseRow | null> {
  const r = await q.query<CaseRow>(
    `SELECT ${CASE_SELECT} FROM tracing_cases c WHERE c.id = $1${forUpdate ? " FOR UPDATE" : ""}`,
    [id],
  );
  return r.rows[0] ?? null;
}

export async function findCaseOfPerson(q: Queryable, personId: string): Promise<CaseRow | null> {
  const r = await q.query<CaseRow>(`SELECT ${CASE_SELECT} FROM tracing_cases c WHERE c.person_id = $1`, [
    personId,
  ]);
  return r.rows[0] ?? null;
}

export interface CaseListRow extends CaseRow {
  personName: string;
}

/** A jurisdiction's cases (region codes starting with the prefix), newest report first. */
export async function listCases(
  q: Queryable,
  regionPrefix: string,
  f: { status?: CaseStatus | undefined; limit: number },
): Promise<CaseListRow[]> {
  const r = await q.query<CaseListRow>(
    `SELECT ${CASE_SELECT}, p.name AS "personName" FROM tracing_cases c JOIN persons p ON p.id = c.person_id
     WHERE c.region_code LIKE $1 AND ($2::text IS NULL OR c.status = $2)
     ORDER BY c.reported_at DESC, c.id DESC LIMIT $3`,
    [`${regionPrefix}%`, f.status ?? null, f.limit],
  );
  return r.rows;
}

export type InvestigationRow = {
  personId: string;
  caseId: string;
  packId: string | null;
  openedAt: Date;
  openedBy: string | null;
} & Record<`${Milestone}At`, Date | null> &
  Record<`${Milestone}By`, string | null>;

const MILESTONE_COLUMNS: Record<Milestone, string> = {
  directReport: "direct_report",
  onSite: "on_site",
  preliminary: "preliminary",
  closed: "closed",
};

const INVESTIGATION_SELECT = `i.person_id AS "personId", i.case_id AS "caseId", i.pack_id AS "packId",
  i.opened_at AS "openedAt", i.opened_by AS "openedBy",
  i.direct_report_at AS "directReportAt", i.direct_report_by AS "directReportBy",
  i.on_site_at AS "onSiteAt", i.on_site_by AS "onSiteBy",
  i.preliminary_at AS "preliminaryAt", i.preliminary_by AS "preliminaryBy",
  i.closed_at AS "closedAt", i.closed_by AS "closedBy"`;

export async function insertInvestigation(
  q: Queryable,
  i: { personId: string; caseId: string; packId: string | null; openedAt: Date; openedBy: string | null },
): Promise<void> {
  await q.query(
    `INSERT INTO tracing_investigations (person_id, case_id, pack_id, opened_at, opened_by)
     VALUES ($1, $2, $3, $4, $5)`,
    [i.personId, i.caseId, i.packId, i.openedAt, i.openedBy],
  );
}

export async function findInvestigation(q: Queryable, caseId: string): Promise<InvestigationRow | null> {
  const r = await q.query<InvestigationRow>(
    `SELECT ${INVESTIGATION_SELECT} FROM tracing_investigations i WHERE i.case_id = $1`,
    [caseId],
  );
  return r.rows[0] ?? null;
}

export async function investigationsOf(
  q: Queryable,
  caseIds: readonly string[],
): Promise<Map<string, InvestigationRow>> {
  if (!caseIds.length) return new Map();
  const r = await q.query<InvestigationRow>(
    `SELECT ${INVESTIGATION_SELECT} FROM tracing_investigations i WHERE i.case_id = ANY($1::uuid[])`,
    [caseIds],
  );
  return new Map(r.rows.map((i) => [i.caseId, i]));
}

export async function setMilestone(
  q: Queryable,
  caseId: string,
  m: Milestone,
  at: Date,
  by: string | null,
): Promise<void> {
  const col = MILESTONE_COLUMNS[m];
  await q.query(`UPDATE tracing_investigations SET ${col}_at = $2, ${col}_by = $3 WHERE case_id = $1`, [
    caseId,
    at,
    by,
  ]);
}

/** A positive single tube waiting for investigation, with its swab's sampling time and the person's region. */
export interface CandidateRow {
  personId: string;
  id: string;
  barcode: string;
  roundId: string;
  resultId: string;
  ctOrf1ab: number | null;
  ctN: number | null;
  createdAt: Date;
  sampledAt: Date | null;
  testedAt: Date | null;
  lab: string | null;
  personName: string;
  regionCode: string;
  /** The case made from it, if any. */
  caseId: string | null;
}

const CANDIDATE_SELECT = `k.person_id AS "personId", k.id, k.barcode, k.round_id AS "roundId",
  k.result_id AS "resultId", k.ct_orf1ab AS "ctOrf1ab", k.ct_n AS "ctN", k.created_at AS "createdAt",
  (SELECT min(w.sampled_at) FROM nat_swabs w WHERE w.person_id = k.person_id AND w.tube_barcode = k.barcode) AS "sampledAt",
  (SELECT r.tested_at FROM nat_lab_results r WHERE r.barcode = k.barcode AND r.id = k.result_id) AS "testedAt",
  (SELECT r.lab FROM nat_lab_results r WHERE r.barcode = k.barcode AND r.id = k.result_id) AS lab,
  p.name AS "personName", p.current_region_code AS "regionCode",
  (SELECT c.id FROM tracing_cases c WHERE c.person_id = k.person_id AND c.candidate_id = k.id) AS "caseId"`;

export async function findCandidate(
  q: Queryable,
  id: string,
  forUpdate = false,
): Promise<CandidateRow | null> {
  const r = await q.query<CandidateRow>(
    `SELECT ${CANDIDATE_SELECT} FROM nat_case_candidates k JOIN persons p ON p.id = k.person_id
     WHERE k.id = $1${forUpdate ? " FOR UPDATE OF k" : ""}`,
    [id],
  );
  return r.rows[0] ?? null;
}

/** The candidates of a jurisdiction (the person's current region) not yet made a case, oldest first. */
export async function openCandidates(
  q: Queryable,
  regionPrefix: string,
  limit: number,
): Promise<CandidateRow[]> {
  const r = await q.query<CandidateRow>(
    `SELECT ${CANDIDATE_SELECT} FROM nat_case_candidates k JOIN persons p ON p.id = k.person_id
     WHERE p.current_region_code LIKE $1
       AND NOT EXISTS (SELECT 1 FROM tracing_cases c WHERE c.person_id = k.person_id AND c.candidate_id = k.id)
     ORDER BY k.created_at, k.id LIMIT $2`,
    [`${regionPrefix}%`, limit],
  );
  return r.rows;
}

/** The person's last negative sampling before a time (routine screening: the look-back may start there). */
export async function lastNegativeSampling(
  q: Queryable,
  personId: string,
  before: Date,
): Promise<Date | null> {
  const r = await q.query<{ at: Date | null }>(
    `SELECT max(sampled_at) AS at FROM nat_swab_results
     WHERE person_id = $1 AND result = 'negative' AND sampled_at < $2`,
    [personId, before],
  );
  return r.rows[0]?.at ?? null;
}

export interface PersonBrief {
  id: string;
  name: string;
  regionCode: string;
}

export async function peopleBrief(q: Queryable, ids: readonly string[]): Promise<Map<string, PersonBrief>> {
  if (!ids.length) return new Map();
  const r = await q.query<PersonBrief>(
    `SELECT id, name, current_region_code AS "regionCode" FROM persons WHERE id = ANY($1::uuid[])`,
    [[...new Set(ids)]],
  );
  return new Map(r.rows.map((p) => [p.id, p]));
}

export interface ExposureRow {
  caseId: string;
  id: string;
  sourcePersonId: string;
  exposedPersonId: string;
  at: Date;
  until: Date;
  durationMinutes: number | null;
  setting: string;
  proximity: string;
  enclosed: boolean | null;
  protected: boolean;
  judgedClose: boolean;
  exposedRegionCode: string | null;
  place: string;
  flags: ExposureFlag[];
  recordedBy: string | null;
  recordedAt: Date;
}

export async function insertExposure(q: Queryable, e: ExposureRow): Promise<void> {
  await q.query(
    `INSERT INTO tracing_exposures (case_id, id, source_person_id, exposed_person_id, at, until, duration_minutes,
       setting, proximity, enclosed, protected, judged_close, exposed_region_code, place, flags, recorded_by, recorded_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
    [
      e.caseId,
      e.id,
      e.sourcePersonId,
      e.exposedPersonId,
      e.at,
      e.until,
      e.durationMinutes,
      e.setting,
      e.proximity,
      e.enclosed,
      e.protected,
      e.judgedClose,
      e.exposedRegionCode,
      e.place,
      JSON.stringify(e.flags),
      e.recordedBy,
      e.recordedAt,
    ],
  );
}

export async function exposuresOf(q: Queryable, caseId: string): Promise<ExposureRow[]> {
  const r = await q.query<ExposureRow>(
    `SELECT case_id AS "caseId", id, source_person_id AS "sourcePersonId", exposed_person_id AS "exposedPersonId",
       at, until, duration_minutes AS "durationMinutes", setting, proximity, enclosed, protected,
       judged_close AS "judgedClose", exposed_region_code AS "exposedRegionCode", place, flags,
       recorded_by AS "recordedBy", recorded_at AS "recordedAt"
     FROM tracing_exposures WHERE case_id = $1 ORDER BY at, id`,
    [caseId],
  );
  return r.rows;
}

export type ContactRow = {
  caseId: string;
  id: string;
  personId: string;
  kind: ContactCategory;
  ruleId: string | null;
  rule: MatchedRule | null;
  explanation: Message;
  viaPersonId: string;
  exposureIds: string[];
  firstExposureAt: Date;
  lastExposureAt: Date;
  regionCode: string | null;
  assist: boolean;
  jurisdiction: string;
  classifiedAt: Date;
  classifiedBy: string | null;
  placementId: string | null;
  updatedAt: Date;
  version: number;
} & Record<`${LoopStep}At`, Date | null> &
  Record<`${LoopStep}By`, string | null>;

const STEP_COLUMNS: Record<LoopStep, string> = {
  verify: "verified",
  transfer: "transferred",
  test: "tested",
  isolate: "isolated",
};

const CONTACT_SELECT = `t.case_id AS "caseId", t.id, t.person_id AS "personId", t.kind, t.rule_id AS "ruleId",
  t.rule, t.explanation, t.via_person_id AS "viaPersonId", t.exposure_ids AS "exposureIds",
  t.first_exposure_at AS "firstExposureAt", t.last_exposure_at AS "lastExposureAt", t.region_code AS "regionCode",
  t.assist, t.jurisdiction, t.classified_at AS "classifiedAt", t.classified_by AS "classifiedBy",
  t.verified_at AS "verifyAt", t.verified_by AS "verifyBy", t.transferred_at AS "transferAt",
  t.transferred_by AS "transferBy", t.tested_at AS "testAt", t.tested_by AS "testBy",
  t.isolated_at AS "isolateAt", t.isolated_by AS "isolateBy", t.placement_id AS "placementId",
  t.updated_at AS "updatedAt", t.version`;

export async function contactsOf(q: Queryable, caseId: string): Promise<ContactRow[]> {
  const r = await q.query<ContactRow>(
    `SELECT ${CONTACT_SELECT} FROM tracing_contacts t WHERE t.case_id = $1
     ORDER BY CASE t.kind WHEN 'close' THEN 0 WHEN 'secondary' THEN 1 ELSE 2 END, t.first_exposure_at, t.id`,
    [caseId],
  );
  return r.rows;
}

/** The contacts of several cases (the command's escalations). */
export async function contactsOfCases(q: Queryable, caseIds: readonly string[]): Promise<ContactRow[]> {
  if (!caseIds.length) return [];
  const r = await q.query<ContactRow>(
    `SELECT ${CONTACT_SELECT} FROM tracing_contacts t WHERE t.case_id = ANY($1::uuid[])`,
    [caseIds],
  );
  return r.rows;
}

export async function findContact(q: Queryable, id: string, forUpdate = false): Promise<ContactRow | null> {
  const r = await q.query<ContactRow>(
    `SELECT ${CONTACT_SELECT} FROM tracing_contacts t WHERE t.id = $1${forUpdate ? " FOR UPDATE" : ""}`,
    [id],
  );
  return r.rows[0] ?? null;
}

/** A person's contact records in every case (both histories of a contact who became a case). */
export async function contactRecordsOfPerson(q: Queryable, personId: string): Promise<ContactRow[]> {
  const r = await q.query<ContactRow>(
    `SELECT ${CONTACT_SELECT} FROM tracing_contacts t WHERE t.person_id = $1 ORDER BY t.classified_at, t.id`,
    [personId],
  );
  return r.rows;
}

/** The classification's fields, written for a new contact or over an existing one (its steps are kept). */
export async function upsertContact(q: Queryable, c: ContactRow): Promise<void> {
  await q.query(
    `INSERT INTO tracing_contacts (case_id, id, person_id, kind, rule_id, rule, explanation, via_person_id,
       exposure_ids, first_exposure_at, last_exposure_at, region_code, assist, jurisdiction, classified_at,
       classified_by, updated_at, version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::uuid[], $10, $11, $12, $13, $14, $15, $16, $17, 1)
     ON CONFLICT (case_id, person_id) DO UPDATE SET kind = EXCLUDED.kind, rule_id = EXCLUDED.rule_id,
       rule = EXCLUDED.rule, explanation = EXCLUDED.explanation, via_person_id = EXCLUDED.via_person_id,
       exposure_ids = EXCLUDED.exposure_ids, first_exposure_at = EXCLUDED.first_exposure_at,
       last_exposure_at = EXCLUDED.last_exposure_at, region_code = EXCLUDED.region_code,
       assist = EXCLUDED.assist, jurisdiction = EXCLUDED.jurisdiction, classified_at = EXCLUDED.classified_at,
       classified_by = EXCLUDED.classified_by, updated_at = EXCLUDED.updated_at,
       version = tracing_contacts.version + 1`,
    [
      c.caseId,
      c.id,
      c.personId,
      c.kind,
      c.ruleId,
      c.rule === null ? null : JSON.stringify(c.rule),
      JSON.stringify(c.explanation),
      c.viaPersonId,
      c.exposureIds,
      c.firstExposureAt,
      c.lastExposureAt,
      c.regionCode,
      c.assist,
      c.jurisdiction,
      c.classifiedAt,
      c.classifiedBy,
      c.updatedAt,
    ],
  );
}

export async function setStep(
  q: Queryable,
  contactId: string,
  step: LoopStep,
  at: Date,
  by: string | null,
  placementId: string | null,
  now: Date,
): Promise<void> {
  const col = STEP_COLUMNS[step];
  await q.query(
    `UPDATE tracing_contacts SET ${col}_at = $2, ${col}_by = $3, placement_id = coalesce($4, placement_id),
       updated_at = $5, version = version + 1
     WHERE id = $1`,
    [contactId, at, by, placementId, now],
  );
}

/** A quarantine placement's person and status, to link it to a contact's isolate step. */
export async function placementOwner(
  q: Queryable,
  placementId: string,
): Promise<{ personId: string; status: string; placedAt: Date } | null> {
  const r = await q.query<{ personId: string; status: string; placedAt: Date }>(
    `SELECT person_id AS "personId", status, placed_at AS "placedAt" FROM quarantine_placements WHERE id = $1`,
    [placementId],
  );
  return r.rows[0] ?? null;
}

/** The person's current placement (placed now), if any. */
export async function currentPlacementOf(q: Queryable, personId: string): Promise<string | null> {
  const r = await q.query<{ id: string }>(
    `SELECT id FROM quarantine_placements WHERE person_id = $1 AND status = 'placed'`,
    [personId],
  );
  return r.rows[0]?.id ?? null;
}

/** Which of these people are cases themselves (a contact who became a case). */
export async function casesOfPeople(
  q: Queryable,
  personIds: readonly string[],
): Promise<Map<string, string>> {
  if (!personIds.length) return new Map();
  const r = await q.query<{ personId: string; id: string }>(
    `SELECT person_id AS "personId", id FROM tracing_cases WHERE person_id = ANY($1::uuid[])`,
    [[...new Set(personIds)]],
  );
  return new Map(r.rows.map((c) => [c.personId, c.id]));
}

/** The assist request a contact was forwarded as (协查): the list, the row, the region, when. */
export interface ContactForward {
  contactId: string;
  personId: string;
  listId: string;
  rowId: string;
  regionCode: string;
  sentAt: Date;
}

/** The case's contacts already forwarded as assist requests, with the name of the region addressed. */
export async function forwardsOf(
  q: Queryable,
  caseId: string,
): Promise<(ContactForward & { regionName: string | null })[]> {
  const r = await q.query<ContactForward & { regionName: string | null }>(
    `SELECT t.id AS "contactId", t.person_id AS "personId", t.assist_list_id AS "listId", t.assist_row_id AS "rowId",
       t.assist_region_code AS "regionCode", g.name AS "regionName", t.assist_sent_at AS "sentAt"
     FROM tracing_contacts t LEFT JOIN regions g ON g.code = t.assist_region_code
     WHERE t.case_id = $1 AND t.assist_list_id IS NOT NULL ORDER BY t.assist_sent_at, t.id`,
    [caseId],
  );
  return r.rows;
}

/** Marks a contact forwarded, once: false when it already was (the first request stands). */
export async function setForward(
  q: Queryable,
  caseId: string,
  f: Omit<ContactForward, "personId">,
): Promise<boolean> {
  const r = await q.query(
    `UPDATE tracing_contacts SET assist_list_id = $3, assist_row_id = $4, assist_region_code = $5, assist_sent_at = $6
     WHERE case_id = $1 AND id = $2 AND assist_list_id IS NULL`,
    [caseId, f.contactId, f.listId, f.rowId, f.regionCode, f.sentAt],
  );
  return r.rowCount === 1;
}

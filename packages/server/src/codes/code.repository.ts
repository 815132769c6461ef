/**
 * SQL of health codes: what the colour is computed from (a person's cases, contacts, placements, the
 * areas over their address, recalls, tests, co-presence and override), read for many people at once
 * with one query per kind; the stored colours, their history, and the signal queue.
 */
import type { CodeColour } from "@cordon/domain/codes/policy";
import type { ColourReason, PersonFacts } from "@cordon/domain/codes/colour";
import { isWithin, subtreePrefix } from "@cordon/domain/regions/region-code";
import type { Queryable } from "../db/db.ts";

export interface PersonBasics {
  id: string;
  regionCode: string;
  address: string;
}

export interface StoredCode {
  personId: string;
  ref: Uint8Array;
  colour: CodeColour;
  since: Date;
  reasons: ColourReason[];
  packId: string | null;
  computedAt: Date;
  recheckAt: Date | null;
  downgradedAt: Date | null;
  version: number;
}

interface RawCode {
  person_id: string;
  ref: Uint8Array;
  colour: CodeColour;
  since: Date;
  reasons: unknown;
  pack_id: string | null;
  computed_at: Date;
  recheck_at: Date | null;
  downgraded_at: Date | null;
  version: number;
}

const json = <T>(v: unknown): T => (typeof v === "string" ? (JSON.parse(v) as T) : (v as T));

/** Reasons as stored (JSON: dates as ISO strings) back to their typed form. */
export function reasonsFrom(v: unknown): ColourReason[] {
  return json<(Omit<ColourReason, "since"> & { since: string })[]>(v).map((r) => ({
    ...r,
    since: new Date(r.since),
  }));
}

const codeOut = (r: RawCode): StoredCode => ({
  personId: r.person_id,
  ref: new Uint8Array(r.ref),
  colour: r.colour,
  since: r.since,
  reasons: reasonsFrom(r.reasons),
  packId: r.pack_id,
  computedAt: r.computed_at,
  recheckAt: r.recheck_at,
  downgradedAt: r.downgraded_at,
  version: r.version,
});

const CODE_COLUMNS = `person_id, ref, colour, since, reasons, pack_id, computed_at, recheck_at, downgraded_at, version`;

export async function findCodes(
  q: Queryable,
  personIds: readonly string[],
  lock = false,
): Promise<StoredCode[]> {
  if (!personIds.length) return [];
  const r = await q.query<RawCode>(
    `SELECT ${CODE_COLUMNS} FROM health_codes WHERE person_id = ANY($1::uuid[]) ORDER BY person_id${lock ? " FOR UPDATE" : ""}`,
    [personIds],
  );
  return r.rows.map(codeOut);
}

export async function findCodeByRef(q: Queryable, ref: Uint8Array): Promise<StoredCode | null> {
  const r = await q.query<RawCode>(`SELECT ${CODE_COLUMNS} FROM health_codes WHERE ref = $1`, [ref]);
  return r.rows[0] ? codeOut(r.rows[0]) : null;
}

export async function insertCode(q: Queryable, c: StoredCode): Promise<boolean> {
  const r = await q.query(
    `INSERT INTO health_codes (${CODE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1)
     ON CONFLICT (person_id) DO NOTHING`,
    [
      c.personId,
      c.ref,
      c.colour,
      c.since,
      JSON.stringify(c.reasons),
      c.packId,
      c.computedAt,
      c.recheckAt,
      c.downgradedAt,
    ],
  );
  return r.rowCount > 0;
}

/** Writes many recomputed codes in one statement. */
export async function updateCodes(q: Queryable, codes: readonly StoredCode[]): Promise<void> {
  if (!codes.length) return;
  await q.query(
    `UPDATE health_codes h SET colour = u.colour, since = u.since, reasons = u.reasons::json, pack_id = u.pack_id,
       computed_at = u.computed_at, recheck_at = u.recheck_at, downgraded_at = u.downgraded_at, version = h.version + 1
     FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[])
       AS u(person_id, colour, since, reasons, pack_id, computed_at, recheck_at, downgraded_at)
     WHERE h.person_id = u.person_id`,
    [
      codes.map((c) => c.personId),
      codes.map((c) => c.colour),
      codes.map((c) => c.since),
      codes.map((c) => JSON.stringify(c.reasons)),
      codes.map((c) => c.packId),
      codes.map((c) => c.computedAt),
      codes.map((c) => c.recheckAt),
      codes.map((c) => c.downgradedAt),
    ],
  );
}

export interface CodeChange {
  personId: string;
  id: string;
  at: Date;
  fromColour: CodeColour | null;
  toColour: CodeColour;
  reasons: ColourReason[];
  cause: string;
  packId: string | null;
}

export async function insertChanges(q: Queryable, changes: readonly CodeChange[]): Promise<void> {
  if (!changes.length) return;
  await q.query(
    `INSERT INTO health_code_changes (person_id, id, at, from_colour, to_colour, reasons, cause, pack_id)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::text[], $5::text[], $6::json[], $7::text[], $8::text[])`,
    [
      changes.map((c) => c.personId),
      changes.map((c) => c.id),
      changes.map((c) => c.at),
      changes.map((c) => c.fromColour),
      changes.map((c) => c.toColour),
      changes.map((c) => JSON.stringify(c.reasons)),
      changes.map((c) => c.cause),
      changes.map((c) => c.packId),
    ],
  );
}

export async function codeHistory(q: Queryable, personId: string, limit = 50): Promise<CodeChange[]> {
  const r = await q.query<{
    person_id: string;
    id: string;
    at: Date;
    from_colour: CodeColour | null;
    to_colour: CodeColour;
    reasons: unknown;
    cause: string;
    pack_id: string | null;
  }>(
    `SELECT person_id, id, at, from_colour, to_colour, reasons, cause, pack_id FROM health_code_changes
     WHERE person_id = $1 ORDER BY at DESC, id DESC LIMIT $2`,
    [personId, limit],
  );
  return r.rows.map((x) => ({
    personId: x.person_id,
    id: x.id,
    at: x.at,
    fromColour: x.from_colour,
    toColour: x.to_colour,
    reasons: reasonsFrom(x.reasons),
    cause: x.cause,
    packId: x.pack_id,
  }));
}

/** Refs downgraded since `since`: the revocation list scanners poll. */
export async function revokedSince(
  q: Queryable,
  since: Date,
): Promise<{ ref: Uint8Array; downgradedAt: Date }[]> {
  const r = await q.query<{ ref: Uint8Array; downgraded_at: Date }>(
    `SELECT ref, downgraded_at FROM health_codes WHERE downgraded_at >= $1 ORDER BY downgraded_at`,
    [since],
  );
  return r.rows.map((x) => ({ ref: new Uint8Array(x.ref), downgradedAt: x.downgraded_at }));
}

// --- the signal queue ---------------------------------------------------------------------------

export interface Signal {
  id: number;
  kind: "person" | "tube" | "region";
  key: string;
  source: string;
}

/** Takes up to `limit` signals for this transaction (others skip them); deleted when it commits. */
export async function takeSignals(tx: Queryable, limit: number): Promise<Signal[]> {
  const r = await tx.query<Signal>(
    `DELETE FROM health_code_signals WHERE id IN (
       SELECT id FROM health_code_signals ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING id, kind, key, source`,
    [limit],
  );
  return r.rows;
}

/**
 * The people the signals concern who hold a code (those without one get theirs computed when they
 * first open it). A tube concerns its members whose colour is not green (a negative can only turn
 * them green) and the person of a positive single tube (a positive pool recalls its members, which
 * signals them itself); a region, everyone living in it.
 */
export async function signalledPeople(
  tx: Queryable,
  signals: readonly Signal[],
): Promise<{ ids: string[]; sources: Map<string, Set<string>> }> {
  const sources = new Map<string, Set<string>>();
  const add = (id: string, source: string) => {
    let s = sources.get(id);
    if (!s) sources.set(id, (s = new Set()));
    s.add(source);
  };
  const persons = signals.filter((s) => s.kind === "person");
  const tubes = signals.filter((s) => s.kind === "tube").map((s) => s.key);
  const regions = [...new Set(signals.filter((s) => s.kind === "region").map((s) => s.key))];
  if (persons.length) {
    const r = await tx.query<{ person_id: string }>(
      `SELECT person_id FROM health_codes WHERE person_id = ANY($1::uuid[])`,
      [[...new Set(persons.map((s) => s.key))]],
    );
    const holders = new Set(r.rows.map((x) => x.person_id));
    for (const s of persons) if (holders.has(s.key)) add(s.key, s.source);
  }
  if (tubes.length) {
    const r = await tx.query<{ person_id: string }>(
      `SELECT DISTINCT s.person_id FROM nat_swabs s
       JOIN health_codes h ON h.person_id = s.person_id
       JOIN nat_tubes t ON t.barcode = s.tube_barcode
       JOIN nat_lab_results a ON a.barcode = s.tube_barcode AND a.outcome IN ('recorded', 'late')
       WHERE s.tube_barcode = ANY($1::text[])
         AND (h.colour <> 'green' OR (a.result = 'positive' AND (t.size = 1 OR s.retest)))`,
      [tubes],
    );
    for (const x of r.rows) add(x.person_id, "nat_lab_results");
  }
  for (const code of regions) {
    const r = await tx.query<{ person_id: string; current_region_code: string }>(
      `SELECT h.person_id, p.current_region_code FROM health_codes h JOIN persons p ON p.id = h.person_id
       WHERE p.current_region_code LIKE $1 || '%'`,
      [subtreePrefix(code)],
    );
    for (const x of r.rows) if (isWithin(code, x.current_region_code)) add(x.person_id, "area_designations");
  }
  return { ids: [...sources.keys()].sort(), sources };
}

/** People whose colour may have changed with time alone. */
export async function dueRechecks(tx: Queryable, now: Date, limit: number): Promise<string[]> {
  const r = await tx.query<{ person_id: string }>(
    `SELECT person_id FROM health_codes WHERE recheck_at <= $1 ORDER BY recheck_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return r.rows.map((x) => x.person_id);
}

// --- facts ----------------------------------------------------------------------------------------

export async function personBasics(q: Queryable, ids: readonly string[]): Promise<PersonBasics[]> {
  const r = await q.query<{ id: string; current_region_code: string; current_address: string }>(
    `SELECT id, current_region_code, current_address FROM persons WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  return r.rows.map((x) => ({ id: x.id, regionCode: x.current_region_code, address: x.current_address }));
}

let coPresenceTable: boolean | null = null;

/** The last day of a phase that has none (an open-ended quarantine). */
const OPEN_END = "9999-12-31";

/**
 * Everything the colour is computed from, for many people at once. `testsSince`: the oldest test the
 * policy looks at. Areas: designations in force at `now` over each person's address region (a
 * designation of a named compound, only when the address names it).
 */
export async function gatherFacts(
  q: Queryable,
  people: readonly PersonBasics[],
  now: Date,
  testsSince: Date,
): Promise<Map<string, PersonFacts>> {
  const ids = people.map((p) => p.id);
  const facts = new Map<string, PersonFacts>();
  for (const p of people)
    facts.set(p.id, {
      known: true,
      cases: [],
      contacts: [],
      placements: [],
      areas: [],
      recalls: [],
      tests: [],
      coPresence: [],
      override: null,
    });
  if (!ids.length) return facts;
  const f = (id: string) => facts.get(id)!;

  const cases = await q.query<{
    person_id: string;
    id: string;
    classification: string;
    reported_at: Date;
    status: "investigating" | "closed";
    closed_at: Date | null;
  }>(
    `SELECT c.person_id, c.id, c.classification, c.reported_at, c.status, i.closed_at
     FROM tracing_cases c LEFT JOIN tracing_investigations i ON i.person_id = c.person_id AND i.case_id = c.id
     WHERE c.person_id = ANY($1::uuid[])`,
    [ids],
  );
  for (const c of cases.rows)
    f(c.person_id).cases.push({
      id: c.id,
      classification: c.classification,
      reportedAt: c.reported_at,
      status: c.status,
      closedAt: c.closed_at,
    });

  const contacts = await q.query<{
    person_id: string;
    case_id: string;
    kind: "close" | "secondary" | "general";
    last_exposure_at: Date;
    classified_at: Date;
  }>(
    `SELECT person_id, case_id, kind, last_exposure_at, classified_at FROM tracing_contacts WHERE person_id = ANY($1::uuid[])`,
    [ids],
  );
  for (const c of contacts.rows)
    f(c.person_id).contacts.push({
      caseId: c.case_id,
      kind: c.kind,
      lastExposureAt: c.last_exposure_at,
      classifiedAt: c.classified_at,
    });

  const placements = await q.query<{
    person_id: string;
    id: string;
    site_kind: "centralized" | "designated_hospital" | "home";
    status: "placed" | "released" | "ended";
    placed_at: Date;
    released_at: Date | null;
    phases: unknown;
  }>(
    `SELECT p.person_id, p.id, s.kind AS site_kind, p.status, p.placed_at, p.released_at, c.course -> 'phases' AS phases
     FROM quarantine_placements p JOIN quarantine_sites s ON s.id = p.site_id
     JOIN quarantine_courses c ON c.id = p.course_id
     WHERE p.person_id = ANY($1::uuid[])`,
    [ids],
  );
  for (const p of placements.rows) {
    const phases = json<
      {
        kind: PersonFacts["placements"][number]["phases"][number]["kind"];
        start: string | null;
        end: string | null;
      }[]
    >(p.phases ?? []);
    f(p.person_id).placements.push({
      id: p.id,
      siteKind: p.site_kind,
      status: p.status,
      placedAt: p.placed_at,
      releasedAt: p.released_at,
      phases: phases
        .filter((x): x is { kind: typeof x.kind; start: string; end: string | null } => x.start !== null)
        // A phase after one without an end has no end either: it lasts until the course is rescheduled.
        .map((x) => ({ kind: x.kind, start: x.start, end: x.end ?? OPEN_END })),
    });
  }

  const areas = await q.query<{
    id: string;
    kind: PersonFacts["areas"][number]["kind"];
    region_code: string;
    place_name: string | null;
    region_name: string;
    valid_from: Date;
  }>(
    `SELECT d.id, d.kind, d.region_code, d.place_name, r.name AS region_name, d.valid_from
     FROM area_designations d JOIN regions r ON r.code = d.region_code
     WHERE d.valid_from <= $1 AND (d.valid_to IS NULL OR d.valid_to > $1)`,
    [now],
  );
  if (areas.rows.length)
    for (const p of people)
      for (const a of areas.rows)
        // A named compound (place_name) inside a region covers the people whose address names it.
        if (isWithin(a.region_code, p.regionCode) && (!a.place_name || p.address.includes(a.place_name)))
          f(p.id).areas.push({
            id: a.id,
            kind: a.kind,
            placeName: a.place_name,
            regionName: a.region_name,
            validFrom: a.valid_from,
          });

  const recalls = await q.query<{
    person_id: string;
    barcode: string;
    created_at: Date;
    retest_result: "negative" | "positive" | null;
    retest_at: Date | null;
  }>(
    `SELECT person_id, barcode, created_at, retest_result, retest_at FROM nat_recalls
     WHERE person_id = ANY($1::uuid[]) ORDER BY created_at DESC`,
    [ids],
  );
  for (const r of recalls.rows)
    f(r.person_id).recalls.push({
      barcode: r.barcode,
      createdAt: r.created_at,
      retestResult: r.retest_result,
      retestAt: r.retest_at,
    });

  const tests = await q.query<{
    person_id: string;
    barcode: string;
    sampled_at: Date;
    single: boolean;
    result: "negative" | "positive" | "pool_positive" | null;
  }>(
    `SELECT s.person_id, s.tube_barcode AS barcode, s.sampled_at, (t.size = 1 OR s.retest) AS single, s.result
     FROM nat_swab_results s JOIN nat_tubes t ON t.barcode = s.tube_barcode
     WHERE s.person_id = ANY($1::uuid[]) AND s.sampled_at >= $2 ORDER BY s.sampled_at DESC`,
    [ids, testsSince],
  );
  for (const t of tests.rows)
    f(t.person_id).tests.push({
      barcode: t.barcode,
      sampledAt: t.sampled_at,
      single: t.single,
      result: t.result,
    });

  if (coPresenceTable === null) {
    const r = await q.query<{ t: string | null }>(`SELECT to_regclass('co_presence_contacts')::text AS t`);
    coPresenceTable = r.rows[0]?.t != null;
  }
  if (coPresenceTable) {
    const cp = await q.query<{
      person_id: string;
      case_id: string;
      basis: "venue" | "grid_cell";
      place: string | null;
      overlap_to: Date;
      confirmed_at: Date;
    }>(
      `SELECT c.person_id, c.case_id, c.basis, coalesce(v.name, c.cell) AS place, c.overlap_to, c.confirmed_at
       FROM co_presence_contacts c LEFT JOIN venues v ON v.id = c.venue_id
       WHERE c.person_id = ANY($1::uuid[])`,
      [ids],
    );
    for (const c of cp.rows)
      f(c.person_id).coPresence.push({
        caseId: c.case_id,
        basis: c.basis,
        place: c.place ?? "",
        overlapTo: c.overlap_to,
        confirmedAt: c.confirmed_at,
      });
  }

  const overrides = await q.query<{
    person_id: string;
    id: string;
    colour: CodeColour;
    reason: string;
    decided_at: Date;
    expires_at: Date;
  }>(
    `SELECT DISTINCT ON (person_id) person_id, id, colour, reason, decided_at, expires_at FROM health_code_overrides
     WHERE person_id = ANY($1::uuid[]) AND status = 'approved' AND expires_at > $2
     ORDER BY person_id, decided_at DESC`,
    [ids, now],
  );
  for (const o of overrides.rows)
    f(o.person_id).override = {
      id: o.id,
      colour: o.colour,
      reason: o.reason,
      approvedAt: o.decided_at,
      expiresAt: o.expires_at,
    };
  return facts;
}

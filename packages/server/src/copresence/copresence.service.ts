/**
 * Co-presence (时空伴随, issue 7 item 6): for a case, the people who were at the same venue at an
 * overlapping time (venue scans, ± the policy's buffer) or in the same grid cell for more than the
 * policy's minutes (uploaded location points), as candidates for the investigator, who confirms the
 * ones that stand (co_presence_contacts: the colour engine makes them yellow under the pack in force).
 * The rules are the domain's (packages/domain/src/codes/co-presence.ts), the numbers the health-code
 * policy in force at the case's region now (`healthCodePolicyAt`). Access over the case's region:
 * `tracing.view` to search, `tracing.investigate` to confirm and to upload points. Changes audited in
 * their transaction.
 */
import { decideAccess } from "@cordon/domain/accounts/roles";
import {
  cellCoPresence,
  cellOf,
  type CoPresencePolicy,
  DWELL_GAP_MINUTES,
  dwellsOf,
  venueOverlap,
} from "@cordon/domain/codes/co-presence";
import { maskIdNumber } from "@cordon/domain/people/masking";
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import type { FieldError, Message } from "@cordon/domain/shared/result";
import { v7 as uuidv7 } from "uuid";
import { decodeCsv } from "../assist/assist-file.ts";
import { recordAudit } from "../audit/audit.service.ts";
import { healthCodePolicyAt } from "../codes/code-policy.ts";
import type { Db, Queryable } from "../db/db.ts";
import { type RequestContext, requireActor } from "../http/context.ts";
import { AppError, forbidden, invalid } from "../http/errors.ts";
import { maskName } from "../quarantine/certificate.ts";
import { caseFor } from "../tracing/case.service.ts";
import type { CaseRow } from "../tracing/tracing.repository.ts";
import {
  classifiedContacts,
  type CoPresenceContactRow,
  coPresenceContactsOf,
  insertCoPresenceContacts,
  insertPointBatch,
  peopleInCells,
  personLabels,
  pointsOf,
  resolvePeople,
  venueNames,
  venueOverlaps,
} from "./copresence.repository.ts";

const MINUTE = 60_000;

export type Basis = "venue" | "grid_cell";

export interface Candidate {
  personId: string;
  personNameMasked: string;
  documentNumberMasked: string;
  regionCode: string | null;
  basis: Basis;
  venueId: string | null;
  venueName: string | null;
  cell: string | null;
  /** The union of the overlaps with the case at that place: first start, last end, minutes in all. */
  from: Date;
  to: Date;
  minutes: number;
  /** Already confirmed as a co-presence contact of this case at this place. */
  confirmed: boolean;
}

export interface CoPresenceView {
  caseId: string;
  window: { from: Date; to: Date };
  policy: CoPresencePolicy & { packId: string | null; origin: "pack" | "default" };
  /** What the case's itinerary was made of. */
  visits: number;
  points: number;
  candidates: Candidate[];
  /** People left out because they are already classified contacts of the case. */
  excludedContacts: number;
}

interface Found {
  personId: string;
  basis: Basis;
  place: string;
  intervals: { from: number; to: number }[];
}

/** Merges overlapping intervals; returns the first start, the last end and the covered minutes. */
function union(intervals: { from: number; to: number }[]) {
  const xs = [...intervals].sort((a, b) => a.from - b.from);
  let minutes = 0;
  let start = xs[0]!.from;
  let end = xs[0]!.to;
  for (const x of xs.slice(1)) {
    if (x.from > end) {
      minutes += (end - start) / MINUTE;
      start = x.from;
    }
    end = Math.max(end, x.to);
  }
  minutes += (end - start) / MINUTE;
  return { from: new Date(xs[0]!.from), to: new Date(Math.max(...xs.map((x) => x.to))), minutes };
}

/** The search itself, for a case whose access was checked. */
async function search(q: Queryable, packs: readonly LoadedPack[], c: CaseRow, now: Date) {
  const inForce = healthCodePolicyAt(packs, c.regionCode, now);
  const p = inForce.policy.coPresence;
  const since = new Date(now.getTime() - p.lookbackDays * 86_400_000);
  const found = new Map<string, Found>();
  const add = (personId: string, basis: Basis, place: string, from: Date, to: Date) => {
    const key = `${personId}|${basis}|${place}`;
    const f = found.get(key) ?? { personId, basis, place, intervals: [] };
    f.intervals.push({ from: from.getTime(), to: to.getTime() });
    found.set(key, f);
  };

  // Venue rule: the case's scans in the window are its visits.
  const venue = await venueOverlaps(q, {
    personId: c.personId,
    since,
    until: now,
    assumedStayMinutes: p.assumedStayMinutes,
    bufferMinutes: p.bufferMinutes,
  });
  for (const r of venue.overlaps) {
    const o = venueOverlap({ from: r.visitFrom, to: r.visitTo }, r.at, p);
    if (o) add(r.personId, "venue", r.venueId, o.from, o.to);
  }

  // Grid-cell rule: the case's dwells, the people with a point in those cells around those times, and
  // all their points in the window (a point elsewhere ends a dwell; the hours in a cell count all).
  const own = await pointsOf(q, [c.personId], since, now);
  if (own.length) {
    const ownDwells = dwellsOf(own);
    const gap = DWELL_GAP_MINUTES * MINUTE;
    const others = await peopleInCells(
      q,
      ownDwells.map((d) => ({
        cell: d.cell,
        after: new Date(d.from.getTime() - gap),
        before: new Date(d.to.getTime() + gap),
      })),
      c.personId,
    );
    const points = [...own, ...(await pointsOf(q, others, since, now))];
    for (const x of cellCoPresence(c.personId, dwellsOf(points), p))
      add(x.personId, "grid_cell", x.cell, x.from, x.to);
  }
  return {
    inForce,
    p,
    window: { from: since, to: now },
    visits: venue.visits.length,
    points: own.length,
    found: [...found.values()],
  };
}

const placeOf = (x: { basis: Basis; venueId: string | null; cell: string | null }) =>
  x.basis === "venue" ? x.venueId! : x.cell!;

/**
 * The case's co-presence candidates: everyone whose venue scans or location points overlap the case's in
 * the policy's look-back window, one per person and place (the overlaps there merged), without the case's
 * already classified contacts; names and document numbers masked.
 */
export async function coPresenceOf(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  caseId: string,
): Promise<CoPresenceView> {
  const c = await caseFor(db, ctx, caseId, "tracing.view");
  const s = await search(db, packs, c, ctx.now);
  const contacts = await classifiedContacts(db, c.id);
  const kept = s.found.filter((f) => !contacts.has(f.personId));
  const confirmed = new Set(
    (await coPresenceContactsOf(db, c.id)).map((x) => `${x.personId}|${x.basis}|${placeOf(x)}`),
  );

  const people = await personLabels(
    db,
    kept.map((f) => f.personId),
  );
  const venues = await venueNames(
    db,
    kept.filter((f) => f.basis === "venue").map((f) => f.place),
  );
  const candidates = kept.map((f): Candidate => {
    const u = union(f.intervals);
    const person = people.get(f.personId);
    return {
      personId: f.personId,
      personNameMasked: person ? maskName(person.name) : "",
      documentNumberMasked: person ? maskIdNumber(person.documentNumber) : "",
      regionCode: person?.regionCode ?? null,
      basis: f.basis,
      venueId: f.basis === "venue" ? f.place : null,
      venueName: f.basis === "venue" ? (venues.get(f.place) ?? null) : null,
      cell: f.basis === "grid_cell" ? f.place : null,
      ...u,
      confirmed: confirmed.has(`${f.personId}|${f.basis}|${f.place}`),
    };
  });
  candidates.sort(
    (a, b) =>
      a.from.getTime() - b.from.getTime() ||
      a.personId.localeCompare(b.personId) ||
      a.basis.localeCompare(b.basis),
  );
  return {
    caseId: c.id,
    window: s.window,
    policy: { ...s.p, packId: s.inForce.packId, origin: s.inForce.origin },
    visits: s.visits,
    points: s.points,
    candidates,
    excludedContacts: new Set(s.found.filter((f) => contacts.has(f.personId)).map((f) => f.personId)).size,
  };
}

export interface ConfirmItem {
  personId: string;
  basis: Basis;
  venueId?: string | null | undefined;
  cell?: string | null | undefined;
}

/**
 * Confirms candidates as co-presence contacts of the case. Each is looked up in a fresh search (the
 * overlap stored is the server's, not the caller's): one that is not a candidate now (no overlap, or
 * already a classified contact) refuses the whole request, nothing stored. Confirming one already
 * confirmed stores nothing more. Audited `tracing.co_presence_confirm`.
 */
export async function confirmCoPresence(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  caseId: string,
  items: readonly ConfirmItem[],
): Promise<{ confirmed: CoPresenceContactRow[]; alreadyConfirmed: number }> {
  const actor = requireActor(ctx);
  return db.transaction(async (tx) => {
    const c = await caseFor(tx, ctx, caseId, "tracing.investigate", true);
    const s = await search(tx, packs, c, ctx.now);
    const contacts = await classifiedContacts(tx, c.id);
    const byKey = new Map(s.found.map((f) => [`${f.personId}|${f.basis}|${f.place}`, f]));
    const errors: FieldError[] = [];
    const rows: CoPresenceContactRow[] = [];
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const place = item.basis === "venue" ? item.venueId : item.cell;
      const key = `${item.personId}|${item.basis}|${place ?? ""}`;
      const f = byKey.get(key);
      if (!place || !f) {
        errors.push({
          field: `candidates[${i}]`,
          code: "co_presence.not_a_candidate",
          message: {
            zh: "此人在该场所或网格与病例没有时间重叠（或已不在追溯期内）：请重新查询后确认",
            en: "This person has no overlap with the case at that place (or it left the look-back window): search again, then confirm",
          },
        });
        return;
      }
      if (contacts.has(item.personId)) {
        errors.push({
          field: `candidates[${i}]`,
          code: "co_presence.already_contact",
          message: {
            zh: "此人已判定为该病例的接触者，按密接流程处置，无需再确认为时空伴随者",
            en: "This person is already a classified contact of the case, handled as such: no co-presence confirmation needed",
          },
        });
        return;
      }
      if (seen.has(key)) return;
      seen.add(key);
      const u = union(f.intervals);
      rows.push({
        caseId: c.id,
        personId: f.personId,
        id: uuidv7(),
        basis: f.basis,
        venueId: f.basis === "venue" ? f.place : null,
        cell: f.basis === "grid_cell" ? f.place : null,
        overlapFrom: u.from,
        overlapTo: u.to,
        confirmedBy: actor.userId,
        confirmedAt: ctx.now,
      });
    });
    if (errors.length) throw invalid(errors);
    const stored = await insertCoPresenceContacts(tx, rows);
    if (stored.length)
      await recordAudit(tx, ctx, {
        action: "tracing.co_presence_confirm",
        entityType: "tracing_case",
        entityId: c.id,
        regionCode: c.regionCode,
        after: {
          contacts: stored.map((x) => ({
            id: x.id,
            personId: x.personId,
            basis: x.basis,
            venueId: x.venueId,
            cell: x.cell,
            from: x.overlapFrom.toISOString(),
            to: x.overlapTo.toISOString(),
          })),
        },
      });
    return { confirmed: stored, alreadyConfirmed: rows.length - stored.length };
  });
}

/** The most rows one points file may have. */
export const MAX_POINT_ROWS = 200_000;
/** Bad lines named one by one (the others counted). */
const MAX_NAMED = 1000;

export interface PointLineError {
  /** 1-based line of the file (the header is line 1). */
  line: number;
  field: string;
  code: string;
  message: Message;
}

const HEADINGS: Record<string, "person_id" | "document_number" | "at" | "lat" | "lon"> = {
  person_id: "person_id",
  人员id: "person_id",
  document_number: "document_number",
  证件号码: "document_number",
  at: "at",
  time: "at",
  时间: "at",
  lat: "lat",
  latitude: "lat",
  纬度: "lat",
  lon: "lon",
  lng: "lon",
  longitude: "lon",
  经度: "lon",
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const LOCAL = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})(:\d{2})?$/;

/** A time as ISO 8601 with its offset, or "YYYY-MM-DD HH:MM[:SS]" in Beijing time; null if neither. */
export function parsePointTime(s: string): Date | null {
  let t: number;
  if (ISO.test(s)) t = Date.parse(s);
  else {
    const m = LOCAL.exec(s);
    if (!m) return null;
    t = Date.parse(`${m[1]}T${m[2]}${m[3] ?? ":00"}+08:00`);
  }
  return Number.isNaN(t) ? null : new Date(t);
}

const splitLine = (line: string) =>
  line.split(",").map((c) =>
    c
      .trim()
      .replace(/^"(.*)"$/, "$1")
      .trim(),
  );

/**
 * Stores a file of location points (CSV, UTF-8 or GB18030): columns person_id or document_number (人员ID
 * / 证件号码), at (时间: ISO 8601 with offset, or "YYYY-MM-DD HH:MM[:SS]" Beijing time), lat (纬度), lon
 * (经度), WGS-84 degrees. All or nothing: a wrong header, or any bad line (unknown person, document
 * number of several people, bad or future time, coordinates out of range), refuses the file with every
 * bad line named (the first 1,000), nothing stored. A point of a person at a time already stored is
 * counted as a duplicate. Each point is stored with its grid cell for the policy in force at the
 * uploader's jurisdiction. Audited `tracing.location_points`.
 */
export async function importLocationPoints(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  bytes: Uint8Array,
  opts: { source: string; fileName: string | null },
): Promise<{ batchId: string; read: number; stored: number; duplicates: number; people: number }> {
  const actor = requireActor(ctx);
  const d = decideAccess(actor, "tracing.investigate", [actor.jurisdiction]);
  if (!d.allowed) throw forbidden(d.reason);
  let text: string;
  try {
    text = decodeCsv(bytes).text.replace(/^\uFEFF/, "");
  } catch (e) {
    if (e instanceof AppError) throw new AppError(422, "co_presence.file_refused", e.msg);
    throw e;
  }
  const lines = text.split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== "");
  if (headerAt < 0)
    throw new AppError(422, "co_presence.file_empty", { zh: "文件是空的", en: "The file is empty" });
  const header = splitLine(lines[headerAt]!).map((h) => HEADINGS[h.toLowerCase()] ?? null);
  const col = (name: string) => header.indexOf(name as never);
  const iPerson = col("person_id");
  const iDoc = col("document_number");
  const iAt = col("at");
  const iLat = col("lat");
  const iLon = col("lon");
  const missing: string[] = [];
  if (iPerson < 0 && iDoc < 0) missing.push("person_id / document_number");
  if (iAt < 0) missing.push("at");
  if (iLat < 0) missing.push("lat");
  if (iLon < 0) missing.push("lon");
  if (missing.length)
    throw invalid([
      {
        field: "header",
        code: "co_presence.bad_header",
        message: {
          zh: `表头缺少列：${missing.join("、")}（应有 person_id 或 document_number、at、lat、lon，或 人员ID/证件号码、时间、纬度、经度）`,
          en: `The header lacks: ${missing.join(", ")} (expected person_id or document_number, at, lat, lon)`,
        },
      },
    ]);
  const policy = healthCodePolicyAt(packs, actor.jurisdiction, ctx.now).policy.coPresence;
  const errors: PointLineError[] = [];
  let bad = 0;
  const fail = (line: number, field: string, code: string, zh: string, en: string) => {
    bad++;
    if (errors.length < MAX_NAMED) errors.push({ line, field, code, message: { zh, en } });
  };
  const parsed: {
    line: number;
    id: string | null;
    doc: string | null;
    at: Date;
    lat: number;
    lon: number;
  }[] = [];
  let read = 0;
  for (let k = headerAt + 1; k < lines.length; k++) {
    if (lines[k]!.trim() === "") continue;
    read++;
    if (read > MAX_POINT_ROWS)
      throw new AppError(422, "co_presence.too_many_rows", {
        zh: `文件超过 ${MAX_POINT_ROWS} 行：请拆分后分批上传`,
        en: `The file has more than ${MAX_POINT_ROWS} rows: split it and upload the parts`,
      });
    const line = k + 1;
    const cells = splitLine(lines[k]!);
    const id = iPerson >= 0 ? cells[iPerson] || null : null;
    const doc = iDoc >= 0 ? cells[iDoc] || null : null;
    let ok = true;
    if (!id && !doc) {
      fail(
        line,
        "person",
        "co_presence.no_person",
        "缺少人员ID或证件号码",
        "No person id or document number",
      );
      ok = false;
    } else if (id && !UUID.test(id)) {
      fail(
        line,
        "person_id",
        "co_presence.bad_person_id",
        `人员ID「${id}」格式不对`,
        `Person id "${id}" is not a UUID`,
      );
      ok = false;
    }
    const atText = cells[iAt] ?? "";
    const at = parsePointTime(atText);
    if (!at) {
      fail(
        line,
        "at",
        "co_presence.bad_time",
        `时间「${atText}」无法识别（应为 2022-04-20 08:15 或带时区的 ISO 8601）`,
        `Time "${atText}" is not understood (expected 2022-04-20 08:15, or ISO 8601 with an offset)`,
      );
      ok = false;
    } else if (at.getTime() > ctx.now.getTime()) {
      fail(
        line,
        "at",
        "co_presence.future_time",
        `时间「${atText}」在未来`,
        `Time "${atText}" is in the future`,
      );
      ok = false;
    }
    const latText = cells[iLat] ?? "";
    const lonText = cells[iLon] ?? "";
    const lat = Number(latText);
    const lon = Number(lonText);
    if (latText === "" || !Number.isFinite(lat) || lat < -90 || lat > 90) {
      fail(
        line,
        "lat",
        "co_presence.bad_lat",
        `纬度「${latText}」不在 −90 到 90 之间`,
        `Latitude "${latText}" is not between −90 and 90`,
      );
      ok = false;
    }
    if (lonText === "" || !Number.isFinite(lon) || lon < -180 || lon > 180) {
      fail(
        line,
        "lon",
        "co_presence.bad_lon",
        `经度「${lonText}」不在 −180 到 180 之间`,
        `Longitude "${lonText}" is not between −180 and 180`,
      );
      ok = false;
    }
    if (ok) parsed.push({ line, id, doc, at: at!, lat, lon });
  }
  if (!read && !bad)
    throw new AppError(422, "co_presence.file_empty", {
      zh: "文件没有数据行",
      en: "The file has no data rows",
    });
  const known = await resolvePeople(
    db,
    parsed.flatMap((r) => (r.id ? [r.id.toLowerCase()] : [])),
    parsed.flatMap((r) => (!r.id && r.doc ? [r.doc] : [])),
  );
  const points: { personId: string; at: Date; lat: number; lon: number; cell: string }[] = [];
  for (const r of parsed) {
    let personId: string | null = null;
    if (r.id) {
      if (known.ids.has(r.id.toLowerCase())) personId = r.id.toLowerCase();
      else
        fail(
          r.line,
          "person_id",
          "co_presence.unknown_person",
          `人员库中没有人员ID「${r.id}」`,
          `No person with id "${r.id}" in the registry`,
        );
    } else {
      const ids = known.byDocument.get(r.doc!) ?? [];
      if (ids.length === 1) personId = ids[0]!;
      else if (!ids.length)
        fail(
          r.line,
          "document_number",
          "co_presence.unknown_document",
          `人员库中没有证件号码「${r.doc}」`,
          `No person with document number "${r.doc}" in the registry`,
        );
      else
        fail(
          r.line,
          "document_number",
          "co_presence.ambiguous_document",
          `证件号码「${r.doc}」对应多人（证件类型不同）：请改用人员ID`,
          `Document number "${r.doc}" names several people (different document types): use the person id`,
        );
    }
    if (personId)
      points.push({
        personId,
        at: r.at,
        lat: r.lat,
        lon: r.lon,
        cell: cellOf(r.lat, r.lon, policy.gridCellMeters),
      });
  }
  if (bad) {
    errors.sort((a, b) => a.line - b.line);
    const fields = errors.map((e) => ({
      field: `rows[${e.line}].${e.field}`,
      code: e.code,
      message: e.message,
    }));
    if (bad > errors.length)
      fields.push({
        field: "file",
        code: "co_presence.more_bad_lines",
        message: {
          zh: `另有 ${bad - errors.length} 处错误未列出`,
          en: `${bad - errors.length} more errors not listed`,
        },
      });
    throw invalid(fields);
  }
  return db.transaction(async (tx) => {
    const batchId = uuidv7();
    const r = await insertPointBatch(
      tx,
      {
        id: batchId,
        source: opts.source,
        fileName: opts.fileName,
        uploadedBy: actor.userId,
        uploadedAt: ctx.now,
      },
      points,
    );
    const people = new Set(points.map((x) => x.personId)).size;
    await recordAudit(tx, ctx, {
      action: "tracing.location_points",
      entityType: "location_point_batch",
      entityId: batchId,
      regionCode: actor.jurisdiction,
      after: {
        source: opts.source,
        fileName: opts.fileName,
        read,
        stored: r.stored,
        duplicates: r.duplicates,
        people,
      },
    });
    return { batchId, read, stored: r.stored, duplicates: r.duplicates, people };
  });
}

/**
 * Health codes (健康码) as a service: a citizen's own signed code with its reasons; a person's code,
 * history and overrides for staff; the public keys and revocation list scanners fetch; manual
 * overrides, which need a written reason and two different users, expire, are shown to the person and
 * listed on a report. No endpoint sets a colour directly, and none changes more than one person: every
 * colour comes from the rules (code-worker.ts) or from one approved override.
 */
import { decideAccess } from "@cordon/domain/accounts/roles";
import type { ColourReason } from "@cordon/domain/codes/colour";
import { base64urlEncode, bytesToHex, signCode } from "@cordon/domain/codes/format";
import type { CodeColour } from "@cordon/domain/codes/policy";
import { maskIdNumber } from "@cordon/domain/people/masking";
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import { subtreePrefix } from "@cordon/domain/regions/region-code";
import { v7 as uuidv7 } from "uuid";
import { recordAudit } from "../audit/audit.service.ts";
import type { Db, Queryable } from "../db/db.ts";
import { conflict, type RequestContext, requireActor } from "../http/context.ts";
import { AppError, forbidden, invalid, notFound } from "../http/errors.ts";
import { findPerson } from "../people/person.repository.ts";
import { type CodeChange, codeHistory, revokedSince, type StoredCode } from "./code.repository.ts";
import { addKey, type KeyRing, publishedKeys } from "./code-keys.ts";
import { healthCodePolicyAt, longestCodeLifeSeconds } from "./code-policy.ts";
import { ensureCodes } from "./code-worker.ts";

export interface CodeDeps {
  db: Db;
  packs: readonly LoadedPack[];
  keys: KeyRing;
}

const PERSON = { zh: "人员", en: "Person" };
const OVERRIDE = { zh: "人工赋码申请", en: "Override request" };
/** A written reason: at least this many characters (a sentence, not "ok"). */
export const MIN_OVERRIDE_REASON = 10;

export interface IssuedCode {
  code: string;
  colour: CodeColour;
  since: Date;
  reasons: ColourReason[];
  issuedAt: Date;
  expiresAt: Date;
  override: OverrideRow | null;
}

/** Signs a code for a stored colour: valid from now for the policy's validity. */
async function issue(deps: CodeDeps, stored: StoredCode, regionCode: string, now: Date) {
  const { policy } = healthCodePolicyAt(deps.packs, regionCode, now);
  const signer = await deps.keys.signer(now);
  // Scanners refuse a code whose ref was downgraded in or after the second it was issued (whole
  // seconds, docs/capabilities/health-code-format.md): a code issued in the same second as the
  // downgrade is dated the next second, within the scanners' clock tolerance.
  const downgraded = stored.downgradedAt ? Math.floor(stored.downgradedAt.getTime() / 1000) : -1;
  const issuedAt = Math.max(Math.floor(now.getTime() / 1000), downgraded + 1);
  const expiresAt = issuedAt + policy.code.validitySeconds;
  const code = await signCode(
    {
      kid: signer.kid,
      ref: stored.ref,
      colour: stored.colour,
      // No vaccination records are kept yet: the code says so rather than guessing.
      vaccination: "unknown",
      issuedAt,
      expiresAt,
    },
    signer.key,
  );
  return { code, issuedAt: new Date(issuedAt * 1000), expiresAt: new Date(expiresAt * 1000) };
}

/** The citizen's own code: the stored colour (computed on first use), signed now. */
export async function myCode(deps: CodeDeps, ctx: RequestContext): Promise<IssuedCode> {
  const actor = requireActor(ctx);
  if (!actor.personId)
    throw new AppError(403, "no_person", {
      zh: "此账号未关联人员档案，没有健康码",
      en: "This account is not linked to a person record, so it has no health code",
    });
  const person = await findPerson(deps.db, actor.personId);
  if (!person) throw notFound(PERSON);
  const [stored] = await ensureCodes(deps.db, deps.packs, [person.id], ctx.now);
  const signed = await issue(deps, stored!, person.currentRegionCode, ctx.now);
  const override = (await overridesOf(deps.db, person.id)).find(
    (o) => o.status === "approved" && o.expiresAt! > ctx.now,
  );
  return {
    ...signed,
    colour: stored!.colour,
    since: stored!.since,
    reasons: stored!.reasons,
    override: override ?? null,
  };
}

export interface PersonCode {
  personId: string;
  colour: CodeColour;
  since: Date;
  reasons: ColourReason[];
  computedAt: Date;
  recheckAt: Date | null;
  history: CodeChange[];
  overrides: OverrideRow[];
}

/** A person's code for staff (people.read in their jurisdiction): colour, reasons, history, overrides. */
export async function personCode(deps: CodeDeps, ctx: RequestContext, personId: string): Promise<PersonCode> {
  const actor = requireActor(ctx);
  const person = await findPerson(deps.db, personId);
  if (!person) throw notFound(PERSON);
  const d = decideAccess(actor, "people.read", [person.currentRegionCode]);
  if (!d.allowed) throw forbidden(d.reason);
  const [stored] = await ensureCodes(deps.db, deps.packs, [personId], ctx.now);
  return {
    personId,
    colour: stored!.colour,
    since: stored!.since,
    reasons: stored!.reasons,
    computedAt: stored!.computedAt,
    recheckAt: stored!.recheckAt,
    history: await codeHistory(deps.db, personId),
    overrides: await overridesOf(deps.db, personId),
  };
}

// --- what scanners fetch ----------------------------------------------------------------------------

export async function scannerConfig(deps: CodeDeps, now: Date) {
  const keep = longestCodeLifeSeconds(deps.packs);
  const keys = publishedKeys(await deps.keys.current(now), now, keep);
  // The gate's numbers are the defaults unless a national pack sets them: a scanner is not told where it is.
  const { policy } = healthCodePolicyAt(deps.packs, "000000", now);
  return {
    keys: keys.map((k) => ({
      kid: k.kid,
      publicKey: base64urlEncode(k.publicKey),
      activeFrom: k.activeFrom,
      retiredAt: k.retiredAt,
    })),
    policy: {
      validitySeconds: policy.code.validitySeconds,
      skewSeconds: policy.code.skewSeconds,
      revocationPollSeconds: policy.code.revocationPollSeconds,
      feverCelsius: policy.gate.feverCelsius,
      admit: policy.gate.admit,
    },
  };
}

/**
 * Codes downgraded since `since` (at most as far back as the longest code's life: older downgrades
 * concern only codes that have expired anyway).
 */
export async function revocationList(deps: CodeDeps, now: Date, since: Date | null) {
  const floor = new Date(now.getTime() - longestCodeLifeSeconds(deps.packs) * 1000);
  const from = since && since > floor ? since : floor;
  const rows = await revokedSince(deps.db, from);
  return {
    asOf: now,
    revocations: rows.map((r) => ({ ref: bytesToHex(r.ref), downgradedAt: r.downgradedAt })),
  };
}

// --- overrides --------------------------------------------------------------------------------------

export interface OverrideRow {
  id: string;
  personId: string;
  colour: CodeColour;
  reason: string;
  hours: number;
  regionCode: string;
  requestedBy: string;
  requestedByName: string | null;
  requestedAt: Date;
  status: "pending" | "approved" | "rejected" | "revoked" | "withdrawn";
  decidedBy: string | null;
  decidedByName: string | null;
  decidedAt: Date | null;
  decisionNote: string | null;
  expiresAt: Date | null;
  revokedBy: string | null;
  revokedAt: Date | null;
  revokeReason: string | null;
}

interface RawOverride {
  id: string;
  person_id: string;
  colour: CodeColour;
  reason: string;
  hours: number;
  region_code: string;
  requested_by: string;
  requested_by_name: string | null;
  requested_at: Date;
  status: OverrideRow["status"];
  decided_by: string | null;
  decided_by_name: string | null;
  decided_at: Date | null;
  decision_note: string | null;
  expires_at: Date | null;
  revoked_by: string | null;
  revoked_at: Date | null;
  revoke_reason: string | null;
}

const overrideOut = (r: RawOverride): OverrideRow => ({
  id: r.id,
  personId: r.person_id,
  colour: r.colour,
  reason: r.reason,
  hours: r.hours,
  regionCode: r.region_code,
  requestedBy: r.requested_by,
  requestedByName: r.requested_by_name,
  requestedAt: r.requested_at,
  status: r.status,
  decidedBy: r.decided_by,
  decidedByName: r.decided_by_name,
  decidedAt: r.decided_at,
  decisionNote: r.decision_note,
  expiresAt: r.expires_at,
  revokedBy: r.revoked_by,
  revokedAt: r.revoked_at,
  revokeReason: r.revoke_reason,
});

const OVERRIDE_SELECT = `SELECT o.*, ru.display_name AS requested_by_name, du.display_name AS decided_by_name
  FROM health_code_overrides o
  LEFT JOIN users ru ON ru.id = o.requested_by LEFT JOIN users du ON du.id = o.decided_by`;

async function overridesOf(q: Queryable, personId: string): Promise<OverrideRow[]> {
  const r = await q.query<RawOverride>(
    `${OVERRIDE_SELECT} WHERE o.person_id = $1 ORDER BY o.requested_at DESC`,
    [personId],
  );
  return r.rows.map(overrideOut);
}

async function findOverride(q: Queryable, id: string, lock = false): Promise<OverrideRow | null> {
  const r = await q.query<RawOverride>(
    lock
      ? `SELECT o.*, NULL AS requested_by_name, NULL AS decided_by_name FROM health_code_overrides o WHERE o.id = $1 FOR UPDATE`
      : `${OVERRIDE_SELECT} WHERE o.id = $1`,
    [id],
  );
  return r.rows[0] ? overrideOut(r.rows[0]) : null;
}

export interface OverrideInput {
  colour: string;
  reason: string;
  hours: number;
}

/** Requests a colour by hand for one person: a written reason, a limited time; needs a second user's approval. */
export async function requestOverride(
  deps: CodeDeps,
  ctx: RequestContext,
  personId: string,
  input: OverrideInput,
): Promise<OverrideRow> {
  const actor = requireActor(ctx);
  const person = await findPerson(deps.db, personId);
  if (!person) throw notFound(PERSON);
  const d = decideAccess(actor, "codes.override", [person.currentRegionCode]);
  if (!d.allowed) throw forbidden(d.reason);
  const { policy } = healthCodePolicyAt(deps.packs, person.currentRegionCode, ctx.now);
  const errors = [];
  if (!["green", "yellow", "red"].includes(input.colour))
    errors.push({
      field: "colour",
      code: "override.colour",
      message: { zh: "只能设为绿码、黄码或红码", en: "The colour must be green, yellow or red" },
    });
  if (input.reason.trim().length < MIN_OVERRIDE_REASON)
    errors.push({
      field: "reason",
      code: "override.reason",
      message: {
        zh: `须写明理由（至少 ${MIN_OVERRIDE_REASON} 个字）：赋码依据将展示给本人并列入报表`,
        en: `Write the reason (at least ${MIN_OVERRIDE_REASON} characters): it is shown to the person and listed on the report`,
      },
    });
  if (!Number.isInteger(input.hours) || input.hours < 1 || input.hours > policy.override.maxHours)
    errors.push({
      field: "hours",
      code: "override.hours",
      message: {
        zh: `有效时长须为 1 到 ${policy.override.maxHours} 小时的整数（规则包规定的上限）`,
        en: `The duration must be a whole number of hours from 1 to ${policy.override.maxHours} (the pack's limit)`,
      },
    });
  if (errors.length) throw invalid(errors);
  const id = uuidv7();
  await deps.db.transaction(async (tx) => {
    const open = await tx.query(
      `SELECT 1 FROM health_code_overrides WHERE person_id = $1 AND status = 'pending'`,
      [personId],
    );
    if (open.rowCount)
      throw conflict(
        "此人已有一项待审批的人工赋码申请：请先审批或撤回",
        "This person already has an override request waiting for approval: decide or withdraw it first",
      );
    await tx.query(
      `INSERT INTO health_code_overrides (id, person_id, colour, reason, hours, region_code, requested_by, requested_at, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending')`,
      [
        id,
        personId,
        input.colour,
        input.reason.trim(),
        input.hours,
        person.currentRegionCode,
        actor.userId,
        ctx.now,
      ],
    );
    await recordAudit(tx, ctx, {
      action: "code_override.request",
      entityType: "health_code",
      entityId: personId,
      regionCode: person.currentRegionCode,
      after: { id, colour: input.colour, reason: input.reason.trim(), hours: input.hours },
    });
  });
  return (await findOverride(deps.db, id))!;
}

/**
 * Approves or rejects a request. The approver must hold codes.override over the person and must not
 * be the requester (checked here and by the database). Approval starts the clock: it expires `hours`
 * later; the worker applies it within seconds (the update signals the person).
 */
export async function decideOverride(
  deps: CodeDeps,
  ctx: RequestContext,
  id: string,
  input: { approve: boolean; note?: string | null | undefined },
): Promise<OverrideRow> {
  const actor = requireActor(ctx);
  await deps.db.transaction(async (tx) => {
    const o = await findOverride(tx, id, true);
    if (!o) throw notFound(OVERRIDE);
    const d = decideAccess(actor, "codes.override", [o.regionCode]);
    if (!d.allowed) throw forbidden(d.reason);
    if (o.status !== "pending")
      throw conflict("此申请已处理，不能再审批", "This request has already been decided");
    if (o.requestedBy === actor.userId)
      throw new AppError(403, "override.same_user", {
        zh: "人工赋码须由另一名有权限的人员审批：申请人不能审批自己的申请",
        en: "An override needs a second authorized user: the requester cannot approve their own request",
      });
    const note = input.note?.trim() || null;
    if (!input.approve && !note)
      throw invalid([
        {
          field: "note",
          code: "override.note",
          message: { zh: "驳回须写明理由", en: "A rejection needs a reason" },
        },
      ]);
    const expiresAt = input.approve ? new Date(ctx.now.getTime() + o.hours * 3_600_000) : null;
    await tx.query(
      `UPDATE health_code_overrides SET status = $2, decided_by = $3, decided_at = $4, decision_note = $5, expires_at = $6
       WHERE id = $1`,
      [id, input.approve ? "approved" : "rejected", actor.userId, ctx.now, note, expiresAt],
    );
    await recordAudit(tx, ctx, {
      action: input.approve ? "code_override.approve" : "code_override.reject",
      entityType: "health_code",
      entityId: o.personId,
      regionCode: o.regionCode,
      before: { id, status: "pending" },
      after: { id, status: input.approve ? "approved" : "rejected", note, expiresAt },
    });
  });
  return (await findOverride(deps.db, id))!;
}

/** Ends an approved override early (the rules' colour returns), or withdraws a pending request; with a reason. */
export async function revokeOverride(
  deps: CodeDeps,
  ctx: RequestContext,
  id: string,
  input: { reason: string },
): Promise<OverrideRow> {
  const actor = requireActor(ctx);
  await deps.db.transaction(async (tx) => {
    const o = await findOverride(tx, id, true);
    if (!o) throw notFound(OVERRIDE);
    const d = decideAccess(actor, "codes.override", [o.regionCode]);
    if (!d.allowed) throw forbidden(d.reason);
    const active = o.status === "approved" && o.expiresAt! > ctx.now;
    if (!active && o.status !== "pending")
      throw conflict("此人工赋码已结束，无需撤销", "This override has already ended");
    if (!input.reason.trim())
      throw invalid([
        {
          field: "reason",
          code: "override.revoke_reason",
          message: { zh: "须写明撤销理由", en: "Give the reason" },
        },
      ]);
    const status = o.status === "pending" ? "withdrawn" : "revoked";
    await tx.query(
      `UPDATE health_code_overrides SET status = $2, revoked_by = $3, revoked_at = $4, revoke_reason = $5 WHERE id = $1`,
      [id, status, actor.userId, ctx.now, input.reason.trim()],
    );
    await recordAudit(tx, ctx, {
      action: status === "withdrawn" ? "code_override.withdraw" : "code_override.revoke",
      entityType: "health_code",
      entityId: o.personId,
      regionCode: o.regionCode,
      before: { id, status: o.status },
      after: { id, status, reason: input.reason.trim() },
    });
  });
  return (await findOverride(deps.db, id))!;
}

export interface OverrideReportRow extends OverrideRow {
  personName: string;
  personDocument: string;
  /** Approved and not yet expired or revoked at the time of the report. */
  inForce: boolean;
}

/** The overrides report: every request in the caller's jurisdiction, newest first, with who asked and who approved. */
export async function overrideReport(
  deps: CodeDeps,
  ctx: RequestContext,
  f: { status?: OverrideRow["status"] | undefined; from?: Date | undefined; to?: Date | undefined },
): Promise<OverrideReportRow[]> {
  const actor = requireActor(ctx);
  const d = decideAccess(actor, "codes.override", [actor.jurisdiction]);
  if (!d.allowed) {
    const v = decideAccess(actor, "audit.read", [actor.jurisdiction]);
    if (!v.allowed) throw forbidden(v.reason);
  }
  const r = await deps.db.query<RawOverride & { person_name: string; document_number: string }>(
    `${OVERRIDE_SELECT.replace(
      "FROM health_code_overrides o",
      "FROM health_code_overrides o JOIN persons p ON p.id = o.person_id",
    ).replace("SELECT o.*,", "SELECT o.*, p.name AS person_name, p.document_number,")}
     WHERE o.region_code LIKE $1 || '%' AND ($2::text IS NULL OR o.status = $2)
       AND ($3::timestamptz IS NULL OR o.requested_at >= $3) AND ($4::timestamptz IS NULL OR o.requested_at < $4)
     ORDER BY o.requested_at DESC LIMIT 1000`,
    [subtreePrefix(actor.jurisdiction), f.status ?? null, f.from ?? null, f.to ?? null],
  );
  return r.rows.map((x) => {
    const o = overrideOut(x);
    return {
      ...o,
      personName: x.person_name,
      personDocument: maskIdNumber(x.document_number),
      inForce: o.status === "approved" && o.expiresAt! > ctx.now,
    };
  });
}

/** Rotates the signing key (administrator): a new key signs from now; the old one stays published. */
export async function rotateKey(deps: CodeDeps, ctx: RequestContext) {
  const actor = requireActor(ctx);
  const d = decideAccess(actor, "users.manage", ["000000"]);
  if (!d.allowed || actor.jurisdiction !== "000000") throw forbidden("permission");
  const key = await deps.db.transaction(async (tx) => {
    const k = (await addKey(tx, ctx.now, actor.userId, { onlyIfNone: false }))!;
    await recordAudit(tx, ctx, {
      action: "code_key.rotate",
      entityType: "code_key",
      entityId: String(k.kid),
      regionCode: null,
      after: { kid: k.kid, publicKey: base64urlEncode(k.publicKey) },
    });
    return k;
  });
  deps.keys.invalidate();
  return { kid: key.kid, publicKey: base64urlEncode(key.publicKey), activeFrom: key.activeFrom };
}

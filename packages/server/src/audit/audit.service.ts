import { hasPermission } from "@cordon/domain/accounts/roles";
import { subtreePrefix } from "@cordon/domain/regions/region-code";
import type { Db, Queryable } from "../db/db.ts";
import { type RequestContext, requireActor } from "../http/context.ts";
import { forbidden } from "../http/errors.ts";
import { type AuditFilter, type AuditRow, insertAudit, searchAudit } from "./audit.repository.ts";

export interface AuditEvent {
  action: string;
  entityType: string;
  entityId: string | null;
  regionCode: string | null;
  before?: unknown;
  after?: unknown;
}

/** Appends one audit entry in the caller's transaction, so a write and its trace commit together. */
export function recordAudit(q: Queryable, ctx: RequestContext, ev: AuditEvent): Promise<void> {
  return insertAudit(q, {
    at: ctx.now,
    actorId: ctx.actor?.userId ?? null,
    actorUsername: ctx.actor?.username ?? null,
    actorRole: ctx.actor?.role ?? null,
    action: ev.action,
    entityType: ev.entityType,
    entityId: ev.entityId,
    regionCode: ev.regionCode,
    before: ev.before ?? null,
    after: ev.after ?? null,
    ip: ctx.ip,
  });
}

/** The fields that changed between two snapshots: before and after hold only those. */
export function changedFields<T extends object>(
  before: T,
  after: T,
): { before: Partial<T>; after: Partial<T> } | null {
  const b: Partial<T> = {};
  const a: Partial<T> = {};
  for (const k of Object.keys(after) as (keyof T)[]) {
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) {
      b[k] = before[k];
      a[k] = after[k];
    }
  }
  return Object.keys(a).length ? { before: b, after: a } : null;
}

export async function searchAuditLog(
  db: Db,
  ctx: RequestContext,
  f: Omit<AuditFilter, "regionPrefix">,
): Promise<{ rows: AuditRow[]; total: number }> {
  const actor = requireActor(ctx);
  if (!hasPermission(actor.role, "audit.read")) throw forbidden("permission");
  return searchAudit(db, { ...f, regionPrefix: subtreePrefix(actor.jurisdiction) });
}

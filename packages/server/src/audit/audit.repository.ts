import { v7 as uuidv7 } from "uuid";
import type { Queryable } from "../db/db.ts";

export interface AuditEntry {
  at: Date;
  actorId: string | null;
  actorUsername: string | null;
  actorRole: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  regionCode: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
}

export interface AuditRow extends AuditEntry {
  id: string;
}

export async function insertAudit(q: Queryable, e: AuditEntry): Promise<void> {
  await q.query(
    `INSERT INTO audit_log (id, at, actor_id, actor_username, actor_role, action, entity_type, entity_id, region_code, before, after, ip)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      uuidv7(),
      e.at,
      e.actorId,
      e.actorUsername,
      e.actorRole,
      e.action,
      e.entityType,
      e.entityId,
      e.regionCode,
      e.before === undefined ? null : JSON.stringify(e.before),
      e.after === undefined ? null : JSON.stringify(e.after),
      e.ip,
    ],
  );
}

export interface AuditFilter {
  /** Subtree prefix of the reader's jurisdiction ("" for the whole country). */
  regionPrefix: string;
  action?: string | undefined;
  entityType?: string | undefined;
  entityId?: string | undefined;
  actor?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
  offset: number;
}

export async function searchAudit(
  q: Queryable,
  f: AuditFilter,
): Promise<{ rows: AuditRow[]; total: number }> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace("?", `$${params.length}`));
  };
  if (f.regionPrefix) add("(region_code LIKE ? OR region_code IS NULL)", `${f.regionPrefix}%`);
  if (f.action) add("action = ?", f.action);
  if (f.entityType) add("entity_type = ?", f.entityType);
  if (f.entityId) add("entity_id = ?", f.entityId);
  if (f.actor) add("actor_username = ?", f.actor);
  if (f.from) add("at >= ?", f.from);
  if (f.to) add("at < ?", f.to);
  const w = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const total = (await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log ${w}`, params))
    .rows[0]!.n;
  const rows = await q.query<Record<string, unknown>>(
    `SELECT id, at, actor_id, actor_username, actor_role, action, entity_type, entity_id, region_code, before, after, ip
     FROM audit_log ${w} ORDER BY at DESC, id DESC LIMIT ${Number(f.limit)} OFFSET ${Number(f.offset)}`,
    params,
  );
  return {
    total,
    rows: rows.rows.map((r) => ({
      id: r.id as string,
      at: r.at as Date,
      actorId: r.actor_id as string | null,
      actorUsername: r.actor_username as string | null,
      actorRole: r.actor_role as string | null,
      action: r.action as string,
      entityType: r.entity_type as string,
      entityId: r.entity_id as string | null,
      regionCode: r.region_code as string | null,
      before: r.before,
      after: r.after,
      ip: r.ip as string | null,
    })),
  };
}

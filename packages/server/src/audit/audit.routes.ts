import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { errorResponses, IsoDateTime, Page, PageSize } from "../http/schemas.ts";
import { searchAuditLog } from "./audit.service.ts";

const AuditEntrySchema = z
  .object({
    id: z.string(),
    at: IsoDateTime,
    actorId: z.string().nullable(),
    actorUsername: z.string().nullable(),
    actorRole: z.string().nullable(),
    action: z.string(),
    entityType: z.string(),
    entityId: z.string().nullable(),
    regionCode: z.string().nullable(),
    before: z.unknown(),
    after: z.unknown(),
    ip: z.string().nullable(),
  })
  .meta({ id: "AuditEntry" });

export const auditRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get(
    "/api/audit",
    {
      schema: {
        tags: ["audit"],
        summary: "Search the append-only audit log of one's jurisdiction (writes and full-PII reads)",
        querystring: z.strictObject({
          action: z.string().max(64).optional(),
          entityType: z.string().max(32).optional(),
          entityId: z.string().max(64).optional(),
          actor: z.string().max(64).optional(),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
          page: Page,
          pageSize: PageSize,
        }),
        response: {
          200: z.object({ items: z.array(AuditEntrySchema), total: z.number() }),
          ...errorResponses,
        },
      },
    },
    async (req) => {
      const q = req.query;
      const r = await searchAuditLog(db, req.ctx, {
        action: q.action,
        entityType: q.entityType,
        entityId: q.entityId,
        actor: q.actor,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        limit: q.pageSize,
        offset: (q.page - 1) * q.pageSize,
      });
      return { total: r.total, items: r.rows.map((e) => ({ ...e, at: e.at.toISOString() })) };
    },
  );
};

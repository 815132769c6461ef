import { decideAccess } from "@cordon/domain/accounts/roles";
import {
  type DeadlineKind,
  type DeadlineRule,
  deadlineFrom,
  type EffectiveDeadline,
  effectiveDeadline,
  MAX_DEADLINE_HOURS,
} from "@cordon/domain/deadlines/deadline";
import { recordAudit } from "../audit/audit.service.ts";
import type { Db, Queryable } from "../db/db.ts";
import { conflict, type RequestContext, requireActor } from "../http/context.ts";
import { forbidden, invalid } from "../http/errors.ts";
import { findRegion } from "../regions/region.repository.ts";
import { findSetting, settingsOnPath, upsertSetting } from "./deadline.repository.ts";

/** When something of `kind` received at `receivedAt` for `regionCode` is due, under the setting in force. */
export async function deadlineFor(
  q: Queryable,
  regionCode: string,
  kind: DeadlineKind,
  receivedAt: Date,
): Promise<Date> {
  return deadlineFrom(
    effectiveDeadline(await settingsOnPath(q, regionCode), regionCode, kind).rule,
    receivedAt,
  );
}

export interface DeadlineView {
  regionCode: string;
  /** The region's own setting (null kinds inherit). */
  own: { arrivalTask: DeadlineRule | null; assistList: DeadlineRule | null; version: number } | null;
  effective: Record<DeadlineKind, EffectiveDeadline>;
}

export async function getDeadlines(db: Db, ctx: RequestContext, regionCode?: string): Promise<DeadlineView> {
  const actor = requireActor(ctx);
  const code = regionCode ?? actor.jurisdiction;
  const d = decideAccess(actor, "regions.read", [code]);
  if (!d.allowed) throw forbidden(d.reason);
  const path = await settingsOnPath(db, code);
  const own = path.get(code);
  return {
    regionCode: code,
    own: own ? { arrivalTask: own.arrivalTask, assistList: own.assistList, version: own.version } : null,
    effective: {
      arrivalTask: effectiveDeadline(path, code, "arrivalTask"),
      assistList: effectiveDeadline(path, code, "assistList"),
    },
  };
}

function checkRule(field: string, rule: DeadlineRule | null) {
  if (
    rule?.kind === "hours" &&
    !(Number.isInteger(rule.hours) && rule.hours >= 1 && rule.hours <= MAX_DEADLINE_HOURS)
  ) {
    return [
      {
        field,
        code: "deadline.hours_range",
        message: {
          zh: `时限应为 1 至 ${MAX_DEADLINE_HOURS} 之间的整数小时`,
          en: `The deadline must be a whole number of hours from 1 to ${MAX_DEADLINE_HOURS}`,
        },
      },
    ];
  }
  return [];
}

/** Sets (or clears, with nulls) a region's own deadlines; audited `deadline.set`. */
export async function setDeadlines(
  db: Db,
  ctx: RequestContext,
  regionCode: string,
  input: { arrivalTask: DeadlineRule | null; assistList: DeadlineRule | null; version?: number | undefined },
): Promise<DeadlineView> {
  const actor = requireActor(ctx);
  const d = decideAccess(actor, "deadlines.write", [regionCode]);
  if (!d.allowed) throw forbidden(d.reason);
  const errors = [
    ...checkRule("arrivalTask", input.arrivalTask),
    ...checkRule("assistList", input.assistList),
  ];
  if (errors.length) throw invalid(errors);
  if (!(await findRegion(db, regionCode)))
    throw invalid([
      { field: "regionCode", code: "region.unknown", message: { zh: "没有此区划", en: "No such region" } },
    ]);
  await db.transaction(async (tx) => {
    const before = await findSetting(tx, regionCode, true);
    if (input.version !== undefined && input.version !== (before?.version ?? 0)) {
      throw conflict(
        "时限设置已被他人更新，请刷新后重试",
        "Someone else changed these deadlines; reload and retry",
      );
    }
    await upsertSetting(tx, {
      regionCode,
      arrivalTask: input.arrivalTask,
      assistList: input.assistList,
      updatedBy: actor.userId,
      updatedAt: ctx.now,
    });
    await recordAudit(tx, ctx, {
      action: "deadline.set",
      entityType: "deadline_setting",
      entityId: regionCode,
      regionCode,
      before: before ? { arrivalTask: before.arrivalTask, assistList: before.assistList } : null,
      after: { arrivalTask: input.arrivalTask, assistList: input.assistList },
    });
  });
  return getDeadlines(db, ctx, regionCode);
}

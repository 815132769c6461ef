import type { DeadlineRule, DeadlineSetting } from "@cordon/domain/deadlines/deadline";
import { structuralAncestors } from "@cordon/domain/regions/region-code";
import type { Queryable } from "../db/db.ts";

export interface DeadlineSettingRow extends DeadlineSetting {
  updatedBy: string | null;
  updatedAt: Date;
  version: number;
}

const COLUMNS = `region_code AS "regionCode", arrival_task AS "arrivalTask", assist_list AS "assistList",
  updated_by AS "updatedBy", updated_at AS "updatedAt", version`;

/** The settings on the path from the country down to `regionCode` (at most one per level). */
export async function settingsOnPath(
  q: Queryable,
  regionCode: string,
): Promise<Map<string, DeadlineSettingRow>> {
  const r = await q.query<DeadlineSettingRow>(
    `SELECT ${COLUMNS} FROM deadline_settings WHERE region_code = ANY($1::text[])`,
    [structuralAncestors(regionCode)],
  );
  return new Map(r.rows.map((s) => [s.regionCode, s]));
}

export async function findSetting(
  q: Queryable,
  regionCode: string,
  forUpdate = false,
): Promise<DeadlineSettingRow | null> {
  const r = await q.query<DeadlineSettingRow>(
    `SELECT ${COLUMNS} FROM deadline_settings WHERE region_code = $1${forUpdate ? " FOR UPDATE" : ""}`,
    [regionCode],
  );
  return r.rows[0] ?? null;
}

export async function upsertSetting(
  q: Queryable,
  s: {
    regionCode: string;
    arrivalTask: DeadlineRule | null;
    assistList: DeadlineRule | null;
    updatedBy: string;
    updatedAt: Date;
  },
): Promise<void> {
  await q.query(
    `INSERT INTO deadline_settings (region_code, arrival_task, assist_list, updated_by, updated_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (region_code) DO UPDATE SET arrival_task = EXCLUDED.arrival_task,
       assist_list = EXCLUDED.assist_list, updated_by = EXCLUDED.updated_by,
       updated_at = EXCLUDED.updated_at, version = deadline_settings.version + 1`,
    [
      s.regionCode,
      s.arrivalTask ? JSON.stringify(s.arrivalTask) : null,
      s.assistList ? JSON.stringify(s.assistList) : null,
      s.updatedBy,
      s.updatedAt,
    ],
  );
}

import { makeResidentId } from "@cordon/domain/people/resident-id";
import { importAssistList } from "../assist/assist.service.ts";
import type { Db } from "../db/db.ts";
import type { RequestContext } from "../http/context.ts";

/**
 * A demo assist list (协查名单) received by 兴庆区 (640104) this morning, imported through the real
 * service as the demo grid worker: rows matched by ID number and by name + phone from the synthetic
 * population, one person living in 麒麟区 (forwarded), one repeated row (merged), two ID numbers not
 * in the registry (one with a community hint) and one bad row (reported, not stored).
 */
export async function seedAssistDemo(db: Db, now: Date): Promise<void> {
  const grid = (
    await db.query<{ id: string; username: string; displayName: string; jurisdiction: string }>(
      `SELECT id, username, display_name AS "displayName", jurisdiction_code AS jurisdiction
       FROM users WHERE username = 'grid'`,
    )
  ).rows[0];
  if (!grid) return;
  const inside = (
    await db.query<{ name: string; documentNumber: string; phone: string; region: string }>(
      `SELECT name, document_number AS "documentNumber", phone, current_region_code AS region FROM persons
       WHERE current_region_code LIKE '640104%' ORDER BY id LIMIT 30`,
    )
  ).rows;
  const outside = (
    await db.query<{ name: string; documentNumber: string }>(
      `SELECT name, document_number AS "documentNumber" FROM persons
       WHERE current_region_code LIKE '530302%' ORDER BY id LIMIT 1`,
    )
  ).rows;
  if (inside.length < 10) return;
  const reasons = ["密接", "次密接", "时空伴随", "涉疫场所暴露"];
  const rows: string[][] = [];
  inside.forEach((p, i) => {
    const reason = reasons[i % reasons.length]!;
    rows.push(i % 5 === 4 ? [p.name, "", p.phone, reason, ""] : [p.name, p.documentNumber, "", reason, ""]);
  });
  for (const p of outside) rows.push([p.name, p.documentNumber, "", "密接", ""]);
  rows.push([inside[0]!.name, inside[0]!.documentNumber, inside[0]!.phone, "重复推送", ""]);
  const hint = inside[1]!.region.slice(0, 12);
  rows.push(["周建华", makeResidentId("640104", "1983-07-19", 951), "", "外省协查", hint]);
  rows.push(["马丽", makeResidentId("640104", "1991-11-02", 952), "", "外省协查", ""]);
  rows.push(["田静", "64010419910230123X", "", "外省协查", ""]);
  const csv = [["姓名", "身份证号", "手机号", "协查原因", "线索区划"], ...rows]
    .map((r) => r.map((c) => (/[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(","))
    .join("\n");
  const ctx: RequestContext = {
    actor: {
      userId: grid.id,
      username: grid.username,
      displayName: grid.displayName,
      role: "grid_worker",
      jurisdiction: grid.jurisdiction,
      personId: null,
    },
    ip: "demo",
    lang: "zh-CN",
    now,
  };
  await importAssistList(db, ctx, {
    name: "银川市协查名单（演示）",
    source: "银川市疫情防控指挥部大数据组",
    regionCode: "640104",
    fileName: "协查名单-演示.csv",
    bytes: Buffer.from(csv),
  });
}

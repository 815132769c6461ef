import { addDays, shanghaiDateOf } from "@cordon/domain/shared/shanghai-time";
import type { Db } from "../db/db.ts";
import type { RequestContext } from "../http/context.ts";
import { loadShippedPacks } from "../policies/policy-packs.ts";
import { createCase } from "../tracing/case.service.ts";
import { recomputeChains } from "../tracing/chain.service.ts";
import { recordExposure } from "../tracing/contact.service.ts";

/**
 * Demo cases of 兴庆区 (640104) in the last ten days, made through the real services as the demo
 * investigator (so they are audited), with the exposures between them, then the chains recomputed:
 * - a family dinner: case 1 infects a household member and five dinner guests (a super-spreader at the
 *   default threshold of 5), one guest infects a workmate (generation 2); case 1 also exposed two
 *   people who did not fall ill;
 * - a household: case 8 infects case 9, whose linked case names case 8, and case 9 infects case 10;
 * - a shared car ride: case 11 infects case 12; and case 13 on its own.
 * Synthetic people of the demo population; nothing here is real.
 */
export async function seedTracingDemo(db: Db, now: Date): Promise<void> {
  const user = (
    await db.query<{ id: string; username: string; displayName: string; jurisdiction: string }>(
      `SELECT id, username, display_name AS "displayName", jurisdiction_code AS jurisdiction
       FROM users WHERE username = 'investigator'`,
    )
  ).rows[0];
  if (!user) return;
  const people = (
    await db.query<{ id: string }>(
      `SELECT id FROM persons WHERE current_region_code LIKE '640104%' ORDER BY id LIMIT 16 OFFSET 200`,
    )
  ).rows.map((r) => r.id);
  if (people.length < 16) return;
  const ctx: RequestContext = {
    actor: {
      userId: user.id,
      username: user.username,
      displayName: user.displayName,
      role: "investigator",
      jurisdiction: user.jurisdiction,
      personId: null,
    },
    ip: "demo",
    lang: "zh-CN",
    now,
  };
  const packs = loadShippedPacks();
  const today = shanghaiDateOf(now.getTime());
  const day = (n: number) => addDays(today, n);
  const at = (n: number, hour: number) => `${day(n)}T${String(hour).padStart(2, "0")}:00:00+08:00`;
  const ids: string[] = [];
  const makeCase = async (i: number, onset: number, linkedTo?: number) => {
    const reported = at(onset + 1, 10);
    const c = await createCase(db, ctx, packs, {
      personId: people[i]!,
      classification: "confirmed_mild",
      foundBy: i === 0 ? "fever_clinic" : "quarantine",
      source: linkedTo === undefined ? "local" : "linked",
      linkedCaseId: linkedTo === undefined ? null : ids[linkedTo]!,
      onsetDate: day(onset),
      reportedAt: reported,
      confirmedAt: reported,
    });
    ids[i] = c.id;
  };
  const expose = async (from: number, to: number, when: string, setting: string, proximity: string) => {
    await recordExposure(db, ctx, packs, ids[from]!, {
      exposedPersonId: people[to]!,
      at: when,
      durationMinutes: setting === "household" ? 600 : 120,
      setting,
      proximity,
      place: setting === "dining" ? "兴庆区鼓楼北街某餐厅（演示）" : "",
    });
  };

  // The family dinner (case 1 = people[0], onset 8 days ago).
  await makeCase(0, -8);
  await expose(0, 1, at(-9, 20), "household", "within_1m");
  for (const guest of [2, 3, 4, 5, 6]) await expose(0, guest, at(-9, 18), "dining", "same_or_next_table");
  for (const other of [14, 15]) await expose(0, other, at(-9, 18), "dining", "same_room");
  await makeCase(1, -6);
  for (const guest of [2, 3, 4, 5, 6]) await makeCase(guest, -6 + (guest % 2), 0);
  await expose(2, 7, at(-4, 9), "work_class", "same_room");
  await makeCase(7, -2, 2);
  // The household (case 8 = people[8]).
  await makeCase(8, -7);
  await expose(8, 9, at(-7, 21), "household", "within_1m");
  await makeCase(9, -4, 8);
  await expose(9, 10, at(-4, 21), "household", "within_1m");
  await makeCase(10, -2);
  // The car ride, and a case on its own.
  await makeCase(11, -6);
  await expose(11, 12, at(-6, 8), "vehicle", "within_1m");
  await makeCase(12, -3);
  await makeCase(13, -3);
  await recomputeChains(db, ctx, packs);
}

import type { Db } from "../db/db.ts";
import { systemContext } from "../http/context.ts";
import { createVenue, type VenueInput } from "../venues/venue.service.ts";

/**
 * Demo venues (场所码) where the demo accounts work: in 榆次区 (140702, the demo venue manager's
 * district) and 兴庆区 (640104, where the demo citizen lives), each in the district's first community.
 * Synthetic: plausible kinds and addresses, not real premises.
 */
export async function seedVenueDemo(db: Db, now: Date): Promise<void> {
  const community = async (county: string) =>
    (
      await db.query<{ code: string }>(
        `SELECT code FROM regions WHERE level = 'community' AND code LIKE $1 ORDER BY code LIMIT 1`,
        [`${county}%`],
      )
    ).rows[0]?.code;
  const yuci = await community("140702");
  const xingqing = await community("640104");
  const venues: VenueInput[] = [];
  if (yuci)
    venues.push(
      {
        name: "榆次万达广场（演示）",
        kind: "mall",
        regionCode: yuci,
        address: "迎宾西街1号",
        capacity: 12_000,
      },
      {
        name: "美特好超市榆次店（演示）",
        kind: "supermarket",
        regionCode: yuci,
        address: "顺城街18号",
        capacity: 1_500,
      },
      {
        name: "榆次站（演示）",
        kind: "transport",
        regionCode: yuci,
        address: "迎宾街站前广场",
        capacity: 5_000,
      },
    );
  if (xingqing)
    venues.push(
      {
        name: "鼓楼步行街美食城（演示）",
        kind: "restaurant",
        regionCode: xingqing,
        address: "解放东街6号",
        capacity: 600,
      },
      {
        name: "兴庆区人民医院门诊楼（演示）",
        kind: "hospital",
        regionCode: xingqing,
        address: "文化东街9号",
        capacity: 2_000,
      },
    );
  const ctx = systemContext(now);
  for (const v of venues) await createVenue(db, ctx, v);
}

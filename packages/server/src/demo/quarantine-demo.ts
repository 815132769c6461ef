import type { Db } from "../db/db.ts";
import type { RequestContext } from "../http/context.ts";
import type { RoomRow } from "../quarantine/site.repository.ts";
import { changeRoomState, createRooms, createSite } from "../quarantine/site.service.ts";

type RoomPlan = { from: number; to: number; prefix?: string; type: string };
interface SitePlan {
  site: {
    kind: string;
    name: string;
    address?: string;
    regionCode: string;
    reserve?: boolean;
    capacityNote?: string;
  };
  rooms: RoomPlan[];
  /**
   * How many rooms (the first, in number order) are out of service. Rooms are occupied by placements; the
   * demo places nobody (no shipped pack is in force on today's date to give a course).
   */
  outOfService?: number;
}

/**
 * Demo quarantine sites (synthetic, marked 演示), registered through the real services as the demo
 * administrator: 兴庆区 (1,617 rooms required) short without its reserve site and meeting the standard
 * with it, 西夏区 (900 required) short even with reserve, 麒麟区 one hotel for the demo site staff, a
 * designated hospital and one community's home quarantine.
 */
const PLANS: SitePlan[] = [
  {
    site: {
      kind: "centralized",
      name: "兴庆区集中隔离点一号（演示）",
      address: "兴庆区（演示地址）",
      regionCode: "640104001",
      capacityNote: "A栋单人间600间，B栋家庭套间40间（演示）",
    },
    rooms: [
      { from: 1, to: 600, prefix: "A", type: "single" },
      { from: 101, to: 140, prefix: "B", type: "family" },
    ],
    outOfService: 3,
  },
  {
    site: {
      kind: "centralized",
      name: "兴庆区集中隔离点二号（演示）",
      address: "兴庆区（演示地址）",
      regionCode: "640104",
    },
    rooms: [
      { from: 1, to: 390, type: "single" },
      { from: 391, to: 400, type: "accessible" },
    ],
  },
  {
    site: {
      kind: "centralized",
      name: "兴庆区备用隔离场所（演示）",
      address: "兴庆区（演示地址）",
      regionCode: "640104",
      reserve: true,
      capacityNote: "提前储备，48小时内可启用（演示）",
    },
    rooms: [{ from: 1, to: 700, type: "double" }],
  },
  {
    site: {
      kind: "designated_hospital",
      name: "银川市定点医院（演示）",
      address: "兴庆区（演示地址）",
      regionCode: "640104",
    },
    rooms: [{ from: 1, to: 20, type: "negative_pressure" }],
  },
  {
    site: { kind: "home", name: "兴庆区居家隔离（演示社区）", regionCode: "640104001002" },
    rooms: [{ from: 1, to: 6, type: "family" }],
  },
  {
    site: {
      kind: "centralized",
      name: "西夏区集中隔离点（演示）",
      address: "西夏区（演示地址）",
      regionCode: "640105",
    },
    rooms: [{ from: 1, to: 300, type: "single" }],
  },
  {
    site: {
      kind: "centralized",
      name: "西夏区备用隔离场所（演示）",
      address: "西夏区（演示地址）",
      regionCode: "640105",
      reserve: true,
    },
    rooms: [{ from: 1, to: 200, type: "double" }],
  },
  {
    site: {
      kind: "centralized",
      name: "麒麟区集中隔离点（演示）",
      address: "麒麟区（演示地址）",
      regionCode: "530302",
    },
    rooms: [{ from: 101, to: 180, type: "single" }],
    outOfService: 1,
  },
];

export async function seedQuarantineDemo(db: Db, now: Date): Promise<void> {
  const admin = (
    await db.query<{ id: string; username: string; displayName: string }>(
      `SELECT id, username, display_name AS "displayName" FROM users WHERE username = 'admin'`,
    )
  ).rows[0];
  if (!admin) return;
  const ctx: RequestContext = {
    actor: {
      userId: admin.id,
      username: admin.username,
      displayName: admin.displayName,
      role: "administrator",
      jurisdiction: "000000",
      personId: null,
    },
    ip: "demo",
    lang: "zh-CN",
    now,
  };
  for (const plan of PLANS) {
    const site = await createSite(db, ctx, plan.site);
    const rooms: RoomRow[] = [];
    for (const r of plan.rooms) rooms.push(...(await createRooms(db, ctx, site.id, r)));
    for (const room of rooms.slice(0, plan.outOfService ?? 0))
      await changeRoomState(db, ctx, site.id, room.id, { to: "out_of_service", reason: "设施维修（演示）" });
  }
}

import { randomBytes } from "node:crypto";
import type { Role } from "@cordon/domain/accounts/roles";
import { nameInitials, namePinyin } from "@cordon/domain/people/name-index";
import { syntheticPopulation } from "@cordon/domain/people/synthetic";
import { v7 as uuidv7 } from "uuid";
import { hashPassword } from "../accounts/password.ts";
import { insertUser } from "../accounts/user.repository.ts";
import type { Db } from "../db/db.ts";
import type { HouseholdRow, PersonRow } from "../people/person.repository.ts";
import { insertRegion, insertResponsible } from "../regions/region.repository.ts";
import { subtreePrefix } from "@cordon/domain/regions/region-code";
import { copyPersons } from "../people/person-bulk.ts";
import { seedAssistDemo } from "./assist-demo.ts";
import { seedQuarantineDemo } from "./quarantine-demo.ts";
import { seedTracingDemo } from "./tracing-demo.ts";
import { seedVenueDemo } from "./venue-demo.ts";

/** One demo account per role, each with a jurisdiction from the notices' regions. */
export const DEMO_USERS: { username: string; displayName: string; role: Role; jurisdiction: string }[] = [
  { username: "admin", displayName: "系统管理员", role: "administrator", jurisdiction: "000000" },
  { username: "command", displayName: "宁夏指挥部值班员", role: "command", jurisdiction: "640000" },
  { username: "investigator", displayName: "银川市流调员", role: "investigator", jurisdiction: "640100" },
  { username: "grid", displayName: "兴庆区网格员", role: "grid_worker", jurisdiction: "640104" },
  {
    username: "quarantine",
    displayName: "麒麟区隔离点工作人员",
    role: "quarantine_staff",
    jurisdiction: "530302",
  },
  { username: "lab", displayName: "太原市检测机构", role: "lab", jurisdiction: "140100" },
  { username: "venue", displayName: "榆次区场所管理者", role: "venue", jurisdiction: "140702" },
  { username: "school", displayName: "呼伦贝尔市学校", role: "school", jurisdiction: "150700" },
  { username: "coldchain", displayName: "曲靖市冷链监管员", role: "cold_chain", jurisdiction: "530300" },
  { username: "citizen", displayName: "居民（演示）", role: "citizen", jurisdiction: "640104" },
];

export interface DemoCredentials {
  username: string;
  password: string;
  role: Role;
  jurisdiction: string;
}

export async function isDemoSeeded(db: Db): Promise<boolean> {
  return (await db.query("SELECT 1 FROM app_meta WHERE key = 'demo'")).rows.length > 0;
}

/**
 * Generates `count` synthetic people over the communities under `regionPrefixes`, in batches, with
 * COPY. Deterministic for a seed. Returns how many were written.
 */
export async function seedPopulation(
  db: Db,
  opts: {
    count: number;
    seed: number;
    now: Date;
    regionPrefixes?: readonly string[];
    onProgress?: (done: number) => void;
  },
): Promise<number> {
  const prefixes = opts.regionPrefixes ?? ["64", "5303", "1401", "1407", "1507"];
  const communities = (
    await db.query<{ code: string }>(
      `SELECT code FROM regions WHERE level = 'community' AND (${prefixes.map((_, i) => `code LIKE $${i + 1}`).join(" OR ")}) ORDER BY code`,
      prefixes.map((p) => `${p}%`),
    )
  ).rows.map((r) => ({ code: r.code, countyCode: r.code.slice(0, 6) }));
  if (communities.length === 0) throw new Error("no communities loaded: run the region load first");
  const BATCH = 20_000;
  let households: HouseholdRow[] = [];
  let people: PersonRow[] = [];
  let written = 0;
  const flush = async () => {
    const h = households;
    const p = people;
    households = [];
    people = [];
    await db.transaction((tx) => copyPersons(tx, h, p));
    written += p.length;
    opts.onProgress?.(written);
  };
  const year = opts.now.getUTCFullYear();
  for (const { household, members } of syntheticPopulation(communities, opts.count, opts.seed, year - 1)) {
    const hid = uuidv7();
    households.push({
      id: hid,
      regionCode: household.regionCode,
      address: household.address,
      createdAt: opts.now,
    });
    for (const m of members) {
      people.push({
        id: uuidv7(),
        name: m.name,
        nameInitials: nameInitials(m.name),
        namePinyin: namePinyin(m.name),
        documentType: "resident_id",
        documentNumber: m.documentNumber,
        birthDate: m.birthDate,
        sex: m.sex,
        nationality: "CHN",
        phone: m.phone,
        householdRegionCode: m.householdRegionCode,
        currentRegionCode: m.currentRegionCode,
        currentAddress: m.currentAddress,
        householdId: hid,
        householdRelation: m.householdRelation,
        createdAt: opts.now,
        updatedAt: opts.now,
        version: 1,
      });
    }
    if (people.length >= BATCH) await flush();
  }
  if (people.length) await flush();
  return written;
}

/**
 * The four-level responsibility of seed 003 ("市包县、县包乡、乡包村、村包户") along one chain of the demo
 * grid worker's district, plus two grids in its busiest community. The responsible persons are people of
 * the synthetic population living in the region they answer for.
 */
async function seedResponsibility(db: Db, now: Date): Promise<void> {
  const community = (
    await db.query<{ code: string }>(
      `SELECT current_region_code AS code FROM persons WHERE current_region_code LIKE '640104%'
       GROUP BY current_region_code ORDER BY count(*) DESC, current_region_code LIMIT 1`,
    )
  ).rows[0]?.code;
  if (!community) return;
  const chain: [region: string, title: string][] = [
    ["640100", "市级包县联系人（银川市包兴庆区）"],
    ["640104", "县级包乡联系人（兴庆区包街道）"],
    [community.slice(0, 9), "乡级包村联系人（街道包社区）"],
    [community, "村级包户联系人（社区包户）"],
  ];
  await db.transaction(async (tx) => {
    const grids: [string, string][] = [
      [`${community}001`, "第一网格"],
      [`${community}002`, "第二网格"],
    ];
    for (const [code, name] of grids) {
      await insertRegion(tx, {
        code,
        parentCode: community,
        level: "grid",
        name,
        population: null,
        populationSource: null,
        populationNote: null,
        source: "cordon demo",
      });
      chain.push([code, "网格员"]);
    }
    for (const [region, title] of chain) {
      const p = (
        await tx.query<{ name: string; phone: string }>(
          "SELECT name, phone FROM persons WHERE current_region_code LIKE $1 ORDER BY id LIMIT 1 OFFSET $2",
          [
            `${subtreePrefix(region.length === 15 ? community : region)}%`,
            chain.findIndex(([r]) => r === region),
          ],
        )
      ).rows[0];
      if (p)
        await insertResponsible(tx, {
          id: uuidv7(),
          regionCode: region,
          name: p.name,
          title,
          phone: p.phone,
          createdAt: now,
        });
    }
  });
}

/**
 * First start with demo data: one user per role (random passwords, returned to be printed once) and a
 * synthetic population. Does nothing if the demo was seeded before.
 */
export async function seedDemo(
  db: Db,
  opts: { people: number; seed: number; now: Date },
): Promise<DemoCredentials[] | null> {
  if (await isDemoSeeded(db)) return null;
  await seedPopulation(db, { count: opts.people, seed: opts.seed, now: opts.now });
  await seedResponsibility(db, opts.now);
  const citizenPerson = (
    await db.query<{ id: string }>(
      "SELECT id FROM persons WHERE current_region_code LIKE '640104%' ORDER BY id LIMIT 1",
    )
  ).rows[0]?.id;
  const creds: DemoCredentials[] = [];
  for (const u of DEMO_USERS) {
    const password = `demo-${randomBytes(6).toString("base64url")}-${u.username.length}`;
    await insertUser(db, {
      id: uuidv7(),
      username: u.username,
      displayName: u.displayName,
      role: u.role,
      jurisdictionCode: u.jurisdiction,
      personId: u.role === "citizen" ? (citizenPerson ?? null) : null,
      passwordHash: await hashPassword(password),
      failedAttempts: 0,
      lockedUntil: null,
      disabled: false,
      language: "zh-CN",
      createdAt: opts.now,
      updatedAt: opts.now,
    });
    creds.push({ username: u.username, password, role: u.role, jurisdiction: u.jurisdiction });
  }
  await seedAssistDemo(db, opts.now);
  await seedQuarantineDemo(db, opts.now);
  await seedTracingDemo(db, opts.now);
  await seedVenueDemo(db, opts.now);
  await db.query("INSERT INTO app_meta (key, value) VALUES ('demo', $1)", [
    JSON.stringify({ people: opts.people, seed: opts.seed, seededAt: opts.now.toISOString() }),
  ]);
  return creds;
}

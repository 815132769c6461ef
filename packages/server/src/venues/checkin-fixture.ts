/**
 * A venue with gate devices and synthetic people holding health codes: what the durability test and the
 * check-in benchmark scan. Written straight into the database (not timed, not through the API).
 */
import { randomBytes } from "node:crypto";
import type { Db } from "../db/db.ts";
import { systemContext } from "../http/context.ts";
import { seedPopulation } from "../demo/demo.service.ts";
import { loadDeviceSecret } from "./device-token.ts";
import { createVenue, registerDevice } from "./venue.service.ts";

export interface CheckinFixture {
  venueId: string;
  devices: { id: string; token: string }[];
  /** Person references (32 hex) of codes in health_codes. */
  refs: string[];
}

export async function seedCheckinFixture(
  db: Db,
  opts: { people: number; devices: number; now: Date; seed?: number },
): Promise<CheckinFixture> {
  const ctx = systemContext(opts.now);
  await seedPopulation(db, {
    count: opts.people,
    seed: opts.seed ?? 5,
    now: opts.now,
    regionPrefixes: ["6401"],
  });
  const ids = (
    await db.query<{ id: string }>(
      `SELECT p.id FROM persons p LEFT JOIN health_codes h ON h.person_id = p.id
       WHERE h.person_id IS NULL ORDER BY p.id LIMIT $1`,
      [opts.people],
    )
  ).rows.map((r) => r.id);
  const refs = ids.map(() => randomBytes(16).toString("hex"));
  for (let i = 0; i < ids.length; i += 10_000) {
    await db.query(
      `INSERT INTO health_codes (person_id, ref, colour, since, reasons, computed_at)
       SELECT id, decode(ref, 'hex'), 'green', $3, '[]', $3 FROM unnest($1::uuid[], $2::text[]) AS t(id, ref)
       ON CONFLICT (person_id) DO NOTHING`,
      [ids.slice(i, i + 10_000), refs.slice(i, i + 10_000), opts.now],
    );
  }
  const venue = await createVenue(db, ctx, {
    name: "鼓楼步行街购物中心",
    kind: "mall",
    regionCode: "640104001002",
    address: "解放东街1号",
    capacity: 20_000,
  });
  const secret = await loadDeviceSecret(db, opts.now);
  const devices: CheckinFixture["devices"] = [];
  for (let i = 0; i < opts.devices; i++) {
    const r = await registerDevice(db, ctx, secret, venue.id, { name: `闸机 ${i + 1}` });
    devices.push({ id: r.device.id, token: r.token });
  }
  return { venueId: venue.id, devices, refs };
}

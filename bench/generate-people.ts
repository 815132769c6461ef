/**
 * Writes a synthetic population as two CSV files: the file a district would import (Chinese headers,
 * as clerks fill them in) and the same people as rows of the persons table (the plain-COPY baseline).
 * Run as a child of the benchmarks, so its memory is not counted as theirs:
 *   node bench/generate-people.ts --url URL --count 1000000 --seed 7 --out /tmp/people
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { parseArgs } from "node:util";
import { nameInitials, namePinyin } from "../packages/domain/src/people/name-index.ts";
import { syntheticPopulation } from "../packages/domain/src/people/synthetic.ts";
import { openPostgres } from "../packages/server/src/db/db.ts";
import { stringify } from "csv-stringify";
import { v7 as uuidv7 } from "uuid";

export const IMPORT_HEADER = [
  "姓名",
  "证件类型",
  "证件号码",
  "出生日期",
  "性别",
  "国籍",
  "手机号",
  "户籍地",
  "现住地区划",
  "现住址",
];

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    count: { type: "string" },
    seed: { type: "string", default: "7" },
    out: { type: "string" },
  },
});
const count = Number(values.count);
const db = await openPostgres(values.url!, 1);
const communities = (
  await db.query<{ code: string }>("SELECT code FROM regions WHERE level = 'community' ORDER BY code")
).rows.map((r) => ({ code: r.code, countyCode: r.code.slice(0, 6) }));
await db.close();

function writer(path: string) {
  const out = createWriteStream(path);
  const csv = stringify();
  csv.pipe(out);
  return {
    async write(row: unknown[]) {
      if (!csv.write(row)) await once(csv, "drain");
    },
    async end() {
      csv.end();
      await once(out, "finish");
    },
  };
}

const importCsv = writer(`${values.out}.import.csv`);
const copyCsv = writer(`${values.out}.copy.csv`);
await importCsv.write(IMPORT_HEADER);
const now = new Date().toISOString();
for (const { members } of syntheticPopulation(communities, count, Number(values.seed), 2025)) {
  for (const m of members) {
    const sex = m.sex === "male" ? "男" : "女";
    await importCsv.write([
      m.name,
      "居民身份证",
      m.documentNumber,
      m.birthDate,
      sex,
      "CHN",
      m.phone,
      m.householdRegionCode,
      m.currentRegionCode,
      m.currentAddress,
    ]);
    await copyCsv.write([
      uuidv7(),
      m.name,
      nameInitials(m.name),
      namePinyin(m.name),
      "resident_id",
      m.documentNumber,
      m.birthDate,
      m.sex,
      "CHN",
      m.phone,
      m.householdRegionCode,
      m.currentRegionCode,
      m.currentAddress,
      null,
      null,
      now,
      now,
      1,
    ]);
  }
}
await importCsv.end();
await copyCsv.end();
console.log(JSON.stringify({ communities: communities.length, count }));

/**
 * A large synthetic registry straight into the database (for bench/nat-round.ts): the people of
 * `syntheticPopulation` — the generator behind generate-people.ts and the people-import benchmark — as
 * the rows the people import stores (the persons row with its name keys, and its document in
 * person_documents), streamed by COPY without files (no 1.2 GB CSV written and read back, no
 * per-row checks: the generator's rows are valid by construction). 10 million took 1,256 s on the
 * benchmark machine under other engineers' load (docs/benchmarks.md); the people import was not run at
 * that size. Not timed by the benchmarks that use it.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { nameInitials, namePinyin } from "../../packages/domain/src/people/name-index.ts";
import { syntheticPopulation } from "../../packages/domain/src/people/synthetic.ts";
import { copyTextValue } from "../../packages/server/src/db/csv.ts";
import { bulkIds } from "../../packages/server/src/db/ids.ts";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";

/** Adds `count` synthetic people (seeded) to the registry at `url`; returns how many were written. */
export async function copySyntheticPeople(url: string, count: number, seed: number): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const communities = (
      await c.query<{ code: string }>("SELECT code FROM regions WHERE level = 'community' ORDER BY code")
    ).rows.map((r) => ({ code: r.code, countyCode: r.code.slice(0, 6) }));
    const newId = bulkIds();
    const now = new Date().toISOString();
    let written = 0;
    async function* rows() {
      let text = "";
      for (const { members } of syntheticPopulation(communities, count, seed, 2025)) {
        for (const m of members) {
          text += `${newId()}\t${copyTextValue(m.name)}\t${copyTextValue(nameInitials(m.name))}\t${copyTextValue(namePinyin(m.name))}\tresident_id\t${m.documentNumber}\t${m.birthDate}\t${m.sex}\tCHN\t${m.phone}\t${m.householdRegionCode}\t${m.currentRegionCode}\t${copyTextValue(m.currentAddress)}\t\\N\t\\N\t${now}\t${now}\t1\n`;
          written++;
        }
        if (text.length > 1 << 20) {
          yield text;
          text = "";
        }
      }
      if (text) yield text;
    }
    await c.query("BEGIN");
    await pipeline(
      Readable.from(rows()),
      c.query(
        copyFrom(
          `COPY persons (id, name, name_initials, name_pinyin, document_type, document_number, birth_date, sex,
             nationality, phone, household_region_code, current_region_code, current_address, household_id,
             household_relation, created_at, updated_at, version) FROM STDIN`,
        ),
      ),
    );
    await c.query(
      `INSERT INTO person_documents (document_type, document_number, person_id)
       SELECT document_type, document_number, id FROM persons p
       WHERE NOT EXISTS (SELECT 1 FROM person_documents d WHERE d.person_id = p.id)`,
    );
    await c.query("COMMIT");
    return written;
  } finally {
    await c.end();
  }
}

/**
 * A database holding only the synthetic people (`copySyntheticPeople`), kept on the benchmark server for
 * later runs to copy (CREATE DATABASE … TEMPLATE): `cordon_bench_people_<people>_s<seed>`, the name
 * bench/nat-round.ts --cache-people uses too, so the two benchmarks share it. Drop it to write it again.
 */
import { openPostgres } from "../../packages/server/src/db/db.ts";
import { createBenchDb, databaseExists, renameDatabase } from "./bench-db.ts";
import { copySyntheticPeople } from "./nat-people.ts";

export async function syntheticPeopleTemplate(people: number, seed: number): Promise<string> {
  const name = `cordon_bench_people_${people}_s${seed}`;
  if (await databaseExists(name)) return name;
  process.stderr.write(`writing ${people} people into ${name} (kept for later runs) ...\n`);
  const b = await createBenchDb("people_tpl");
  const t0 = performance.now();
  await b.db.close();
  const written = await copySyntheticPeople(b.url, people, seed);
  const db = await openPostgres(b.url, 1);
  await db.exec("VACUUM ANALYZE persons");
  await db.exec("VACUUM ANALYZE person_documents");
  await db.close();
  await renameDatabase(b.name, name);
  process.stderr.write(`${written} people in ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  return name;
}

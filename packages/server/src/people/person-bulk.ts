import { toCopyCsv } from "../db/csv.ts";
import type { Queryable } from "../db/db.ts";
import type { HouseholdRow, PersonRow } from "./person.repository.ts";
import { PERSON_INSERT_COLUMNS, personValues } from "./person.repository.ts";

/**
 * Writes many new people (and their households) with COPY: the path for demo data and benchmarks,
 * where every row is already validated and known to be new. Imports of outside files go through the
 * import, which also checks for people already registered.
 */
export async function copyPersons(
  q: Queryable,
  households: readonly HouseholdRow[],
  people: readonly PersonRow[],
): Promise<void> {
  if (households.length) {
    await q.copyCsv(
      "households",
      ["id", "region_code", "address", "created_at"],
      toCopyCsv(households.map((h) => [h.id, h.regionCode, h.address, h.createdAt])),
    );
  }
  if (people.length) {
    await q.copyCsv("persons", PERSON_INSERT_COLUMNS, toCopyCsv(people.map(personValues)));
    await q.copyCsv(
      "person_documents",
      ["document_type", "document_number", "person_id"],
      toCopyCsv(people.map((p) => [p.documentType, p.documentNumber, p.id])),
    );
  }
}

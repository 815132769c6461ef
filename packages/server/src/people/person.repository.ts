import type { DocumentType, PersonFacts } from "@cordon/domain/people/person";
import type { Queryable } from "../db/db.ts";

/** A stored person: the validated facts, the search keys derived from the name, and bookkeeping. */
export interface PersonRow extends PersonFacts {
  id: string;
  nameInitials: string;
  namePinyin: string;
  householdId: string | null;
  householdRelation: string | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export const PERSON_COLUMNS = `p.id, p.name, p.name_initials AS "nameInitials", p.name_pinyin AS "namePinyin",
  p.document_type AS "documentType", p.document_number AS "documentNumber", p.birth_date AS "birthDate", p.sex,
  p.nationality, p.phone, p.household_region_code AS "householdRegionCode", p.current_region_code AS "currentRegionCode",
  p.current_address AS "currentAddress", p.household_id AS "householdId", p.household_relation AS "householdRelation",
  p.created_at AS "createdAt", p.updated_at AS "updatedAt", p.version`;

/** The persons table's columns in insert order, shared by single inserts and bulk COPY. */
export const PERSON_INSERT_COLUMNS = [
  "id",
  "name",
  "name_initials",
  "name_pinyin",
  "document_type",
  "document_number",
  "birth_date",
  "sex",
  "nationality",
  "phone",
  "household_region_code",
  "current_region_code",
  "current_address",
  "household_id",
  "household_relation",
  "created_at",
  "updated_at",
  "version",
] as const;

export function personValues(p: PersonRow): unknown[] {
  return [
    p.id,
    p.name,
    p.nameInitials,
    p.namePinyin,
    p.documentType,
    p.documentNumber,
    p.birthDate,
    p.sex,
    p.nationality,
    p.phone,
    p.householdRegionCode,
    p.currentRegionCode,
    p.currentAddress,
    p.householdId,
    p.householdRelation,
    p.createdAt,
    p.updatedAt,
    p.version,
  ];
}

export async function insertPerson(q: Queryable, p: PersonRow): Promise<void> {
  const placeholders = PERSON_INSERT_COLUMNS.map((_, i) => `$${i + 1}`).join(", ");
  await q.query(
    `INSERT INTO persons (${PERSON_INSERT_COLUMNS.join(", ")}) VALUES (${placeholders})`,
    personValues(p),
  );
  await q.query(
    "INSERT INTO person_documents (document_type, document_number, person_id) VALUES ($1, $2, $3)",
    [p.documentType, p.documentNumber, p.id],
  );
}

/** Writes the new state if the stored version is still `expectedVersion`; false when someone else changed it first. */
export async function updatePerson(
  q: Queryable,
  p: PersonRow,
  expectedVersion: number,
  documentChanged: boolean,
): Promise<boolean> {
  const sets = PERSON_INSERT_COLUMNS.slice(1, -3).map((c, i) => `${c} = $${i + 2}`);
  const values = personValues(p).slice(1, -3);
  const r = await q.query(
    `UPDATE persons SET ${sets.join(", ")}, updated_at = $${values.length + 2}, version = version + 1
     WHERE id = $1 AND version = $${values.length + 3}`,
    [p.id, ...values, p.updatedAt, expectedVersion],
  );
  if (r.rowCount === 0) return false;
  if (documentChanged) {
    await q.query("DELETE FROM person_documents WHERE person_id = $1", [p.id]);
    await q.query(
      "INSERT INTO person_documents (document_type, document_number, person_id) VALUES ($1, $2, $3)",
      [p.documentType, p.documentNumber, p.id],
    );
  }
  return true;
}

export async function findPerson(q: Queryable, id: string): Promise<PersonRow | null> {
  return (
    (await q.query<PersonRow>(`SELECT ${PERSON_COLUMNS} FROM persons p WHERE p.id = $1`, [id])).rows[0] ??
    null
  );
}

export async function findPersonIdByDocument(
  q: Queryable,
  type: DocumentType,
  number: string,
): Promise<string | null> {
  return (
    (
      await q.query<{ person_id: string }>(
        "SELECT person_id FROM person_documents WHERE document_number = $1 AND document_type = $2",
        [number, type],
      )
    ).rows[0]?.person_id ?? null
  );
}

export async function householdMembers(q: Queryable, householdId: string): Promise<PersonRow[]> {
  return (
    await q.query<PersonRow>(
      `SELECT ${PERSON_COLUMNS} FROM persons p WHERE p.household_id = $1 ORDER BY p.birth_date`,
      [householdId],
    )
  ).rows;
}

export type PersonSort = "name" | "createdAt" | "birthDate";

export interface PersonSearch {
  regionPrefix: string;
  q: string;
  sort: PersonSort;
  order: "asc" | "desc";
  limit: number;
  offset: number;
}

/** Counting stops here: beyond it a list says "more than 10,000", which no one pages through. */
export const COUNT_CAP = 10_000;

interface SearchCondition {
  sql: string;
  /**
   * Gather the matches first, then sort: for selective conditions whose matches lie scattered in the
   * sort order, walking the sort index and filtering would read most of the table.
   */
  gather: boolean;
}

function searchCondition(q: string, params: unknown[]): SearchCondition {
  const add = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const t = q.trim();
  if (!t) return { sql: "TRUE", gather: false };
  const upper = t.toUpperCase();
  if (/^\d{17}[\dX]$/.test(upper)) return { sql: `p.document_number = ${add(upper)}`, gather: false };
  if (/^1[3-9]\d{9}$/.test(t)) return { sql: `p.phone = ${add(t)}`, gather: false };
  if (/^[\dX]{3,}$/.test(upper)) {
    const rev = `${[...upper].reverse().join("")}%`;
    const r = add(rev);
    return {
      sql: `(reverse(p.document_number) COLLATE "C" LIKE ${r} OR reverse(p.phone) COLLATE "C" LIKE ${r})`,
      gather: false,
    };
  }
  if (/^[A-Za-z]+$/.test(t)) {
    const lower = t.toLowerCase();
    const v = add(`${lower}%`);
    // Initials and full pinyin both start with the first character's letter: bound the pinyin range by
    // it, so ordering by pinyin reads only that letter's names.
    const from = add(lower[0]);
    const to = add(String.fromCharCode(lower.charCodeAt(0) + 1));
    return {
      sql: `(p.name_initials LIKE ${v} OR p.name_pinyin LIKE ${v}) AND p.name_pinyin >= ${from} AND p.name_pinyin < ${to}`,
      gather: lower.length >= 2,
    };
  }
  return { sql: `p.name LIKE ${add(`${t.replace(/[%_\\]/g, "\\$&")}%`)}`, gather: false };
}

export async function searchPersons(
  q: Queryable,
  s: PersonSearch,
): Promise<{ rows: PersonRow[]; total: number; capped: boolean }> {
  const params: unknown[] = [];
  const cond = searchCondition(s.q, params);
  const where = [cond.sql];
  if (s.regionPrefix) {
    params.push(`${s.regionPrefix}%`);
    where.push(`p.current_region_code LIKE $${params.length}`);
  }
  const w = where.join(" AND ");
  const dir = s.order === "desc" ? "DESC" : "ASC";
  const orderBy = {
    name: `p.name_pinyin ${dir}, p.id ${dir}`,
    createdAt: `p.created_at ${dir}, p.id ${dir}`,
    birthDate: `p.birth_date ${dir}, p.id ${dir}`,
  }[s.sort];
  const rows = (
    await q.query<PersonRow>(
      cond.gather
        ? // OFFSET 0 keeps the planner from flattening the subquery: matches are gathered by their indexes first.
          `SELECT ${PERSON_COLUMNS} FROM (SELECT * FROM persons p WHERE ${w} OFFSET 0) p ORDER BY ${orderBy} LIMIT ${Number(s.limit)} OFFSET ${Number(s.offset)}`
        : `SELECT ${PERSON_COLUMNS} FROM persons p WHERE ${w} ORDER BY ${orderBy} LIMIT ${Number(s.limit)} OFFSET ${Number(s.offset)}`,
      params,
    )
  ).rows;
  let total: number;
  if (s.offset === 0 && rows.length < s.limit) total = rows.length;
  else {
    total = (
      await q.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM (SELECT 1 FROM persons p WHERE ${w} LIMIT ${COUNT_CAP + 1}) t`,
        params,
      )
    ).rows[0]!.n;
  }
  return { rows, total: Math.min(total, COUNT_CAP), capped: total > COUNT_CAP };
}

export interface HouseholdRow {
  id: string;
  regionCode: string;
  address: string;
  createdAt: Date;
}

export async function insertHousehold(q: Queryable, h: HouseholdRow): Promise<void> {
  await q.query("INSERT INTO households (id, region_code, address, created_at) VALUES ($1, $2, $3, $4)", [
    h.id,
    h.regionCode,
    h.address,
    h.createdAt,
  ]);
}

export async function findHousehold(q: Queryable, id: string): Promise<HouseholdRow | null> {
  return (
    (
      await q.query<HouseholdRow>(
        `SELECT id, region_code AS "regionCode", address, created_at AS "createdAt" FROM households WHERE id = $1`,
        [id],
      )
    ).rows[0] ?? null
  );
}

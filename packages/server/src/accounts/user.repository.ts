import type { Role } from "@cordon/domain/accounts/roles";
import type { Queryable } from "../db/db.ts";

export interface UserRow {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  jurisdictionCode: string;
  personId: string | null;
  passwordHash: string;
  failedAttempts: number;
  lockedUntil: Date | null;
  disabled: boolean;
  language: "zh-CN" | "en";
  createdAt: Date;
  updatedAt: Date;
}

const columns = (a: string) => `${a}.id, ${a}.username, ${a}.display_name AS "displayName", ${a}.role,
  ${a}.jurisdiction_code AS "jurisdictionCode", ${a}.person_id AS "personId", ${a}.password_hash AS "passwordHash",
  ${a}.failed_attempts AS "failedAttempts", ${a}.locked_until AS "lockedUntil", ${a}.disabled, ${a}.language,
  ${a}.created_at AS "createdAt", ${a}.updated_at AS "updatedAt"`;
const COLUMNS = columns("users");

export async function findUserByUsername(q: Queryable, username: string): Promise<UserRow | null> {
  return (
    (await q.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE username = $1`, [username])).rows[0] ?? null
  );
}

export async function findUserById(q: Queryable, id: string): Promise<UserRow | null> {
  return (await q.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id])).rows[0] ?? null;
}

export async function listUsers(
  q: Queryable,
  regionPrefix: string,
  limit: number,
  offset: number,
): Promise<{ rows: UserRow[]; total: number }> {
  const total = (
    await q.query<{ n: number }>("SELECT count(*)::int AS n FROM users WHERE jurisdiction_code LIKE $1", [
      `${regionPrefix}%`,
    ])
  ).rows[0]!.n;
  const rows = (
    await q.query<UserRow>(
      `SELECT ${COLUMNS} FROM users WHERE jurisdiction_code LIKE $1 ORDER BY role, username LIMIT $2 OFFSET $3`,
      [`${regionPrefix}%`, limit, offset],
    )
  ).rows;
  return { rows, total };
}

export async function insertUser(q: Queryable, u: UserRow): Promise<void> {
  await q.query(
    `INSERT INTO users (id, username, display_name, role, jurisdiction_code, person_id, password_hash, failed_attempts,
       locked_until, disabled, language, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      u.id,
      u.username,
      u.displayName,
      u.role,
      u.jurisdictionCode,
      u.personId,
      u.passwordHash,
      u.failedAttempts,
      u.lockedUntil,
      u.disabled,
      u.language,
      u.createdAt,
      u.updatedAt,
    ],
  );
}

export async function updateUser(q: Queryable, u: UserRow): Promise<void> {
  await q.query(
    `UPDATE users SET display_name = $2, role = $3, jurisdiction_code = $4, person_id = $5, password_hash = $6,
       failed_attempts = $7, locked_until = $8, disabled = $9, language = $10, updated_at = $11 WHERE id = $1`,
    [
      u.id,
      u.displayName,
      u.role,
      u.jurisdictionCode,
      u.personId,
      u.passwordHash,
      u.failedAttempts,
      u.lockedUntil,
      u.disabled,
      u.language,
      u.updatedAt,
    ],
  );
}

export async function insertSession(
  q: Queryable,
  tokenHash: string,
  userId: string,
  now: Date,
  expires: Date,
): Promise<void> {
  await q.query(
    "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    [tokenHash, userId, now, expires],
  );
}

export async function findSessionUser(q: Queryable, tokenHash: string, now: Date): Promise<UserRow | null> {
  return (
    (
      await q.query<UserRow>(
        `SELECT ${columns("u")} FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled`,
        [tokenHash, now],
      )
    ).rows[0] ?? null
  );
}

export async function deleteSession(q: Queryable, tokenHash: string): Promise<void> {
  await q.query("DELETE FROM sessions WHERE token_hash = $1", [tokenHash]);
}

export async function deleteUserSessions(q: Queryable, userId: string, exceptHash?: string): Promise<void> {
  await q.query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2", [userId, exceptHash ?? ""]);
}

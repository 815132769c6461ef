/**
 * A national administrator's session in an in-process app (`buildApp` + `inject`), for benchmarks that
 * time API calls: the user is made if missing, logged in, and calls go through `inject` with the
 * session cookie, each timed.
 */
import type { FastifyInstance } from "fastify";
import { v7 as uuidv7 } from "uuid";
import { hashPassword } from "../../packages/server/src/accounts/password.ts";
import { insertUser } from "../../packages/server/src/accounts/user.repository.ts";
import type { Db } from "../../packages/server/src/db/db.ts";

const PASSWORD = "bench-password-2026";

export type Inject = (
  method: "GET" | "POST",
  url: string,
  body?: unknown,
) => Promise<{ status: number; body: string; ms: number }>;

export function injector(app: FastifyInstance, cookie: string): Inject {
  return async (method, url, body) => {
    const t0 = performance.now();
    const r = await app.inject({
      method,
      url,
      headers: {
        cookie,
        ...(method === "POST" ? { "x-cordon-client": "bench" } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    });
    return { status: r.statusCode, body: r.body, ms: performance.now() - t0 };
  };
}

/** Logs in as `username` (a national administrator, made if missing) and returns a timed caller. */
export async function adminSession(
  app: FastifyInstance,
  db: Db,
  username: string,
  now: Date,
): Promise<Inject> {
  const have = await db.query("SELECT 1 FROM users WHERE username = $1", [username]);
  if (!have.rowCount)
    await insertUser(db, {
      id: uuidv7(),
      username,
      displayName: "基准测试管理员",
      role: "administrator",
      jurisdictionCode: "000000",
      personId: null,
      passwordHash: await hashPassword(PASSWORD),
      failedAttempts: 0,
      lockedUntil: null,
      disabled: false,
      language: "zh-CN",
      createdAt: now,
      updatedAt: now,
    });
  const login = await app.inject({
    method: "POST",
    url: "/api/auth/login",
    headers: { "content-type": "application/json", "x-cordon-client": "bench" },
    payload: JSON.stringify({ username, password: PASSWORD }),
  });
  if (login.statusCode !== 200) throw new Error(`login: ${login.statusCode} ${login.body}`);
  const set = login.headers["set-cookie"];
  const cookie = (Array.isArray(set) ? set[0]! : String(set)).split(";")[0]!;
  return injector(app, cookie);
}

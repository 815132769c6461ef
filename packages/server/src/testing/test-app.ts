import type { Role } from "@cordon/domain/accounts/roles";
import { makeResidentId } from "@cordon/domain/people/resident-id";
import type { FastifyInstance } from "fastify";
import { v7 as uuidv7 } from "uuid";
import { hashPassword } from "../accounts/password.ts";
import { insertUser } from "../accounts/user.repository.ts";
import type { Db } from "../db/db.ts";
import { buildApp } from "../http/app.ts";
import { type Engine, freshDb } from "./test-db.ts";

export interface TestApp {
  db: Db;
  app: FastifyInstance;
  /** Creates a user directly in the database and returns a logged-in session cookie. */
  userSession(
    role: Role,
    jurisdiction: string,
    opts?: { personId?: string; username?: string },
  ): Promise<string>;
  call(
    cookie: string | null,
    method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read response bodies freely
  ): Promise<{ status: number; json: () => any }>;
  close(): Promise<void>;
}

export const TEST_PASSWORD = "test-password-2026";
let hashed: Promise<string> | null = null;
let counter = 0;

/** A fresh database and app for one test file, with helpers that read like the API's users. */
export async function testApp(engine: Engine, now?: () => Date): Promise<TestApp> {
  const db = await freshDb(engine);
  const app = await buildApp({ db, webDist: null, ...(now ? { now } : {}) });
  hashed ??= hashPassword(TEST_PASSWORD);
  const t: TestApp = {
    db,
    app,
    async userSession(role, jurisdiction, opts = {}) {
      const username = opts.username ?? `${role.replace("_", "")}${++counter}`;
      const at = new Date();
      await insertUser(db, {
        id: uuidv7(),
        username,
        displayName: `${role} ${counter}`,
        role,
        jurisdictionCode: jurisdiction,
        personId: opts.personId ?? null,
        passwordHash: await hashed!,
        failedAttempts: 0,
        lockedUntil: null,
        disabled: false,
        language: "zh-CN",
        createdAt: at,
        updatedAt: at,
      });
      const r = await t.call(null, "POST", "/api/auth/login", { username, password: TEST_PASSWORD });
      if (r.status !== 200) throw new Error(`login failed: ${r.status}`);
      return cookieOf(r as unknown as { headers: Record<string, string | string[]> });
    },
    async call(cookie, method, url, body, headers = {}) {
      const res = await app.inject({
        method,
        url,
        headers: {
          ...(cookie ? { cookie } : {}),
          ...(method !== "GET" ? { "x-cordon-client": "test" } : {}),
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...headers,
        },
        ...(body !== undefined ? { payload: typeof body === "string" ? body : JSON.stringify(body) } : {}),
      });
      return Object.assign(res, {
        status: res.statusCode,
        json: () => (res.body ? JSON.parse(res.body) : null),
      });
    },
    async close() {
      await app.close();
      await db.close();
    },
  };
  return t;
}

function cookieOf(res: { headers: Record<string, string | string[]> }): string {
  const set = res.headers["set-cookie"];
  const first = Array.isArray(set) ? set[0] : set;
  if (!first) throw new Error("no session cookie");
  return first.split(";")[0]!;
}

/** A valid person payload in a given community; the ID number varies with `seq`. */
export function personPayload(communityCode: string, seq: number, overrides: Record<string, unknown> = {}) {
  return {
    name: "马晓燕",
    documentType: "resident_id",
    documentNumber: makeResidentId(communityCode.slice(0, 6), "1990-03-08", seq),
    phone: "13809511234",
    currentRegionCode: communityCode,
    currentAddress: "胜利街12号3单元501",
    ...overrides,
  };
}

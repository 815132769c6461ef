import { passwordProblems } from "@cordon/domain/accounts/lockout";
import { decideAccess, type Role } from "@cordon/domain/accounts/roles";
import { subtreePrefix } from "@cordon/domain/regions/region-code";
import { recordAudit } from "../audit/audit.service.ts";
import { type Db, sqlState } from "../db/db.ts";
import { conflict, type RequestContext, requireActor } from "../http/context.ts";
import { forbidden, invalid, notFound } from "../http/errors.ts";
import { findRegion } from "../regions/region.repository.ts";
import { newUserId } from "./auth.service.ts";
import { hashPassword } from "./password.ts";
import { findUserById, insertUser, listUsers, type UserRow, updateUser } from "./user.repository.ts";

export interface PublicUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  jurisdictionCode: string;
  personId: string | null;
  disabled: boolean;
  locked: boolean;
  language: "zh-CN" | "en";
  createdAt: string;
}

export function publicUser(u: UserRow, now: Date): PublicUser {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    jurisdictionCode: u.jurisdictionCode,
    personId: u.personId,
    disabled: u.disabled,
    locked: u.lockedUntil !== null && u.lockedUntil > now,
    language: u.language,
    createdAt: u.createdAt.toISOString(),
  };
}

const USER = { zh: "用户", en: "User" };

async function requireManage(db: Db, ctx: RequestContext, regionCodes: string[]) {
  const actor = requireActor(ctx);
  const d = decideAccess(actor, "users.manage", regionCodes);
  if (!d.allowed) throw forbidden(d.reason);
  for (const code of regionCodes) {
    if (!(await findRegion(db, code))) {
      throw invalid([
        {
          field: "jurisdictionCode",
          code: "region.unknown",
          message: { zh: `区划代码 ${code} 不存在`, en: `Region ${code} does not exist` },
        },
      ]);
    }
  }
  return actor;
}

export async function listUsersFor(db: Db, ctx: RequestContext, limit: number, offset: number) {
  const actor = await requireManage(db, ctx, []);
  const r = await listUsers(db, subtreePrefix(actor.jurisdiction), limit, offset);
  return { total: r.total, items: r.rows.map((u) => publicUser(u, ctx.now)) };
}

export interface NewUser {
  username: string;
  displayName: string;
  role: Role;
  jurisdictionCode: string;
  password: string;
  personId?: string | null | undefined;
  language?: "zh-CN" | "en" | undefined;
}

export async function createUser(db: Db, ctx: RequestContext, input: NewUser): Promise<PublicUser> {
  await requireManage(db, ctx, [input.jurisdictionCode]);
  const weak = passwordProblems(input.password);
  if (weak) throw invalid([{ field: "password", code: "password.weak", message: weak }]);
  const row: UserRow = {
    id: newUserId(),
    username: input.username,
    displayName: input.displayName,
    role: input.role,
    jurisdictionCode: input.jurisdictionCode,
    personId: input.personId ?? null,
    passwordHash: await hashPassword(input.password),
    failedAttempts: 0,
    lockedUntil: null,
    disabled: false,
    language: input.language ?? "zh-CN",
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  try {
    await db.transaction(async (tx) => {
      await insertUser(tx, row);
      const { passwordHash: _, ...safe } = row;
      await recordAudit(tx, ctx, {
        action: "user.create",
        entityType: "user",
        entityId: row.id,
        regionCode: row.jurisdictionCode,
        after: safe,
      });
    });
  } catch (e) {
    if (sqlState(e) === "23505")
      throw conflict(`用户名 ${input.username} 已存在`, `Username ${input.username} is taken`);
    throw e;
  }
  return publicUser(row, ctx.now);
}

export interface UserChanges {
  displayName?: string | undefined;
  role?: Role | undefined;
  jurisdictionCode?: string | undefined;
  disabled?: boolean | undefined;
  unlock?: boolean | undefined;
  password?: string | undefined;
}

export async function changeUser(
  db: Db,
  ctx: RequestContext,
  id: string,
  ch: UserChanges,
): Promise<PublicUser> {
  const user = await findUserById(db, id);
  if (!user) throw notFound(USER);
  const actor = await requireManage(db, ctx, [
    user.jurisdictionCode,
    ch.jurisdictionCode ?? user.jurisdictionCode,
  ]);
  if (actor.userId === id && (ch.disabled || (ch.role && ch.role !== user.role))) {
    throw invalid([
      {
        field: "role",
        code: "user.self",
        message: {
          zh: "不能停用自己或更改自己的角色",
          en: "You cannot disable yourself or change your own role",
        },
      },
    ]);
  }
  let passwordHash = user.passwordHash;
  if (ch.password !== undefined) {
    const weak = passwordProblems(ch.password);
    if (weak) throw invalid([{ field: "password", code: "password.weak", message: weak }]);
    passwordHash = await hashPassword(ch.password);
  }
  const next: UserRow = {
    ...user,
    displayName: ch.displayName ?? user.displayName,
    role: ch.role ?? user.role,
    jurisdictionCode: ch.jurisdictionCode ?? user.jurisdictionCode,
    disabled: ch.disabled ?? user.disabled,
    failedAttempts: ch.unlock ? 0 : user.failedAttempts,
    lockedUntil: ch.unlock ? null : user.lockedUntil,
    passwordHash,
    updatedAt: ctx.now,
  };
  await db.transaction(async (tx) => {
    await updateUser(tx, next);
    const { passwordHash: _b, updatedAt: _ub, ...b } = user;
    const { passwordHash: _a, updatedAt: _ua, ...a } = next;
    await recordAudit(tx, ctx, {
      action: "user.update",
      entityType: "user",
      entityId: id,
      regionCode: next.jurisdictionCode,
      before: { ...b, passwordChanged: false },
      after: { ...a, passwordChanged: ch.password !== undefined },
    });
  });
  return publicUser(next, ctx.now);
}

import { createHash, randomBytes } from "node:crypto";
import { AFTER_SUCCESS, afterFailure, isLocked, passwordProblems } from "@cordon/domain/accounts/lockout";
import { v7 as uuidv7 } from "uuid";
import { recordAudit } from "../audit/audit.service.ts";
import type { Db } from "../db/db.ts";
import type { RequestContext, SessionActor } from "../http/context.ts";
import { requireActor } from "../http/context.ts";
import { AppError, invalid } from "../http/errors.ts";
import { hashPassword, verifyPassword } from "./password.ts";
import {
  deleteSession,
  deleteUserSessions,
  findSessionUser,
  findUserById,
  findUserByUsername,
  insertSession,
  type UserRow,
  updateUser,
} from "./user.repository.ts";

export const SESSION_HOURS = 12;

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

export function toActor(u: UserRow): SessionActor {
  return {
    userId: u.id,
    username: u.username,
    displayName: u.displayName,
    role: u.role,
    jurisdiction: u.jurisdictionCode,
    personId: u.personId,
  };
}

const badCredentials = () =>
  new AppError(401, "bad_credentials", { zh: "用户名或密码错误", en: "Wrong username or password" });

/**
 * Password login. Five wrong passwords in a row lock the account for 15 minutes; the lock, the
 * failures and the success are all audited. Returns the session token for the cookie.
 */
export async function login(
  db: Db,
  ctx: RequestContext,
  username: string,
  password: string,
): Promise<{ token: string; user: UserRow }> {
  const user = await findUserByUsername(db, username);
  if (!user || user.disabled) {
    await verifyPassword(
      password,
      "scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    );
    throw badCredentials();
  }
  if (isLocked(user, ctx.now)) {
    throw new AppError(423, "account_locked", {
      zh: `账号因多次密码错误已锁定，请于 ${user.lockedUntil!.toISOString()} 后再试`,
      en: `The account is locked after repeated wrong passwords; try again after ${user.lockedUntil!.toISOString()}`,
    });
  }
  const ok = await verifyPassword(password, user.passwordHash);
  const auditCtx = { ...ctx, actor: toActor(user) };
  if (!ok) {
    const next = afterFailure(user, ctx.now);
    await db.transaction(async (tx) => {
      await updateUser(tx, { ...user, ...next, updatedAt: ctx.now });
      await recordAudit(tx, auditCtx, {
        action:
          next.lockedUntil && !isLocked(user, ctx.now) && isLocked(next, ctx.now)
            ? "auth.locked"
            : "auth.login_failed",
        entityType: "user",
        entityId: user.id,
        regionCode: user.jurisdictionCode,
      });
    });
    throw badCredentials();
  }
  const token = randomBytes(32).toString("base64url");
  await db.transaction(async (tx) => {
    await updateUser(tx, { ...user, ...AFTER_SUCCESS, updatedAt: ctx.now });
    await insertSession(
      tx,
      hashToken(token),
      user.id,
      ctx.now,
      new Date(ctx.now.getTime() + SESSION_HOURS * 3600_000),
    );
    await recordAudit(tx, auditCtx, {
      action: "auth.login",
      entityType: "user",
      entityId: user.id,
      regionCode: user.jurisdictionCode,
    });
  });
  return { token, user };
}

export async function logout(db: Db, ctx: RequestContext, token: string): Promise<void> {
  await db.transaction(async (tx) => {
    await deleteSession(tx, hashToken(token));
    if (ctx.actor) {
      await recordAudit(tx, ctx, {
        action: "auth.logout",
        entityType: "user",
        entityId: ctx.actor.userId,
        regionCode: ctx.actor.jurisdiction,
      });
    }
  });
}

export async function sessionActor(db: Db, token: string, now: Date): Promise<SessionActor | null> {
  const u = await findSessionUser(db, hashToken(token), now);
  return u ? toActor(u) : null;
}

/** Changing one's password needs the current one; other sessions of the user end. */
export async function changePassword(
  db: Db,
  ctx: RequestContext,
  token: string,
  currentPassword: string,
  newPassword: string,
): Promise<void> {
  const actor = requireActor(ctx);
  const user = (await findUserById(db, actor.userId))!;
  if (!(await verifyPassword(currentPassword, user.passwordHash))) {
    throw invalid([
      {
        field: "currentPassword",
        code: "password.wrong",
        message: { zh: "当前密码不正确", en: "The current password is wrong" },
      },
    ]);
  }
  const weak = passwordProblems(newPassword);
  if (weak) throw invalid([{ field: "newPassword", code: "password.weak", message: weak }]);
  if (newPassword === currentPassword) {
    throw invalid([
      {
        field: "newPassword",
        code: "password.same",
        message: { zh: "新密码不能与当前密码相同", en: "The new password must differ from the current one" },
      },
    ]);
  }
  const passwordHash = await hashPassword(newPassword);
  await db.transaction(async (tx) => {
    await updateUser(tx, { ...user, passwordHash, updatedAt: ctx.now });
    await deleteUserSessions(tx, user.id, hashToken(token));
    await recordAudit(tx, ctx, {
      action: "auth.password_changed",
      entityType: "user",
      entityId: user.id,
      regionCode: user.jurisdictionCode,
    });
  });
}

export const newUserId = () => uuidv7();

import { ROLE_PERMISSIONS, type Role } from "@cordon/domain/accounts/roles";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { requireActor } from "../http/context.ts";
import {
  errorResponses,
  IsoDateTime,
  Page,
  PageSize,
  RegionCode,
  RoleSchema,
  Uuid,
} from "../http/schemas.ts";
import { changePassword, login, logout, SESSION_HOURS } from "./auth.service.ts";
import { changeUser, createUser, listUsersFor } from "./user.service.ts";

const SESSION_COOKIE = "cordon_session";

const UserSchema = z
  .object({
    id: Uuid,
    username: z.string(),
    displayName: z.string(),
    role: RoleSchema,
    jurisdictionCode: z.string(),
    personId: z.string().nullable(),
    disabled: z.boolean(),
    locked: z.boolean(),
    language: z.enum(["zh-CN", "en"]),
    createdAt: IsoDateTime,
  })
  .meta({ id: "User" });

const MeSchema = z.object({
  user: z.object({
    id: z.string(),
    username: z.string(),
    displayName: z.string(),
    role: RoleSchema,
    jurisdictionCode: z.string(),
    personId: z.string().nullable(),
  }),
  permissions: z.array(z.string()),
});

const Username = z.string().regex(/^[a-z][a-z0-9_.-]{2,31}$/, "username.format");

export const accountRoutes: FastifyPluginAsyncZod<{ db: Db; secureCookies: boolean }> = async (
  app,
  { db, secureCookies },
) => {
  const me = (ctx: { actor: ReturnType<typeof requireActor> }) => ({
    user: {
      id: ctx.actor.userId,
      username: ctx.actor.username,
      displayName: ctx.actor.displayName,
      role: ctx.actor.role,
      jurisdictionCode: ctx.actor.jurisdiction,
      personId: ctx.actor.personId,
    },
    permissions: [...ROLE_PERMISSIONS[ctx.actor.role as Role]],
  });

  app.post(
    "/api/auth/login",
    {
      config: { public: true },
      schema: {
        tags: ["accounts"],
        summary: "Log in with username and password; sets the session cookie",
        security: [],
        body: z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) }),
        response: { 200: MeSchema, ...errorResponses, 423: errorResponses[401] },
      },
    },
    async (req, reply) => {
      const { token, user } = await login(db, req.ctx, req.body.username, req.body.password);
      reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: "strict",
        secure: secureCookies,
        path: "/",
        maxAge: SESSION_HOURS * 3600,
      });
      const actor = {
        userId: user.id,
        username: user.username,
        displayName: user.displayName,
        role: user.role,
        jurisdiction: user.jurisdictionCode,
        personId: user.personId,
      };
      return me({ actor });
    },
  );

  app.post(
    "/api/auth/logout",
    {
      config: { public: true },
      schema: { tags: ["accounts"], summary: "End the session", response: { 204: z.null() } },
    },
    async (req, reply) => {
      const token = req.cookies[SESSION_COOKIE];
      if (token) await logout(db, req.ctx, token);
      reply.clearCookie(SESSION_COOKIE, { path: "/" });
      return reply.status(204).send(null);
    },
  );

  app.get(
    "/api/auth/me",
    {
      schema: {
        tags: ["accounts"],
        summary: "The logged-in user and their permissions",
        response: { 200: MeSchema, ...errorResponses },
      },
    },
    async (req) => me({ actor: requireActor(req.ctx) }),
  );

  app.post(
    "/api/auth/password",
    {
      schema: {
        tags: ["accounts"],
        summary: "Change one's own password; other sessions end",
        body: z.strictObject({
          currentPassword: z.string().min(1).max(256),
          newPassword: z.string().min(1).max(256),
        }),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (req, reply) => {
      await changePassword(
        db,
        req.ctx,
        req.cookies[SESSION_COOKIE]!,
        req.body.currentPassword,
        req.body.newPassword,
      );
      return reply.status(204).send(null);
    },
  );

  app.get(
    "/api/users",
    {
      schema: {
        tags: ["accounts"],
        summary: "Users inside the administrator's jurisdiction",
        querystring: z.strictObject({ page: Page, pageSize: PageSize }),
        response: { 200: z.object({ items: z.array(UserSchema), total: z.number() }), ...errorResponses },
      },
    },
    async (req) => listUsersFor(db, req.ctx, req.query.pageSize, (req.query.page - 1) * req.query.pageSize),
  );

  app.post(
    "/api/users",
    {
      schema: {
        tags: ["accounts"],
        summary: "Create a user with a role and a jurisdiction",
        body: z.strictObject({
          username: Username,
          displayName: z.string().min(1).max(50),
          role: RoleSchema,
          jurisdictionCode: RegionCode,
          password: z.string().min(1).max(256),
          personId: Uuid.nullable().optional(),
          language: z.enum(["zh-CN", "en"]).optional(),
        }),
        response: { 201: UserSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const u = await createUser(db, req.ctx, { ...req.body, role: req.body.role as Role });
      return reply.status(201).send(u);
    },
  );

  app.patch(
    "/api/users/:id",
    {
      schema: {
        tags: ["accounts"],
        summary: "Change a user's name, role, jurisdiction, password, or disable/unlock them",
        params: z.strictObject({ id: Uuid }),
        body: z.strictObject({
          displayName: z.string().min(1).max(50).optional(),
          role: RoleSchema.optional(),
          jurisdictionCode: RegionCode.optional(),
          disabled: z.boolean().optional(),
          unlock: z.boolean().optional(),
          password: z.string().min(1).max(256).optional(),
        }),
        response: { 200: UserSchema, ...errorResponses },
      },
    },
    async (req) =>
      changeUser(db, req.ctx, req.params.id, { ...req.body, role: req.body.role as Role | undefined }),
  );
};

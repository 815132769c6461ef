import { existsSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { join } from "node:path";
import fastifyCookie from "@fastify/cookie";
import fastifyStatic from "@fastify/static";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import { accountRoutes } from "../accounts/account.routes.ts";
import { sessionActor } from "../accounts/auth.service.ts";
import { isDemoSeeded } from "../demo/demo.service.ts";
import { z } from "zod";
import { arrivalRoutes } from "../arrivals/arrival.routes.ts";
import { assistRoutes } from "../assist/assist.routes.ts";
import { auditRoutes } from "../audit/audit.routes.ts";
import { deadlineRoutes } from "../deadlines/deadline.routes.ts";
import type { Db } from "../db/db.ts";
import { natRoutes } from "../nat/nat.routes.ts";
import { personRoutes } from "../people/person.routes.ts";
import { policyRoutes } from "../policies/policy.routes.ts";
import { certificateRoutes } from "../quarantine/certificate.routes.ts";
import { healthReportRoutes } from "../quarantine/health-report.routes.ts";
import { quarantinePlacementRoutes } from "../quarantine/placement.routes.ts";
import { quarantineSiteRoutes } from "../quarantine/site.routes.ts";
import { regionRoutes } from "../regions/region.routes.ts";
import { tracingRoutes } from "../tracing/tracing.routes.ts";
import { chainRoutes } from "../tracing/chain.routes.ts";
import { stayRoutes } from "../tracing/stay.routes.ts";
import { lineListRoutes } from "../tracing/line-list.routes.ts";
import { codeRoutes } from "../codes/code.routes.ts";
import { startCodeWorker } from "../codes/code-worker.ts";
import { loadShippedPacks } from "../policies/policy-packs.ts";
import { areaRoutes } from "../zones/area.routes.ts";
import { areaTransitionRoutes } from "../zones/area-transition.routes.ts";
import { venueRoutes } from "../venues/venue.routes.ts";
import { checkinOptionsFromEnv, GateIngest } from "../venues/gate-ingest.ts";
import { gateFastPath } from "../venues/gate-fast-path.ts";
import { coPresenceRoutes } from "../copresence/copresence.routes.ts";
import type { RequestContext } from "./context.ts";
import {
  AppError,
  errorBody,
  internalError,
  type Lang,
  payloadTooLarge,
  requestLang,
  unsupportedMediaType,
} from "./errors.ts";
import { schemaValidationFailed } from "./validation.ts";

export const SESSION_COOKIE = "cordon_session";
const WEB_DIST = join(import.meta.dirname, "..", "..", "..", "web", "dist");

declare module "fastify" {
  interface FastifyRequest {
    ctx: RequestContext;
  }
  interface FastifyContextConfig {
    /** Reachable without a session (login, health, documents). */
    public?: boolean;
    /**
     * Authenticated by a bearer token the route checks itself (gate devices, no session): neither the
     * session nor the X-Cordon-Client header (browsers do not send bearer tokens by themselves).
     */
    bearer?: boolean;
  }
}

export interface AppOptions {
  db: Db;
  /** Clock for request contexts; tests pass a fixed one. */
  now?: () => Date;
  secureCookies?: boolean;
  logger?: boolean;
  webDist?: string | null;
  /**
   * Run the health-code worker in this process (every second: colours follow changes of state within
   * seconds). The server does; integration tests run it by hand (`runCodeWork`) for determinism.
   */
  codeWorker?: boolean;
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const BODY_LIMIT = 1024 * 1024;

/**
 * Builds the HTTP API: JSON in and out, validated by zod at the edge, one error shape, sessions in an
 * httpOnly SameSite=Strict cookie, and CSRF refused by requiring a custom header on every write.
 */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const now = opts.now ?? (() => new Date());
  const packs = loadShippedPacks();
  const gate = new GateIngest(opts.db, packs, checkinOptionsFromEnv());
  let fastPath: ((req: IncomingMessage, res: ServerResponse) => boolean) | null = null;
  const app = Fastify({
    logger: opts.logger ? { level: "info" } : false,
    bodyLimit: BODY_LIMIT,
    // The HTTP server made here rather than by Fastify, for the gate uploads' fast path
    // (venues/gate-fast-path.ts); its timeouts as Fastify sets them on the servers it makes.
    serverFactory: (handler, options) => {
      const o = options as { keepAliveTimeout?: number; requestTimeout?: number; connectionTimeout?: number };
      const server = createServer((req, res) => {
        if (!fastPath?.(req, res)) handler(req, res);
      });
      server.keepAliveTimeout = o.keepAliveTimeout ?? 72_000;
      server.requestTimeout = o.requestTimeout ?? 0;
      server.setTimeout(o.connectionTimeout ?? 0);
      return server;
    },
    trustProxy: true,
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<ZodTypeProvider>();
  fastPath = gateFastPath(gate, { now, bodyLimit: BODY_LIMIT, log: (e) => app.log.error(e) });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Cordon API",
        version: "0.1.0",
        description:
          "Epidemic prevention and control command platform. Every request needs a session cookie from POST /api/auth/login " +
          "except where noted; every write needs the header `X-Cordon-Client`. Errors: `{ error: { code, message, fields? } }`, " +
          "message in zh-CN unless `Accept-Language: en`.",
      },
      components: {
        securitySchemes: { session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE } },
      },
      security: [{ session: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/docs" });
  app.get("/openapi.json", { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  app.decorateRequest("ctx", null as unknown as RequestContext);
  // Callback hooks, not async ones: they run for every request, and most return without waiting.
  app.addHook("onRequest", (req, _reply, done) => {
    const q = req.query as Record<string, string> | undefined;
    req.ctx = {
      actor: null,
      ip: req.ip,
      lang: requestLang(req.headers["accept-language"], q?.lang),
      now: now(),
    };
    done();
  });
  app.addHook("preHandler", (req, _reply, done) => {
    if (!req.url.startsWith("/api/") || req.routeOptions.config.bearer) return done();
    if (UNSAFE.has(req.method)) {
      if (!req.headers["x-cordon-client"]) {
        return done(
          new AppError(403, "csrf", {
            zh: "写请求须带 X-Cordon-Client 请求头",
            en: "Write requests need the X-Cordon-Client header",
          }),
        );
      }
      const origin = req.headers.origin;
      if (origin && URL.parse(origin)?.host !== req.headers.host) {
        return done(new AppError(403, "csrf", { zh: "跨站请求被拒绝", en: "Cross-site request refused" }));
      }
    }
    const token = req.cookies[SESSION_COOKIE];
    const decide = () => {
      if (!req.ctx.actor && !req.routeOptions.config.public) {
        return done(new AppError(401, "unauthenticated", { zh: "请先登录", en: "Please log in first" }));
      }
      done();
    };
    if (!token) return decide();
    sessionActor(opts.db, token, req.ctx.now).then(
      (actor) => {
        req.ctx.actor = actor;
        decide();
      },
      (e: unknown) => done(e as Error),
    );
  });

  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const lang: Lang = req.ctx?.lang ?? "zh-CN";
    const e = toAppError(err);
    if (e.status >= 500) req.log.error(err);
    return reply.status(e.status).send(errorBody(e, lang));
  });
  app.setNotFoundHandler((req, reply) => {
    // Pages of the single-page app get index.html; API calls and missing built assets get a real 404.
    const isPage = req.method === "GET" && !req.url.startsWith("/api/") && !req.url.startsWith("/assets/");
    if (isPage && webDist && existsSync(join(webDist, "index.html"))) {
      return reply.sendFile("index.html");
    }
    const e = new AppError(404, "not_found", {
      zh: `没有此接口：${req.method} ${req.url}`,
      en: `No such endpoint: ${req.method} ${req.url}`,
    });
    return reply.status(404).send(errorBody(e, req.ctx?.lang ?? "zh-CN"));
  });

  app.get(
    "/api/health",
    {
      config: { public: true },
      schema: {
        tags: ["system"],
        summary: "Liveness, the database engine, and whether this installation holds synthetic demo data",
        security: [],
        response: {
          200: z.object({ ok: z.boolean(), engine: z.enum(["pglite", "postgres"]), demo: z.boolean() }),
        },
      },
    },
    async () => ({ ok: true, engine: opts.db.engine, demo: await isDemoSeeded(opts.db) }),
  );

  const deps = { db: opts.db, secureCookies: opts.secureCookies ?? false };
  await app.register(accountRoutes, deps);
  await app.register(regionRoutes, deps);
  await app.register(personRoutes, deps);
  await app.register(auditRoutes, deps);
  await app.register(areaRoutes, deps);
  await app.register(areaTransitionRoutes, deps);
  await app.register(policyRoutes, deps);
  await app.register(arrivalRoutes, deps);
  await app.register(deadlineRoutes, deps);
  await app.register(assistRoutes, deps);
  await app.register(quarantineSiteRoutes, deps);
  await app.register(quarantinePlacementRoutes, deps);
  await app.register(healthReportRoutes, deps);
  await app.register(certificateRoutes, deps);
  await app.register(natRoutes, deps);
  await app.register(tracingRoutes, deps);
  await app.register(chainRoutes, deps);
  await app.register(stayRoutes, deps);
  await app.register(lineListRoutes, deps);
  await app.register(venueRoutes, { ...deps, gate });
  await app.register(coPresenceRoutes, deps);
  await app.register(codeRoutes, deps);
  if (opts.codeWorker) {
    const stop = startCodeWorker(opts.db, packs, {
      now,
      onError: (e) => app.log.error(e, "health-code worker"),
    });
    app.addHook("onClose", async () => stop());
  }

  const webDist = opts.webDist === undefined ? WEB_DIST : opts.webDist;
  if (webDist && existsSync(webDist)) {
    await app.register(fastifyStatic, { root: webDist, prefix: "/" });
  }
  return app;
}

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) return schemaValidationFailed(err.validation);
  const fe = err as { statusCode?: number; code?: string; message?: string };
  switch (fe.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return payloadTooLarge();
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return unsupportedMediaType();
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new AppError(400, "malformed_json", { zh: "JSON 请求体为空", en: "The JSON body is empty" });
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new AppError(400, "malformed_json", {
        zh: `JSON 格式错误：${fe.message}`,
        en: `Malformed JSON: ${fe.message}`,
      });
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    if (err instanceof SyntaxError) {
      return new AppError(400, "malformed_json", {
        zh: `JSON 格式错误：${fe.message}`,
        en: `Malformed JSON: ${fe.message}`,
      });
    }
    return new AppError(fe.statusCode, "bad_request", {
      zh: `请求错误：${fe.message}`,
      en: `Bad request: ${fe.message}`,
    });
  }
  return internalError();
}

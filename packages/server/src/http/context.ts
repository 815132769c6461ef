import type { Actor } from "@cordon/domain/accounts/roles";
import { AppError, type Lang, unauthenticated } from "./errors.ts";

export interface SessionActor extends Actor {
  username: string;
  displayName: string;
}

/** What every service call knows about its caller. Time is passed in, never read inside services. */
export interface RequestContext {
  actor: SessionActor | null;
  ip: string;
  lang: Lang;
  now: Date;
}

export function requireActor(ctx: RequestContext): SessionActor {
  if (!ctx.actor) throw unauthenticated();
  return ctx.actor;
}

/** A context for the CLI and background jobs: the system acting as administrator of the whole country. */
export function systemContext(now = new Date()): RequestContext {
  return {
    actor: {
      userId: "00000000-0000-0000-0000-000000000000",
      username: "system",
      displayName: "system",
      role: "administrator",
      jurisdiction: "000000",
      personId: null,
    },
    ip: "local",
    lang: "zh-CN",
    now,
  };
}

export const conflict = (zh: string, en: string) => new AppError(409, "conflict", { zh, en });

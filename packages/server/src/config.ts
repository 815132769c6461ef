import { join } from "node:path";

/** Settings from the environment, with defaults for a laptop. */
export interface Config {
  databaseUrl: string | undefined;
  dataDir: string;
  host: string;
  port: number;
  secureCookies: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.CORDON_DATA_DIR || join(process.cwd(), "data", "pglite"),
    host: env.HOST || "127.0.0.1",
    port: Number(env.PORT || 8080),
    secureCookies: env.CORDON_SECURE_COOKIES === "1",
  };
}

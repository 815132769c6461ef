import { writeFileSync } from "node:fs";
import { openPglite } from "../db/db.ts";
import { buildApp } from "../http/app.ts";

/** Writes the OpenAPI document to a file (for the web client's generated types) without a server or data. */
const out = process.argv[2];
if (!out) {
  console.error("usage: export-openapi.ts OUT.json");
  process.exit(2);
}
const db = await openPglite(null);
const app = await buildApp({ db, webDist: null });
await app.ready();
writeFileSync(out, JSON.stringify(app.swagger(), null, 2));
await app.close();
await db.close();

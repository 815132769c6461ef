/**
 * Completes the exported OpenAPI document when its `$ref`s point at `components.schemas` entries that
 * are missing. The server names schemas with zod `.meta({ id })` but does not yet register
 * `jsonSchemaTransformObject` with @fastify/swagger, so the named schemas never reach the document.
 * This fills them in from the same zod registry; once the server does it, this leaves the file as is.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { jsonSchemaTransformObject } from "fastify-type-provider-zod";

const file = process.argv[2];
if (!file) {
  console.error("usage: complete-openapi.ts OPENAPI.json");
  process.exit(2);
}

interface OpenApiDoc {
  openapi: string;
  components?: { schemas?: Record<string, unknown> };
}

const text = readFileSync(file, "utf8");
const doc = JSON.parse(text) as OpenApiDoc;
const refs = new Set([...text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1] ?? ""));
const missing = [...refs].filter((name) => !doc.components?.schemas?.[name]);

if (missing.length > 0) {
  // Loading the routes registers their named zod schemas in zod's global registry.
  await import("../../server/src/http/app.ts");
  const completed = jsonSchemaTransformObject({ openapiObject: doc } as Parameters<
    typeof jsonSchemaTransformObject
  >[0]);
  const still = missing.filter((name) => !(completed as OpenApiDoc).components?.schemas?.[name]);
  if (still.length > 0) {
    console.error(`OpenAPI document refers to schemas that exist nowhere: ${still.join(", ")}`);
    process.exit(1);
  }
  writeFileSync(file, JSON.stringify(completed, null, 2));
  console.error(
    `complete-openapi: added ${missing.length} named schema(s) the server left out: ${missing.join(", ")}`,
  );
}

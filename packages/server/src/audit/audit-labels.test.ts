/**
 * The web audit page names every action and kind of record the server writes, in both languages: read from
 * the server's source (each `action: "…"` and `entityType: "…"` a service passes to recordAudit), so
 * that an action added on the server without a label fails here rather than showing as a code.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { en } from "../../../web/src/i18n/en.ts";
import { zhCN } from "../../../web/src/i18n/zh-cn.ts";

const SERVER_SRC = join(import.meta.dirname, "..");

function serverSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? serverSources(join(dir, e.name))
      : e.name.endsWith(".ts") && !e.name.includes(".test.")
        ? [readFileSync(join(dir, e.name), "utf8")]
        : [],
  );
}

/** String literals on lines that set the given key: `action: "a.b"`, `action: x ? "a.b" : "a.c"`. */
function literals(sources: string[], key: string, pattern: RegExp): Set<string> {
  const found = new Set<string>();
  for (const text of sources)
    for (const line of text.split("\n"))
      if (line.includes(`${key}:`)) for (const m of line.matchAll(pattern)) found.add(m[1]!);
  return found;
}

const sources = serverSources(SERVER_SRC);
type Groups = Record<string, Record<string, string>>;

test("every audit action the server records has a label in Chinese and English", () => {
  const actions = literals(sources, "action", /"([a-z_]+\.[a-z_]+)"/g);
  assert.ok(actions.size >= 30, `found only ${actions.size} actions: the scan is broken`);
  const missing = [...actions].filter((a) => {
    const [group, name] = a.split(".") as [string, string];
    return !(zhCN.audit.actions as Groups)[group]?.[name] || !(en.audit.actions as Groups)[group]?.[name];
  });
  assert.deepEqual(missing, []);
});

test("every kind of audited record has a label in Chinese and English", () => {
  const types = literals(sources, "entityType", /entityType: "([a-z_]+)"/g);
  assert.ok(types.size >= 10, `found only ${types.size} entity types: the scan is broken`);
  const zh = zhCN.audit.entityTypes as Record<string, string>;
  const english = en.audit.entityTypes as Record<string, string>;
  assert.deepEqual(
    [...types].filter((e) => !zh[e] || !english[e]),
    [],
  );
});

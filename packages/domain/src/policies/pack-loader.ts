/**
 * Parses and checks policy packs. Pure: the caller reads the files and passes their text, so the
 * same checks run in the CLI, the server and tests. Every problem names its file and line.
 */
import { isMap, isSeq, LineCounter, parseDocument } from "yaml";
import type { Document, Node } from "yaml";
import type { z } from "zod";
import type { Message } from "../shared/result.ts";
import {
  DATED_CATEGORIES,
  type LoadedPack,
  type Pack,
  packSchema,
  parseInstant,
  type Rule,
  TRAVEL_CATEGORIES,
} from "./pack-schema.ts";

export interface PackLoadError {
  file: string;
  /** 1-based; the line of the offending field (or of the nearest enclosing one). */
  line: number;
  /** Dotted path to the field, e.g. "rules.2.lookbackDays". */
  path: string;
  code: string;
  message: Message;
}

export type PackLoadResult = { ok: true; packs: LoadedPack[] } | { ok: false; errors: PackLoadError[] };

export interface PackFile {
  file: string;
  text: string;
}

type Path = (string | number)[];

/** The YAML node at `path`, or the deepest existing ancestor (so a missing field points at its parent). */
function nodeAt(doc: Document, path: Path): Node | null {
  let node: unknown = doc.contents;
  let last: Node | null = (doc.contents as Node | null) ?? null;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === seg);
      if (!pair) break;
      // Point at the key: a block value starts on the next line, a scalar shares the key's line.
      node = pair.value;
      last = (pair.key as Node | null) ?? last;
    } else if (isSeq(node) && typeof seg === "number") {
      node = node.items[seg];
      if (node) last = node as Node;
      else break;
    } else break;
  }
  return last;
}

function lineOf(doc: Document, counter: LineCounter, path: Path): number {
  const node = nodeAt(doc, path);
  const offset = node?.range?.[0] ?? 0;
  return counter.linePos(offset).line;
}

function zodMessage(issue: z.core.$ZodIssue): { code: string; message: Message } {
  switch (issue.code) {
    case "unrecognized_keys":
      return {
        code: "pack.unknown_field",
        message: {
          zh: `未知字段：${issue.keys.join("、")}`,
          en: `unknown field: ${issue.keys.join(", ")}`,
        },
      };
    case "invalid_type":
      return {
        code: "pack.wrong_type",
        message: {
          zh: `类型错误：应为 ${issue.expected}`,
          en: `wrong type: expected ${issue.expected}`,
        },
      };
    case "invalid_value":
      return {
        code: "pack.invalid_value",
        message: {
          zh: `取值无效，应为：${issue.values.map(String).join(" | ")}`,
          en: `invalid value, expected one of: ${issue.values.map(String).join(" | ")}`,
        },
      };
    case "too_small":
      return {
        code: "pack.too_small",
        message: { zh: `取值过小（最小 ${String(issue.minimum)}）`, en: issue.message },
      };
    default:
      return { code: "pack.invalid", message: { zh: `字段无效：${issue.message}`, en: issue.message } };
  }
}

function err(file: string, line: number, path: Path, code: string, zh: string, en: string): PackLoadError {
  return { file, line, path: path.join("."), code, message: { zh, en } };
}

/** The person a rule's category and parameters select is a subset of what `earlier` selects. */
function shadows(earlier: Rule, later: Rule): boolean {
  if (earlier.category !== later.category || earlier.conditions) return false;
  if (TRAVEL_CATEGORIES.includes(earlier.category)) {
    return (earlier.lookbackDays ?? 0) >= (later.lookbackDays ?? 0);
  }
  if (earlier.category === "high_risk_occupation") {
    return (later.occupations ?? []).every((o) => (earlier.occupations ?? []).includes(o));
  }
  return true;
}

/** Checks a schema-valid pack's rules for ones that can never match. */
function checkRules(pack: Pack, to: number | null, at: (p: Path) => number, file: string) {
  const errors: PackLoadError[] = [];
  const ids = new Set<string>();
  pack.rules.forEach((rule, i) => {
    const p = (...rest: Path): Path => ["rules", i, ...rest];
    const e = (path: Path, code: string, zh: string, en: string) =>
      errors.push(err(file, at(path), path, code, zh, en));
    if (ids.has(rule.id))
      e(p("id"), "rule.duplicate_id", `规则编号重复：${rule.id}`, `duplicate rule id: ${rule.id}`);
    ids.add(rule.id);
    const travel = TRAVEL_CATEGORIES.includes(rule.category);
    if (travel && rule.lookbackDays === undefined) {
      e(
        p("category"),
        "rule.lookback_missing",
        "旅居类规则须写明回溯天数 lookbackDays",
        "a travel rule needs lookbackDays",
      );
    }
    if (!travel && rule.lookbackDays !== undefined) {
      e(
        p("lookbackDays"),
        "rule.lookback_not_applicable",
        `类别 ${rule.category} 不使用回溯天数`,
        `category ${rule.category} takes no lookbackDays`,
      );
    }
    if (travel && rule.lookbackDays === 0) {
      e(
        p("lookbackDays"),
        "rule.never_matches",
        "回溯 0 天的规则永远不会匹配：没有旅居史落在 0 天的窗口内",
        "a 0-day lookback never matches: no stay falls inside an empty window",
      );
    }
    if ((rule.category === "high_risk_occupation") !== (rule.occupations !== undefined)) {
      e(
        p(rule.occupations ? "occupations" : "category"),
        "rule.occupations",
        "occupations 只用于且必须用于 high_risk_occupation 类别",
        "occupations is required for, and only for, high_risk_occupation",
      );
    }
    const since = rule.conditions?.exposureSince;
    if (since !== undefined) {
      const sinceAt = parseInstant(since) ?? 0;
      if (!DATED_CATEGORIES.includes(rule.category)) {
        e(
          p("conditions", "exposureSince"),
          "rule.contradiction",
          `类别 ${rule.category} 没有带日期的事实，exposureSince 条件永远无法满足`,
          `category ${rule.category} has no dated facts, so exposureSince can never hold`,
        );
      } else if (to !== null && sinceAt >= to) {
        e(
          p("conditions", "exposureSince"),
          "rule.never_matches",
          "exposureSince 不早于规则包失效时间：有效期内到达的人不可能满足",
          "exposureSince is not before the pack's effectiveTo: no arrival while the pack is in force can satisfy it",
        );
      }
    }
    if (rule.conditions?.leftClosedLoop !== undefined && rule.category !== "high_risk_occupation") {
      e(
        p("conditions", "leftClosedLoop"),
        "rule.contradiction",
        "leftClosedLoop 只适用于 high_risk_occupation 类别，其他类别永远无法满足",
        "leftClosedLoop only applies to high_risk_occupation; with another category it can never hold",
      );
    }
    if (Object.keys(rule.measures).length === 0) {
      e(p("measures"), "rule.no_measures", "规则没有任何措施", "the rule has no measures");
    }
    const shadow = pack.rules.slice(0, i).find((r) => shadows(r, rule));
    if (shadow) {
      e(
        p("id"),
        "rule.shadowed",
        `规则 ${rule.id} 永远不会生效：前面的同类别规则 ${shadow.id} 无附加条件且范围不小于它`,
        `rule ${rule.id} can never apply: the earlier rule ${shadow.id} of the same category has no extra conditions and covers everyone it would`,
      );
    }
  });
  return errors;
}

const RANK: Record<string, { scheme: string; rank: number }> = {
  high: { scheme: "risk", rank: 3 },
  medium: { scheme: "risk", rank: 2 },
  low: { scheme: "risk", rank: 1 },
  sealed: { scheme: "zone", rank: 3 },
  controlled: { scheme: "zone", rank: 2 },
  precaution: { scheme: "zone", rank: 1 },
};

/** `to` is a lower kind of the same scheme as `from` (high → medium → low; sealed → controlled → precaution). */
export function isDowngrade(from: string, to: string): boolean {
  const a = RANK[from];
  const b = RANK[to];
  return !!a && !!b && a.scheme === b.scheme && b.rank < a.rank;
}

/** Checks a schema-valid pack's zoning transitions for ones that cannot be applied. */
function checkZoning(pack: Pack, at: (p: Path) => number, file: string) {
  const errors: PackLoadError[] = [];
  const ids = new Set<string>();
  (pack.zoning ?? []).forEach((t, i) => {
    const p = (...rest: Path): Path => ["zoning", i, ...rest];
    const e = (path: Path, code: string, zh: string, en: string) =>
      errors.push(err(file, at(path), path, code, zh, en));
    if (ids.has(t.id))
      e(p("id"), "zoning.duplicate_id", `调整规则编号重复：${t.id}`, `duplicate transition id: ${t.id}`);
    ids.add(t.id);
    if (t.to !== null && !isDowngrade(t.from, t.to))
      e(
        p("to"),
        "zoning.not_a_downgrade",
        `${t.from} → ${t.to} 不是降级：只能降为同一体系中较低的等级，或解除（to: null）`,
        `${t.from} → ${t.to} is not a downgrade: only a lower kind of the same scheme, or a lift (to: null)`,
      );
    if (t.downgradedFrom !== undefined && !isDowngrade(t.downgradedFrom, t.from))
      e(
        p("downgradedFrom"),
        "zoning.contradiction",
        `${t.downgradedFrom} 不能降级为 ${t.from}，此条件永远无法满足`,
        `${t.downgradedFrom} cannot be downgraded to ${t.from}, so this condition can never hold`,
      );
    const s = t.conditions.screeningNegative;
    if (s && (s.onDay === undefined) === (s.withinDaysBefore === undefined))
      e(
        p("conditions", "screeningNegative"),
        "zoning.screening",
        "筛查条件须且只能写 onDay（第 N 天）或 withinDaysBefore（调整前 N 天内）之一",
        "a screening condition takes exactly one of onDay (day N) or withinDaysBefore (within N days before)",
      );
    if (s?.onDay !== undefined && s.onDay > t.conditions.daysWithoutNewInfection)
      e(
        p("conditions", "screeningNegative", "onDay"),
        "zoning.never_matches",
        "筛查日晚于无新增天数，调整时该日尚未到来",
        "the screening day is after the days without a new infection, so it has not come when the transition is due",
      );
    const shadow = (pack.zoning ?? [])
      .slice(0, i)
      .find((x) => x.from === t.from && x.downgradedFrom === undefined);
    if (shadow)
      e(
        p("id"),
        "zoning.shadowed",
        `调整规则 ${t.id} 永远不会适用：前面的 ${shadow.id} 对同一等级无附加条件`,
        `transition ${t.id} can never apply: the earlier ${shadow.id} covers the same kind without a downgradedFrom condition`,
      );
  });
  return errors;
}

/** Parses one file. Schema and rule errors come back together; overlap needs all files (see loadPacks). */
export function parsePack(
  input: PackFile,
): { ok: true; pack: LoadedPack } | { ok: false; errors: PackLoadError[] } {
  const counter = new LineCounter();
  const doc = parseDocument(input.text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    return {
      ok: false,
      errors: doc.errors.map((e) =>
        err(
          input.file,
          counter.linePos(e.pos[0]).line,
          [],
          "pack.yaml_syntax",
          `YAML 语法错误：${e.message}`,
          `YAML syntax error: ${e.message}`,
        ),
      ),
    };
  }
  const at = (p: Path) => lineOf(doc, counter, p);
  const parsed = packSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((issue) => {
        const path = issue.path.filter((s): s is string | number => typeof s !== "symbol");
        // Point an unknown field at its own key, not at the object holding it.
        const keyPath = issue.code === "unrecognized_keys" && issue.keys[0] ? [...path, issue.keys[0]] : path;
        const { code, message } = zodMessage(issue);
        return { file: input.file, line: at(keyPath), path: keyPath.join("."), code, message };
      }),
    };
  }
  const pack = parsed.data;
  const from = parseInstant(pack.effectiveFrom) ?? 0;
  const to = pack.effectiveTo ? (parseInstant(pack.effectiveTo) ?? 0) : null;
  const errors: PackLoadError[] = [];
  if (to !== null && to <= from) {
    errors.push(
      err(
        input.file,
        at(["effectiveTo"]),
        ["effectiveTo"],
        "pack.empty_validity",
        "失效时间须晚于生效时间",
        "effectiveTo must be after effectiveFrom",
      ),
    );
  }
  errors.push(...checkRules(pack, to, at, input.file));
  errors.push(...checkZoning(pack, at, input.file));
  if (errors.length) return { ok: false, errors };
  return { ok: true, pack: { pack, file: input.file, from, to } };
}

function overlaps(a: LoadedPack, b: LoadedPack): boolean {
  return (a.to === null || b.from < a.to) && (b.to === null || a.from < b.to);
}

/** Loads a set of packs; rejects the whole set if any pack is bad, or two packs collide. */
export function loadPacks(files: readonly PackFile[]): PackLoadResult {
  const errors: PackLoadError[] = [];
  const packs: LoadedPack[] = [];
  const lines = new Map<string, LineCounter & { doc: Document }>();
  for (const f of files) {
    const r = parsePack(f);
    if (r.ok) packs.push(r.pack);
    else errors.push(...r.errors);
    const counter = new LineCounter();
    lines.set(f.file, Object.assign(counter, { doc: parseDocument(f.text, { lineCounter: counter }) }));
  }
  const lineIn = (file: string, path: Path) => {
    const l = lines.get(file);
    return l ? lineOf(l.doc, l, path) : 1;
  };
  const sorted = [...packs].sort((a, b) => a.from - b.from || a.file.localeCompare(b.file));
  sorted.forEach((b, j) => {
    for (const a of sorted.slice(0, j)) {
      if (a.pack.id === b.pack.id) {
        errors.push(
          err(
            b.file,
            lineIn(b.file, ["id"]),
            ["id"],
            "pack.duplicate_id",
            `规则包编号 ${b.pack.id} 与 ${a.file} 重复`,
            `pack id ${b.pack.id} is also used by ${a.file}`,
          ),
        );
      }
      if (a.pack.jurisdiction === b.pack.jurisdiction && overlaps(a, b)) {
        errors.push(
          err(
            b.file,
            lineIn(b.file, ["effectiveFrom"]),
            ["effectiveFrom"],
            "pack.overlapping_validity",
            `与 ${a.file}（${a.pack.id}，第 ${lineIn(a.file, ["effectiveFrom"])} 行）在同一辖区 ${b.pack.jurisdiction} 的有效期重叠`,
            `validity overlaps ${a.file} (${a.pack.id}, line ${lineIn(a.file, ["effectiveFrom"])}) for the same jurisdiction ${b.pack.jurisdiction}`,
          ),
        );
      }
    }
  });
  return errors.length ? { ok: false, errors } : { ok: true, packs };
}

/** One line per error, for a terminal: "file:line path — zh / en". */
export function formatPackErrors(errors: readonly PackLoadError[]): string {
  return errors
    .map((e) => `${e.file}:${e.line} ${e.path} [${e.code}] ${e.message.zh} / ${e.message.en}`)
    .join("\n");
}

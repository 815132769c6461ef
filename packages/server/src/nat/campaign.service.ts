/**
 * Screening campaigns (区域核酸 / 全员核酸): a campaign over regions with its rounds, the deadline the
 * policy in force gives (`campaignDeadline`), coverage by region (`coverageByRegion`, the registry's
 * population as the target), lab turnaround (`labTurnaround`), the recall lists of positive pools
 * (`recallLists`), and the round planner (`planRound`, `compareResources`).
 */
import {
  type CampaignScope,
  type CoverageRow,
  campaignDeadline,
  coverageByRegion,
  type LabTurnaround,
  labTurnaround,
  roundWindows,
  unsampledByGrid,
} from "@cordon/domain/nat/campaigns";
import {
  compareResources,
  type Plan,
  type PlanInput,
  planRound,
  type ResourceGap,
  type ResourceKind,
} from "@cordon/domain/nat/planner";
import { type RecallGroup, recallLists } from "@cordon/domain/nat/recall";
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import { isWithin, regionLevel, structuralAncestors } from "@cordon/domain/regions/region-code";
import { addDays, shanghaiDateOf } from "@cordon/domain/shared/shanghai-time";
import type { FieldError, Message } from "@cordon/domain/shared/result";
import { v7 as uuidv7 } from "uuid";
import { recordAudit } from "../audit/audit.service.ts";
import type { Db } from "../db/db.ts";
import { type RequestContext, requireActor } from "../http/context.ts";
import { invalid, notFound } from "../http/errors.ts";
import { findRegions } from "../regions/region.repository.ts";
import { natPolicyAt } from "./nat-policy.ts";
import {
  type CampaignRow,
  findCampaign,
  insertCampaign,
  listCampaigns,
  listSamplingPoints,
  peopleUnder,
  populationByRegion,
  positivePoolMembers,
  recallDetails,
  type RoundCounts,
  roundCounts,
  type RoundRow,
  roundsOf,
  sampledByRegion,
  sampledPeople,
  tubeTimings,
} from "./nat.repository.ts";
import { access } from "./sampling.service.ts";

export const CAMPAIGN = { zh: "核酸筛查行动", en: "Screening campaign" };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface CampaignInput {
  name: string;
  kind: CampaignScope;
  regionCodes: string[];
  startsAt: Date;
  rounds: number;
  intervalDays: number;
}

export interface Campaign extends CampaignRow {
  roundList: RoundRow[];
}

/**
 * Opens a campaign over regions (`nat.manage` over every region): its target population is the
 * registry's under the regions; each round's deadline is `campaignDeadline` for the kind and that
 * population under the policy in force at the first region when it starts; rounds every
 * `intervalDays` days, their Beijing windows and the policy's note on too few rounds (`roundWindows`).
 * Audited `nat.campaign_create`.
 */
export async function createCampaign(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  input: CampaignInput,
): Promise<Campaign> {
  const actor = requireActor(ctx);
  const codes = [...new Set(input.regionCodes)].sort();
  access(ctx, "nat.manage", codes);
  const errors: FieldError[] = [];
  if (!input.name.trim())
    errors.push({
      field: "name",
      code: "name.required",
      message: { zh: "请填写行动名称", en: "The campaign needs a name" },
    });
  const known = new Set((await findRegions(db, codes)).map((r) => r.code));
  codes.forEach((c, i) => {
    if (!known.has(c))
      errors.push({
        field: `regionCodes[${i}]`,
        code: "region.unknown",
        message: { zh: `没有此区划：${c}`, en: `No such region: ${c}` },
      });
    const outer = codes.find((o) => o !== c && isWithin(o, c));
    if (outer)
      errors.push({
        field: `regionCodes[${i}]`,
        code: "nat.region_nested",
        message: { zh: `${c} 已包含在 ${outer} 内`, en: `${c} lies inside ${outer}, also chosen` },
      });
  });
  const startDate = shanghaiDateOf(input.startsAt.getTime());
  const windows = roundWindows(
    startDate,
    addDays(startDate, (input.rounds - 1) * input.intervalDays),
    input.intervalDays,
    natPolicyAt(packs, codes[0]!, input.startsAt).policy,
  );
  if (!windows.ok) errors.push(...windows.errors);
  if (errors.length || !windows.ok) throw invalid(errors);
  const inForce = natPolicyAt(packs, codes[0]!, input.startsAt);
  const population = [...(await populationByRegion(db, codes)).values()].reduce((a, b) => a + b, 0);
  const id = uuidv7();
  const roundList: RoundRow[] = windows.value.windows.map((w, i) => {
    const startsAt = new Date(input.startsAt.getTime() + i * input.intervalDays * DAY);
    const d = campaignDeadline(
      input.kind,
      population,
      startsAt,
      natPolicyAt(packs, codes[0]!, startsAt).policy,
    );
    return {
      id: uuidv7(),
      campaignId: id,
      number: w.round,
      startsAt,
      deadlineAt: d.deadline,
      windowFrom: w.from,
      windowTo: w.to,
    };
  });
  const first = campaignDeadline(input.kind, population, input.startsAt, inForce.policy);
  const row: CampaignRow = {
    id,
    name: input.name.trim(),
    kind: input.kind,
    regionCodes: codes,
    population,
    startsAt: input.startsAt,
    deadlineHours: first.hours,
    deadlineAt: first.deadline,
    deadlineReason: {
      zh: `${first.reason.zh}（${inForce.basis.zh}）`,
      en: `${first.reason.en} (${inForce.basis.en})`,
    },
    intervalDays: input.intervalDays,
    rounds: roundList.length,
    packId: inForce.origin === "pack" ? inForce.packId : null,
    notes: windows.value.notes,
    createdBy: actor.userId,
    createdAt: ctx.now,
  };
  await db.transaction(async (tx) => {
    await insertCampaign(tx, row, roundList);
    await recordAudit(tx, ctx, {
      action: "nat.campaign_create",
      entityType: "nat_campaign",
      entityId: id,
      regionCode: codes.length === 1 ? codes[0]! : null,
      after: {
        ...row,
        rounds: roundList.map((r) => ({ number: r.number, startsAt: r.startsAt, deadlineAt: r.deadlineAt })),
      },
    });
  });
  return { ...row, roundList };
}

/** Campaigns touching a region (default: the caller's jurisdiction), newest first. */
export async function campaigns(
  db: Db,
  ctx: RequestContext,
  regionCode: string | undefined,
): Promise<CampaignRow[]> {
  const scope = regionCode ?? requireActor(ctx).jurisdiction;
  access(ctx, "regions.read", [scope]);
  return listCampaigns(db, scope);
}

/**
 * Target populations per address region, rolled up to the community (12 digits): people registered in
 * a grid count in its community, so no target code lies inside another (`coverageByRegion` refuses
 * nested targets); a code coarser than a community that holds people takes in the codes below it.
 */
function targetsByCommunity(population: ReadonlyMap<string, number>): Map<string, number> {
  const rolled = new Map<string, number>();
  for (const [code, n] of population) {
    const c = code.length > 12 ? code.slice(0, 12) : code;
    rolled.set(c, (rolled.get(c) ?? 0) + n);
  }
  const codes = [...rolled.keys()];
  for (const c of codes) {
    const outer = structuralAncestors(c)
      .slice(0, -1)
      .reverse()
      .find((a) => rolled.has(a));
    if (outer) {
      rolled.set(outer, (rolled.get(outer) ?? 0) + (rolled.get(c) ?? 0));
      rolled.delete(c);
    }
  }
  return rolled;
}

export interface CampaignDetail extends Campaign {
  round: RoundRow;
  counts: RoundCounts;
  coverage: CoverageRow[];
  turnaround: LabTurnaround[];
  /** Sealed tubes still without a result, and those older than the policy's target (`labTurnaround`). */
  pending: { tubes: number; overdue: number };
  turnaroundTargetHours: number;
}

/**
 * A campaign and one of its rounds, the caller allowed `permission` over its regions: the round numbered
 * `roundNumber`, or else the latest round started by now (the first if none has).
 */
async function campaignRound(
  db: Db,
  ctx: RequestContext,
  id: string,
  roundNumber: number | undefined,
  permission: "regions.read" | "people.read",
) {
  const c = await findCampaign(db, id);
  if (!c) throw notFound(CAMPAIGN);
  access(ctx, permission, c.regionCodes);
  const roundList = await roundsOf(db, id);
  const round =
    roundNumber !== undefined
      ? roundList.find((r) => r.number === roundNumber)
      : ([...roundList].reverse().find((r) => r.startsAt.getTime() <= ctx.now.getTime()) ?? roundList[0]);
  if (!round) throw notFound(ROUND_OF(roundNumber));
  return { c, roundList, round };
}

/**
 * One campaign and a round of it (default: the latest round that has started, else the first):
 * coverage by region, sampled / the registry's population (`coverageByRegion`, a row per region from
 * each campaign region down to the communities), the round's counts, and turnaround per lab
 * (`labTurnaround`: first swab → result received, target from the policy in force).
 */
export async function campaignDetail(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  id: string,
  roundNumber: number | undefined,
): Promise<CampaignDetail> {
  const { c, roundList, round } = await campaignRound(db, ctx, id, roundNumber, "regions.read");
  const targets = targetsByCommunity(await populationByRegion(db, c.regionCodes));
  const sampledRaw = await sampledByRegion(db, round.id);
  const sampled = new Map<string, number>();
  for (const [code, n] of sampledRaw) {
    // Swabs count where the targets are: the community (or the coarser code holding the people).
    const at =
      structuralAncestors(code.length > 12 ? code.slice(0, 12) : code)
        .reverse()
        .find((a) => targets.has(a)) ?? (code.length > 12 ? code.slice(0, 12) : code);
    sampled.set(at, (sampled.get(at) ?? 0) + n);
  }
  const coverage: CoverageRow[] = [];
  for (const root of c.regionCodes) {
    const r = coverageByRegion(root, targets, sampled);
    if (!r.ok) throw invalid(r.errors);
    coverage.push(...r.value);
  }
  const { policy } = natPolicyAt(packs, c.regionCodes[0]!, round.startsAt);
  const timings = (await tubeTimings(db, round.id)).filter((t) => t.sampledAt !== null);
  const all = labTurnaround(
    timings
      .filter((t) => t.resultAt !== null || t.sealedAt !== null)
      .map((t) => ({
        lab: t.lab ?? "",
        sampledAt: new Date(t.sampledAt),
        resultAt: t.resultAt ? new Date(t.resultAt) : null,
      })),
    ctx.now,
    policy,
  );
  const unassigned = all.find((l) => l.lab === "");
  return {
    ...c,
    roundList,
    round,
    counts: await roundCounts(db, round.id),
    coverage,
    turnaround: all.filter((l) => l.lab !== ""),
    pending: { tubes: unassigned?.pending ?? 0, overdue: unassigned?.overdue ?? 0 },
    turnaroundTargetHours: policy.lab.turnaroundTargetHours,
  };
}

const ROUND_OF = (n: number | undefined): Message => ({
  zh: `第 ${n ?? "?"} 轮`,
  en: `Round ${n ?? "?"}`,
});

export interface RecallView {
  groups: (Omit<RecallGroup, "members"> & {
    communityName: string | null;
    members: {
      personId: string;
      name: string;
      address: string;
      addressCode: string | null;
      barcodes: string[];
      retest: { barcode: string; result: string; at: Date } | null;
    }[];
  })[];
  people: number;
  unplaced: number;
  message: Message;
}

/**
 * The recall lists of a campaign (`people.read` over its regions): every member of its positive pools,
 * grouped by community with the deadline (`recallLists`, the policy in force for the campaign), with
 * names and addresses for the door-to-door teams and the retest once it is back.
 */
export async function campaignRecall(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  id: string,
): Promise<RecallView> {
  const c = await findCampaign(db, id);
  if (!c) throw notFound(CAMPAIGN);
  access(ctx, "people.read", c.regionCodes);
  const rows = await positivePoolMembers(db, id);
  const pools = new Map<
    string,
    { barcode: string; resultAt: Date; members: { personId: string; addressCode: string }[] }
  >();
  for (const r of rows) {
    let p = pools.get(r.barcode);
    if (!p) pools.set(r.barcode, (p = { barcode: r.barcode, resultAt: new Date(r.resultAt), members: [] }));
    p.members.push({ personId: r.personId, addressCode: r.addressCode });
  }
  const list = recallLists([...pools.values()], natPolicyAt(packs, c.regionCodes[0]!, c.startsAt).policy);
  const details = new Map<string, Awaited<ReturnType<typeof recallDetails>>[number]>();
  for (const d of await recallDetails(db, id)) details.set(d.personId, d);
  const names = new Map(
    (
      await findRegions(
        db,
        list.groups.flatMap((g) => (g.communityCode ? [g.communityCode] : [])),
      )
    ).map((r) => [r.code, r.name]),
  );
  return {
    people: list.people,
    unplaced: list.unplaced,
    message: list.message,
    groups: list.groups.map((g) => ({
      ...g,
      communityName: g.communityCode ? (names.get(g.communityCode) ?? null) : null,
      members: g.members.map((m) => {
        const d = details.get(m.personId);
        return {
          personId: m.personId,
          name: d?.name ?? "",
          address: d?.address ?? "",
          addressCode: m.addressCode,
          barcodes: m.barcodes,
          retest:
            d?.retestBarcode && d.retestResult && d.retestAt
              ? { barcode: d.retestBarcode, result: d.retestResult, at: new Date(d.retestAt) }
              : null,
        };
      }),
    })),
  };
}

export interface PlanRequest extends PlanInput {
  regionCode?: string | undefined;
  registered?: Partial<Record<ResourceKind, number>> | undefined;
}

/**
 * A round's plan (`nat.manage` over the region, default the caller's jurisdiction): `planRound` at the
 * reference round of the policy in force there, against the resources registered (`compareResources`):
 * sampling points and desks counted from the points registered in the region unless given, the others
 * as given (0 when not).
 */
export async function planScreeningRound(
  db: Db,
  ctx: RequestContext,
  packs: readonly LoadedPack[],
  input: PlanRequest,
): Promise<{
  plan: Plan;
  gaps: ResourceGap[];
  registered: Record<ResourceKind, number>;
  basis: Message;
  regionCode: string;
}> {
  const regionCode = input.regionCode ?? requireActor(ctx).jurisdiction;
  if (regionLevel(regionCode) === null) throw notFound({ zh: "区划", en: "Region" });
  access(ctx, "nat.manage", [regionCode]);
  const inForce = natPolicyAt(packs, regionCode, ctx.now);
  const r = planRound(input, inForce.policy);
  if (!r.ok) throw invalid(r.errors);
  const points = await listSamplingPoints(db, regionCode);
  const registered: Record<ResourceKind, number> = {
    samplingPoints: input.registered?.samplingPoints ?? points.length,
    desks: input.registered?.desks ?? points.reduce((s, p) => s + p.desks, 0),
    samplers: input.registered?.samplers ?? 0,
    supportStaff: input.registered?.supportStaff ?? 0,
    labTubesPerDay: input.registered?.labTubesPerDay ?? 0,
  };
  return {
    plan: r.value,
    gaps: compareResources(r.value, registered),
    registered,
    basis: inForce.basis,
    regionCode,
  };
}

/** At most this many people are listed as not yet sampled for one campaign in one answer. */
export const MAX_UNSAMPLED_PEOPLE = 200_000;

export interface UnsampledView {
  round: RoundRow;
  grids: { gridCode: string; people: { personId: string; name: string; address: string }[] }[];
  people: number;
  /** True when the campaign's regions hold more people than one answer lists. */
  truncated: boolean;
}

/**
 * "The list of people not yet sampled per grid for door-to-door follow-up" (issue 5): the registry's
 * people under the campaign's regions not sampled in the round (`unsampledByGrid`; a person with no
 * grid is listed under their community), the biggest grid first (`people.read` over the regions).
 */
export async function campaignUnsampled(
  db: Db,
  ctx: RequestContext,
  id: string,
  roundNumber: number | undefined,
): Promise<UnsampledView> {
  const { c, round } = await campaignRound(db, ctx, id, roundNumber, "people.read");
  const people = await peopleUnder(db, c.regionCodes, MAX_UNSAMPLED_PEOPLE + 1);
  const truncated = people.length > MAX_UNSAMPLED_PEOPLE;
  if (truncated) people.pop();
  const byId = new Map(people.map((p) => [p.personId, p]));
  const grids = unsampledByGrid(
    people.map((p) => ({ personId: p.personId, gridCode: p.regionCode })),
    await sampledPeople(db, round.id),
  );
  return {
    round,
    truncated,
    people: grids.reduce((n, g) => n + g.personIds.length, 0),
    grids: grids.map((g) => ({
      gridCode: g.gridCode,
      people: g.personIds.map((pid) => {
        const p = byId.get(pid)!;
        return { personId: pid, name: p.name, address: p.address };
      }),
    })),
  };
}

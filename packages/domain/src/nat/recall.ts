/**
 * Recall lists (单管复核): every member of a positive pool, grouped by the community of their address,
 * each group with a deadline, so door-to-door teams start where time is shortest. Issue 5: "A positive
 * pool puts every member on a recall list for single-tube retest …, grouped by community with a
 * deadline"; protocols.md §3.2 (Langfang): "a positive pool leads to on-the-spot isolation of everyone
 * in it and single-sample retests". The deadline's hours are the policy's (`recall.deadlineHours`).
 */
import type { Message } from "../shared/result.ts";
import { regionLevel } from "../regions/region-code.ts";
import type { NatPolicy } from "./policy.ts";

export interface PoolMember {
  personId: string;
  /** The region code of the person's address: a community (12 digits) or a grid in it (15). */
  addressCode: string | null;
}

export interface PositivePool {
  barcode: string;
  /** When the positive result was recorded. */
  resultAt: Date;
  members: readonly PoolMember[];
}

export interface RecallEntry {
  personId: string;
  /** The positive pools the person was in (usually one). */
  barcodes: string[];
  addressCode: string | null;
}

export interface RecallGroup {
  /** The community's 12-digit code; null for members whose address has no community code. */
  communityCode: string | null;
  /** The earliest deadline of the pools its members came from. */
  deadline: Date;
  members: RecallEntry[];
  barcodes: string[];
}

export interface RecallList {
  groups: RecallGroup[];
  /** People to recall, each once. */
  people: number;
  /** Members with no usable community code: they are listed in the group with a null code. */
  unplaced: number;
  message: Message;
}

const HOUR = 3_600_000;

/** The community a 12- or 15-digit address code lies in; null for anything coarser or malformed. */
export function communityOf(code: string | null): string | null {
  if (code === null) return null;
  const level = regionLevel(code);
  return level === "community" ? code : level === "grid" ? code.slice(0, 12) : null;
}

/**
 * Recall lists from positive pools: members grouped by community, a person in several pools listed
 * once (with every barcode), each group due `recall.deadlineHours` after its earliest positive result;
 * the earliest deadline first, then the biggest group, then by code (the unplaced group last among
 * equals).
 */
export function recallLists(pools: readonly PositivePool[], policy: NatPolicy): RecallList {
  const byCommunity = new Map<string | null, RecallGroup>();
  const entries = new Map<string, { entry: RecallEntry; group: RecallGroup }>();
  const ordered = [...pools].sort((a, b) => a.resultAt.getTime() - b.resultAt.getTime());
  for (const pool of ordered) {
    const deadline = new Date(pool.resultAt.getTime() + policy.recall.deadlineHours * HOUR);
    for (const m of pool.members) {
      const seen = entries.get(m.personId);
      if (seen) {
        if (!seen.entry.barcodes.includes(pool.barcode)) seen.entry.barcodes.push(pool.barcode);
        if (!seen.group.barcodes.includes(pool.barcode)) seen.group.barcodes.push(pool.barcode);
        continue;
      }
      const community = communityOf(m.addressCode);
      let group = byCommunity.get(community);
      if (!group) {
        group = { communityCode: community, deadline, members: [], barcodes: [] };
        byCommunity.set(community, group);
      }
      const entry: RecallEntry = {
        personId: m.personId,
        barcodes: [pool.barcode],
        addressCode: m.addressCode,
      };
      group.members.push(entry);
      if (!group.barcodes.includes(pool.barcode)) group.barcodes.push(pool.barcode);
      entries.set(m.personId, { entry, group });
    }
  }
  const groups = [...byCommunity.values()].sort(
    (a, b) =>
      a.deadline.getTime() - b.deadline.getTime() ||
      b.members.length - a.members.length ||
      (a.communityCode === null
        ? 1
        : b.communityCode === null
          ? -1
          : a.communityCode.localeCompare(b.communityCode)),
  );
  for (const g of groups)
    g.members.sort(
      (a, b) =>
        (a.addressCode ?? "").localeCompare(b.addressCode ?? "") || a.personId.localeCompare(b.personId),
    );
  const unplaced = byCommunity.get(null)?.members.length ?? 0;
  const placed = groups.filter((g) => g.communityCode !== null).length;
  return {
    groups,
    people: entries.size,
    unplaced,
    message: {
      zh: `${pools.length} 个阳性混管，${entries.size} 人待单管复核，分布在 ${placed} 个社区${unplaced ? `，${unplaced} 人住址无社区编码` : ""}`,
      en: `${pools.length} positive pools: ${entries.size} people to retest in single tubes, in ${placed} communities${unplaced ? `; ${unplaced} with no community code for their address` : ""}`,
    },
  };
}

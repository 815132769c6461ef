import { readFileSync } from "node:fs";
import { decideMeasures, type PersonFacts, type RiskArea } from "@cordon/domain/policies/engine";
import type { LoadedPack } from "@cordon/domain/policies/pack-schema";
import type { Command } from "commander";
import { z } from "zod";
import { loadShippedPacks } from "../policies/policy-packs.ts";

const time = z.string().min(10);
/** The --facts file: the person's facts plus the risk areas known at the time (docs/capabilities/policies.md). */
const factsFileSchema = z.strictObject({
  facts: z
    .strictObject({
      travelHistory: z.array(z.strictObject({ regionCode: z.string(), from: time, to: time })).optional(),
      inboundOverseas: z.boolean().optional(),
      contacts: z
        .array(
          z.strictObject({
            kind: z.enum(["close", "secondary", "co_presence"]),
            lastExposureAt: time,
            linkedCaseOrContact: z.string().optional(),
          }),
        )
        .optional(),
      zoneResidence: z.enum(["sealed", "controlled", "precaution"]).nullable().optional(),
      occupation: z.enum(["cold_chain", "quarantine_site", "fever_clinic"]).nullable().optional(),
      leftClosedLoop: z.boolean().optional(),
      festivalReturnee: z.boolean().optional(),
      releasedFromQuarantineElsewhere: z.boolean().optional(),
    })
    .default({}),
  riskAreas: z
    .array(
      z.strictObject({
        regionCode: z.string(),
        level: z.enum(["high", "medium", "low"]),
        from: time,
        to: time.nullable(),
      }),
    )
    .default([]),
});

function readFactsFile(path: string): { facts: PersonFacts; riskAreas: RiskArea[] } {
  const r = factsFileSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.map(String).join(".")}: ${i.message}`);
    throw new Error(`${path}: invalid facts file / 事实文件无效:\n${lines.join("\n")}`);
  }
  return r.data;
}

export function registerPolicyCommand(program: Command): void {
  const policy = program.command("policy").description("control policy packs / 防控政策规则包");
  policy
    .command("explain")
    .description(
      "decide a person's measures under the pack in force, with the reasons / 判定管控措施并说明依据",
    )
    .requiredOption("--at <time>", "arrival (or decision) time, ISO; Beijing time without an offset")
    .requiredOption("--region <code>", "destination region code (GB/T 2260)")
    .requiredOption("--facts <file>", "JSON file: { facts, riskAreas }")
    .action((opts: { at: string; region: string; facts: string }) => {
      let packs: LoadedPack[];
      let input: { facts: PersonFacts; riskAreas: RiskArea[] };
      try {
        packs = loadShippedPacks();
        input = readFactsFile(opts.facts);
      } catch (e) {
        console.error(e instanceof Error ? e.message : String(e));
        process.exitCode = 2;
        return;
      }
      const decision = decideMeasures({
        facts: input.facts,
        riskAreas: input.riskAreas,
        arrivalAt: opts.at,
        destinationRegion: opts.region,
        packs,
      });
      console.log(JSON.stringify(decision, null, 2));
      if (decision.status === "no_pack") process.exitCode = 1;
    });
}

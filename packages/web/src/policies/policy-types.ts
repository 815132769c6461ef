import type { components } from "../api/schema.d.ts";

export type PackSummary = components["schemas"]["PolicyPackSummary"];
export type PackDetail = components["schemas"]["PolicyPack"];
export type PolicyRule = components["schemas"]["PolicyRule"];
export type PolicyMeasures = components["schemas"]["PolicyMeasures"];
export type CombinedMeasures = components["schemas"]["PolicyCombinedMeasures"];
export type PolicyDecision = components["schemas"]["PolicyDecision"];
export type PersonFacts = components["schemas"]["PersonFactsInput"];
export type Bilingual = components["schemas"]["PolicyMessage"];

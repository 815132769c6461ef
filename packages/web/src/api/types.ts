import type { components, paths } from "./schema.d.ts";

/** Names for the generated API schemas that the pages pass around. */
export type Region = components["schemas"]["Region"];
export type Responsible = components["schemas"]["Responsible"];
export type Person = components["schemas"]["Person"];
export type PersonSummary = components["schemas"]["PersonSummary"];
export type PersonDetail = components["schemas"]["PersonDetail"];
export type User = components["schemas"]["User"];
export type AuditEntry = components["schemas"]["AuditEntry"];
export type Me = paths["/api/auth/me"]["get"]["responses"][200]["content"]["application/json"];
export type RegionOverview =
  paths["/api/regions/{code}"]["get"]["responses"][200]["content"]["application/json"];
export type RegionChild = RegionOverview["children"][number];
export type PersonWrite = NonNullable<
  paths["/api/people"]["post"]["requestBody"]
>["content"]["application/json"];
export type PeopleQuery = NonNullable<paths["/api/people"]["get"]["parameters"]["query"]>;
export type AuditQuery = NonNullable<paths["/api/audit"]["get"]["parameters"]["query"]>;

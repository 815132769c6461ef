import type { TFunction } from "i18next";
import type { components } from "../api/schema.d.ts";
import { zhCN } from "./zh-cn.ts";

export type Role = components["schemas"]["User"]["role"];
export type DocumentType = components["schemas"]["Person"]["documentType"];
export type RegionLevel = components["schemas"]["Region"]["level"];
export type Sex = components["schemas"]["Person"]["sex"];

export const ROLES = Object.keys(zhCN.roles) as Role[];
export const DOCUMENT_TYPES = Object.keys(zhCN.documentTypes) as DocumentType[];

type ActionGroups = typeof zhCN.audit.actions;
type KnownAction = {
  [G in keyof ActionGroups]: `${G & string}.${keyof ActionGroups[G] & string}`;
}[keyof ActionGroups];
type KnownEntityType = keyof typeof zhCN.audit.entityTypes;

/** Audit actions with a translated label, in the order the resources list them. */
export const AUDIT_ACTIONS = Object.entries(zhCN.audit.actions).flatMap(([group, actions]) =>
  Object.keys(actions).map((a) => `${group}.${a}` as KnownAction),
);
export const ENTITY_TYPES = Object.keys(zhCN.audit.entityTypes) as KnownEntityType[];

const isKnownAction = (a: string): a is KnownAction => (AUDIT_ACTIONS as string[]).includes(a);
const isKnownEntityType = (e: string): e is KnownEntityType => (ENTITY_TYPES as string[]).includes(e);
const isRole = (r: string): r is Role => (ROLES as string[]).includes(r);

/** A server action code's label; codes added on the server before the web learns them show as is. */
export function actionLabel(t: TFunction, action: string): string {
  return isKnownAction(action) ? t(`audit.actions.${action}`) : action;
}

export function entityTypeLabel(t: TFunction, entityType: string): string {
  return isKnownEntityType(entityType) ? t(`audit.entityTypes.${entityType}`) : entityType;
}

export function roleLabel(t: TFunction, role: string | null): string {
  if (!role) return t("common.none");
  return isRole(role) ? t(`roles.${role}`) : role;
}

import { ROLES } from "@cordon/domain/accounts/roles";
import { z } from "zod";

/** Shared API schemas: the error shape, paging, and a few scalar formats. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      fields: z.array(z.object({ field: z.string(), code: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: "Error" });

export const errorResponses = {
  400: ErrorSchema,
  401: ErrorSchema,
  403: ErrorSchema,
  404: ErrorSchema,
  409: ErrorSchema,
  422: ErrorSchema,
};

export const RegionCode = z.string().regex(/^(\d{6}|\d{9}|\d{12}|\d{15})$/, "region.code");
export const Uuid = z.uuid();
export const RoleSchema = z.enum(ROLES as [string, ...string[]]);
export const Page = z.coerce.number().int().min(1).max(100_000).default(1);
export const PageSize = z.coerce.number().int().min(1).max(100).default(20);
export const IsoDateTime = z.string().meta({ format: "date-time" });

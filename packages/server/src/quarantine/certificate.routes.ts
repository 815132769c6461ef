import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../db/db.ts";
import { ErrorSchema, errorResponses, Uuid } from "../http/schemas.ts";
import { certificatePdf, type CertificatePdfOptions, verifyCertificate } from "./certificate.ts";

const MessageSchema = z.object({ zh: z.string(), en: z.string() });

const VerificationSchema = z
  .object({
    valid: z.literal(true),
    certificateId: z.string(),
    personNameMasked: z.string(),
    documentNumberMasked: z.string(),
    siteName: z.string(),
    placedOn: z.string(),
    releasedOn: z.string(),
    releaseKind: z.enum(["on_schedule", "early", "to_hospital", "upgraded"]),
    releaseKindLabel: MessageSchema,
    issuedBy: z.string(),
  })
  .meta({ id: "CertificateVerification" });

export const certificateRoutes: FastifyPluginAsyncZod<{
  db: Db;
  certificate?: CertificatePdfOptions;
}> = async (app, { db, certificate = {} }) => {
  app.get(
    "/api/quarantine/placements/:id/certificate.pdf",
    {
      schema: {
        tags: ["quarantine"],
        summary:
          "The release certificate (解除隔离告知书) of a released placement as a PDF, with a QR code of its verification address; 409 before release, 503 when the server lacks the CJK font",
        params: z.strictObject({ id: Uuid }),
        response: {
          200: z.any().meta({ description: "application/pdf" }),
          ...errorResponses,
          503: ErrorSchema,
        },
      },
    },
    async (req, reply) => {
      const origin = `${req.protocol}://${req.host}`;
      const { certificateId, pdf } = await certificatePdf(db, req.ctx, req.params.id, origin, certificate);
      return reply
        .header("content-type", "application/pdf")
        .header("content-disposition", `inline; filename="release-certificate-${certificateId}.pdf"`)
        .header("cache-control", "no-store")
        .send(pdf);
    },
  );

  app.get(
    "/api/public/certificates/:certificateId",
    {
      config: { public: true },
      schema: {
        tags: ["quarantine"],
        summary:
          "Verify a release certificate by its id (no login): valid, with the name and document masked, or 404",
        security: [],
        params: z.strictObject({ certificateId: Uuid }),
        querystring: z.strictObject({ lang: z.enum(["zh-CN", "en"]).optional() }),
        response: { 200: VerificationSchema, ...errorResponses },
      },
    },
    async (req) => verifyCertificate(db, req.params.certificateId),
  );
};

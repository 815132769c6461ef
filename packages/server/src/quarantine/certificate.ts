/**
 * The release certificate (解除隔离告知书): a one-page PDF in Chinese with English under it, carrying a QR
 * code of its verification address, and the public check of a certificate by its id. The certificate id
 * is set by the release (a random UUID v4, unguessable); this file only reads it.
 */
import { decideAccess } from "@cordon/domain/accounts/roles";
import { maskIdNumber } from "@cordon/domain/people/masking";
import type { Message } from "@cordon/domain/shared/result";
import { shanghaiDateOf } from "@cordon/domain/shared/shanghai-time";
import QRCode from "qrcode";
import { recordAudit } from "../audit/audit.service.ts";
import type { Db, Queryable } from "../db/db.ts";
import { type RequestContext, requireActor } from "../http/context.ts";
import { CJK_FONT_PATH, cjkDocument, cjkFont } from "../files/pdf.ts";
import { AppError, forbidden, notFound } from "../http/errors.ts";
import { PLACEMENT } from "./health-report.service.ts";

export type ReleaseKind = "on_schedule" | "early" | "to_hospital" | "upgraded";

export const RELEASE_KIND_LABELS: Record<ReleaseKind, Message> = {
  on_schedule: { zh: "期满解除", en: "Released on schedule" },
  early: { zh: "提前解除", en: "Released early" },
  to_hospital: { zh: "转送定点医院", en: "Transferred to a designated hospital" },
  upgraded: { zh: "升级管控", en: "Upgraded to stricter measures" },
};

export interface CertificateFacts {
  placementId: string;
  personId: string;
  status: "placed" | "released" | "ended";
  certificateId: string | null;
  personName: string;
  documentNumber: string;
  siteName: string;
  siteRegionCode: string;
  countyName: string | null;
  placedAt: Date;
  releasedAt: Date | null;
  releaseKind: ReleaseKind | null;
}

const FACT_COLUMNS = `p.id AS "placementId", p.person_id AS "personId", p.status, p.certificate_id AS "certificateId",
  pe.name AS "personName", pe.document_number AS "documentNumber", s.name AS "siteName",
  s.region_code AS "siteRegionCode", c.name AS "countyName", p.placed_at AS "placedAt",
  p.released_at AS "releasedAt", p.release_kind AS "releaseKind"`;
const FACT_FROM = `quarantine_placements p
  JOIN persons pe ON pe.id = p.person_id
  JOIN quarantine_sites s ON s.id = p.site_id
  LEFT JOIN regions c ON c.code = left(s.region_code, 6) AND c.level = 'county'`;

// The two reads this capability needs; small enough to live beside the rendering.
async function factsByPlacement(q: Queryable, id: string): Promise<CertificateFacts | null> {
  return (
    (await q.query<CertificateFacts>(`SELECT ${FACT_COLUMNS} FROM ${FACT_FROM} WHERE p.id = $1`, [id]))
      .rows[0] ?? null
  );
}

async function factsByCertificate(q: Queryable, certificateId: string): Promise<CertificateFacts | null> {
  return (
    (
      await q.query<CertificateFacts>(
        `SELECT ${FACT_COLUMNS} FROM ${FACT_FROM} WHERE p.certificate_id = $1 AND p.status = 'released'`,
        [certificateId],
      )
    ).rows[0] ?? null
  );
}

/** 张三 → 张*, 张小三 → 张*三, 欧阳小明 → 欧**明; Latin names keep their first and last letter. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return chars.join("");
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${"*".repeat(chars.length - 2)}${chars.at(-1)}`;
}

export const verificationUrl = (origin: string, certificateId: string) =>
  `${origin.replace(/\/+$/, "")}/verify/${certificateId}`;

const fontMissing = (path: string) =>
  new AppError(503, "certificate.font_missing", {
    zh: `服务器缺少中文字体 ${path}，无法生成告知书：请管理员安装 Debian 软件包 fonts-noto-cjk（apt-get install fonts-noto-cjk）`,
    en: `The server lacks the Chinese font ${path}, so the certificate cannot be made: an administrator must install the Debian package fonts-noto-cjk (apt-get install fonts-noto-cjk)`,
  });

export interface CertificateView {
  valid: true;
  certificateId: string;
  personNameMasked: string;
  documentNumberMasked: string;
  siteName: string;
  placedOn: string;
  releasedOn: string;
  releaseKind: ReleaseKind;
  releaseKindLabel: Message;
  issuedBy: string;
}

function view(f: CertificateFacts): CertificateView {
  return {
    valid: true,
    certificateId: f.certificateId!,
    personNameMasked: maskName(f.personName),
    documentNumberMasked: maskIdNumber(f.documentNumber),
    siteName: f.siteName,
    placedOn: shanghaiDateOf(f.placedAt.getTime()),
    releasedOn: shanghaiDateOf(f.releasedAt!.getTime()),
    releaseKind: f.releaseKind!,
    releaseKindLabel: RELEASE_KIND_LABELS[f.releaseKind!],
    issuedBy: f.countyName ?? f.siteRegionCode,
  };
}

const NO_SUCH_CERTIFICATE = () =>
  new AppError(404, "certificate.not_found", {
    zh: "查无此解除隔离告知书：编号不存在，或该告知书未经本平台签发",
    en: "No such certificate: the number does not exist, or this platform did not issue it",
  });

/** Public check (no login): the certificate's facts with the name and document masked, or 404. */
export async function verifyCertificate(db: Db, certificateId: string): Promise<CertificateView> {
  const f = await factsByCertificate(db, certificateId);
  if (!f || !f.releasedAt || !f.releaseKind) throw NO_SUCH_CERTIFICATE();
  return view(f);
}

/** Renders the one-page certificate: Chinese first, English under each line, the QR code at the foot. */
export async function renderCertificate(
  f: CertificateView & { personName: string },
  verifyUrl: string,
  fontPath: string,
  issuedAt: Date,
): Promise<Buffer> {
  const font = cjkFont(fontPath, fontMissing);
  const qr = await QRCode.toBuffer(verifyUrl, {
    type: "png",
    errorCorrectionLevel: "M",
    margin: 2,
    scale: 8,
  });
  const { doc, done } = cjkDocument(font, {
    Title: "解除隔离告知书 / Release from quarantine",
    Subject: `Certificate ${f.certificateId}`,
    Keywords: `certificate ${f.certificateId}; verify ${verifyUrl}`,
    Author: f.issuedBy,
    Creator: "Cordon",
    CreationDate: issuedAt,
  });
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  doc.fontSize(24).fillColor("#000").text("解除隔离告知书", left, 64, { width, align: "center" });
  doc.fontSize(12).fillColor("#555").text("Release from quarantine", { width, align: "center" });
  doc.moveDown(1.5);
  const rows: [string, string, string][] = [
    ["姓名", "Name", f.personName],
    ["证件号码", "Document number", f.documentNumberMasked],
    ["隔离场所", "Quarantine site", f.siteName],
    ["入住日期", "Placed on", f.placedOn],
    ["解除日期", "Released on", f.releasedOn],
    ["解除方式", "Release", `${f.releaseKindLabel.zh}\n${f.releaseKindLabel.en}`],
    ["签发单位", "Issued by", f.issuedBy],
    ["告知书编号", "Certificate ID", f.certificateId],
  ];
  const labelWidth = 150;
  for (const [zh, en, value] of rows) {
    const y = doc.y;
    doc.fontSize(12).fillColor("#000").text(zh, left, y, { width: labelWidth });
    doc.fontSize(9).fillColor("#555").text(en, left, doc.y, { width: labelWidth });
    const labelEnd = doc.y;
    doc
      .fontSize(12)
      .fillColor("#000")
      .text(value, left + labelWidth, y, { width: width - labelWidth });
    doc.y = Math.max(doc.y, labelEnd) + 10;
  }
  doc.moveDown(0.5);
  doc
    .fontSize(12)
    .fillColor("#000")
    .text(`兹告知：上述人员已于 ${f.releasedOn} 解除隔离（${f.releaseKindLabel.zh}）。`, left, doc.y, {
      width,
    });
  doc
    .fontSize(10)
    .fillColor("#555")
    .text(
      `This is to inform that the person above was released from quarantine on ${f.releasedOn} (${f.releaseKindLabel.en.toLowerCase()}).`,
      { width },
    );
  const qrSize = 130;
  const qrY = Math.max(doc.y + 24, 560);
  doc.image(qr, left, qrY, { width: qrSize, height: qrSize });
  doc
    .fontSize(11)
    .fillColor("#000")
    .text("扫码核验告知书真伪", left + qrSize + 16, qrY + 20, { width: width - qrSize - 16 });
  doc
    .fontSize(9)
    .fillColor("#555")
    .text("Scan to verify this certificate", { width: width - qrSize - 16 });
  doc.moveDown(0.5);
  doc
    .fontSize(9)
    .fillColor("#000")
    .text(verifyUrl, { width: width - qrSize - 16 });
  doc.moveDown(0.5);
  doc
    .fontSize(9)
    .fillColor("#555")
    .text(`签发时间 Issued at: ${beijingMinute(issuedAt)}（北京时间 / Beijing time）`, {
      width: width - qrSize - 16,
    });
  doc.end();
  return done;
}

const beijingMinute = (d: Date) =>
  new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace("T", " ");

export interface CertificatePdfOptions {
  fontPath?: string;
}

/**
 * The certificate of a released placement, as a PDF, for site staff (`quarantine.place` over the
 * site's region) or the person themself; audited `quarantine.certificate`. Not released yet: 409.
 */
export async function certificatePdf(
  db: Db,
  ctx: RequestContext,
  placementId: string,
  origin: string,
  opts: CertificatePdfOptions = {},
): Promise<{ certificateId: string; pdf: Buffer }> {
  const actor = requireActor(ctx);
  const f = await factsByPlacement(db, placementId);
  if (!f) throw notFound(PLACEMENT);
  if (actor.personId !== f.personId) {
    const d = decideAccess(actor, "quarantine.place", [f.siteRegionCode]);
    if (!d.allowed) throw forbidden(d.reason);
  }
  if (f.status !== "released" || !f.certificateId || !f.releasedAt || !f.releaseKind)
    throw new AppError(409, "certificate.not_released", {
      zh: "该人员尚未解除隔离，没有解除隔离告知书",
      en: "This person has not been released: there is no release certificate yet",
    });
  const url = verificationUrl(origin, f.certificateId);
  const pdf = await renderCertificate(
    { ...view(f), personName: f.personName },
    url,
    opts.fontPath ?? CJK_FONT_PATH,
    ctx.now,
  );
  await recordAudit(db, ctx, {
    action: "quarantine.certificate",
    entityType: "quarantine_placement",
    entityId: placementId,
    regionCode: f.siteRegionCode,
    after: { certificateId: f.certificateId, verificationUrl: url },
  });
  return { certificateId: f.certificateId, pdf };
}

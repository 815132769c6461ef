import { type FieldError, fieldError } from "../shared/result.ts";
import { validateMobile } from "./phone.ts";
import { parseResidentId, type Sex } from "./resident-id.ts";

export type DocumentType = "resident_id" | "passport" | "hk_mo_permit" | "tw_permit";
export const DOCUMENT_TYPES: readonly DocumentType[] = [
  "resident_id",
  "passport",
  "hk_mo_permit",
  "tw_permit",
];

export const DOCUMENT_TYPE_LABELS: Record<DocumentType, { zh: string; en: string }> = {
  resident_id: { zh: "居民身份证", en: "Resident ID card" },
  passport: { zh: "护照", en: "Passport" },
  hk_mo_permit: { zh: "港澳居民来往内地通行证", en: "Hong Kong/Macao permit" },
  tw_permit: { zh: "台湾居民来往大陆通行证", en: "Taiwan permit" },
};

/** What a clerk or an import row says about a person, before validation. */
export interface PersonInput {
  name: string;
  documentType: DocumentType;
  documentNumber: string;
  /** Required for documents that do not encode them; cross-checked against a resident ID. */
  birthDate?: string | null;
  sex?: Sex | null;
  nationality?: string | null;
  phone: string;
  householdRegionCode?: string | null;
  currentRegionCode: string;
  currentAddress: string;
}

/** The fields of a person as a form or an import row gives them, in the order forms show them. */
export const PERSON_INPUT_FIELDS = [
  "name",
  "documentType",
  "documentNumber",
  "birthDate",
  "sex",
  "nationality",
  "phone",
  "householdRegionCode",
  "currentRegionCode",
  "currentAddress",
] as const satisfies readonly (keyof PersonInput)[];

/** A person's validated, normalized identifying facts. */
export interface PersonFacts {
  name: string;
  documentType: DocumentType;
  documentNumber: string;
  birthDate: string;
  sex: Sex;
  nationality: string;
  phone: string;
  householdRegionCode: string | null;
  currentRegionCode: string;
  currentAddress: string;
}

const DOCUMENT_PATTERNS: Record<
  Exclude<DocumentType, "resident_id">,
  { re: RegExp; zh: string; en: string }
> = {
  passport: {
    re: /^[A-Z0-9]{5,17}$/,
    zh: "护照号应为5-17位字母或数字",
    en: "A passport number has 5 to 17 letters or digits",
  },
  hk_mo_permit: {
    re: /^[HM]\d{8}(\d{2})?$/,
    zh: "港澳通行证号应为H或M开头加8位或10位数字",
    en: "A Hong Kong/Macao permit number is H or M followed by 8 or 10 digits",
  },
  tw_permit: {
    re: /^(\d{8}|\d{10}[A-Z]?)$/,
    zh: "台湾居民通行证号应为8位数字（旧版10位）",
    en: "A Taiwan permit number has 8 digits (10 on older permits)",
  },
};

const NAME_RE = /^[\p{Script=Han}A-Za-z][\p{Script=Han}A-Za-z·.\- ]{0,49}$/u;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const REGION_RE = /^(\d{6}|\d{9}|\d{12}|\d{15})$/;

function validDate(s: string): boolean {
  if (!DATE_RE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/**
 * Validates and normalizes a person. `today` (YYYY-MM-DD, in the jurisdiction's time zone) bounds
 * birth dates. Every problem is reported, field by field, in zh-CN and en.
 */
export function validatePerson(
  input: PersonInput,
  today: string,
): { ok: true; value: PersonFacts } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const name = (input.name ?? "").trim().replace(/\s+/g, " ");
  if (!NAME_RE.test(name)) {
    errors.push(
      fieldError(
        "name",
        "name.format",
        "姓名应为1-50个汉字或字母",
        "A name has 1 to 50 Chinese characters or letters",
      ),
    );
  }

  let documentNumber = (input.documentNumber ?? "").replace(/\s+/g, "").toUpperCase();
  let birthDate = input.birthDate ?? null;
  let sex = input.sex ?? null;
  let nationality = (input.nationality ?? "").trim().toUpperCase() || null;

  if (input.documentType === "resident_id") {
    const parsed = parseResidentId(documentNumber, today, "documentNumber");
    if (!parsed.ok) errors.push(...parsed.errors);
    else {
      documentNumber = parsed.value.idNumber;
      if (birthDate && birthDate !== parsed.value.birthDate) {
        errors.push(
          fieldError(
            "birthDate",
            "birth_date.mismatch",
            `出生日期 ${birthDate} 与身份证号中的 ${parsed.value.birthDate} 不一致`,
            `Birth date ${birthDate} does not match ${parsed.value.birthDate} in the ID number`,
          ),
        );
      }
      if (sex && sex !== parsed.value.sex) {
        errors.push(
          fieldError(
            "sex",
            "sex.mismatch",
            `性别与身份证号不一致（身份证号显示为${parsed.value.sex === "male" ? "男" : "女"}）`,
            `Sex does not match the ID number (it says ${parsed.value.sex})`,
          ),
        );
      }
      birthDate = parsed.value.birthDate;
      sex = parsed.value.sex;
      if (nationality && nationality !== "CHN") {
        errors.push(
          fieldError(
            "nationality",
            "nationality.mismatch",
            "居民身份证持有人国籍应为中国（CHN）",
            "A resident ID holder's nationality is CHN",
          ),
        );
      }
      nationality = "CHN";
    }
  } else if (input.documentType in DOCUMENT_PATTERNS) {
    const p = DOCUMENT_PATTERNS[input.documentType];
    if (!p.re.test(documentNumber))
      errors.push(fieldError("documentNumber", "document_number.format", p.zh, p.en));
    if (!birthDate) {
      errors.push(
        fieldError(
          "birthDate",
          "birth_date.required",
          "该证件类型需填写出生日期",
          "This document type needs a birth date",
        ),
      );
    } else if (!validDate(birthDate) || birthDate < "1900-01-01") {
      errors.push(
        fieldError(
          "birthDate",
          "birth_date.format",
          "出生日期不是有效日期",
          "The birth date is not a valid date",
        ),
      );
    } else if (birthDate > today) {
      errors.push(
        fieldError("birthDate", "birth_date.future", "出生日期晚于今天", "The birth date is in the future"),
      );
    }
    if (sex !== "male" && sex !== "female") {
      errors.push(
        fieldError("sex", "sex.required", "该证件类型需填写性别", "This document type needs the sex"),
      );
    }
    if (input.documentType === "hk_mo_permit") nationality = "CHN";
    if (input.documentType === "tw_permit") nationality = "CHN";
    if (!nationality || !/^[A-Z]{3}$/.test(nationality)) {
      errors.push(
        fieldError(
          "nationality",
          "nationality.format",
          "国籍应为三位字母代码（如 USA）",
          "Nationality is a three-letter code (e.g. USA)",
        ),
      );
    }
  } else {
    errors.push(
      fieldError("documentType", "document_type.unknown", "未知的证件类型", "Unknown document type"),
    );
  }

  const phone = validateMobile(input.phone ?? "", "phone");
  if (!phone.ok) errors.push(...phone.errors);

  const currentRegionCode = (input.currentRegionCode ?? "").trim();
  if (!REGION_RE.test(currentRegionCode)) {
    errors.push(
      fieldError(
        "currentRegionCode",
        "region.format",
        "现住地区划代码格式不正确",
        "The current region code is not a region code",
      ),
    );
  }
  const householdRegionCode = (input.householdRegionCode ?? "").trim() || null;
  if (householdRegionCode && !REGION_RE.test(householdRegionCode)) {
    errors.push(
      fieldError(
        "householdRegionCode",
        "region.format",
        "户籍地区划代码格式不正确",
        "The household registration region code is not a region code",
      ),
    );
  }
  const currentAddress = (input.currentAddress ?? "").trim();
  if (currentAddress.length < 2 || currentAddress.length > 200) {
    errors.push(
      fieldError(
        "currentAddress",
        "address.length",
        "详细地址应为2-200个字符",
        "The address detail has 2 to 200 characters",
      ),
    );
  }

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      name,
      documentType: input.documentType,
      documentNumber,
      birthDate: birthDate!,
      sex: sex!,
      nationality: nationality!,
      phone: phone.ok ? phone.value : "",
      householdRegionCode,
      currentRegionCode,
      currentAddress,
    },
  };
}

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { maskIdNumber, maskPhone } from "./masking.ts";
import { nameInitials, namePinyin } from "./name-index.ts";
import { type PersonInput, validatePerson } from "./person.ts";
import { validateMobile } from "./phone.ts";
import { makeResidentId } from "./resident-id.ts";

const TODAY = "2026-11-22";
const base: PersonInput = {
  name: "马晓燕",
  documentType: "resident_id",
  documentNumber: makeResidentId("640104", "1990-03-08", 124),
  phone: "138 0951 1234",
  currentRegionCode: "640104001001",
  currentAddress: "胜利街12号3单元501",
};

describe("a person in the registry", () => {
  test("a resident ID gives birth date, sex and nationality; the phone is normalized", () => {
    const r = validatePerson(base, TODAY);
    assert.ok(r.ok);
    assert.equal(r.value.birthDate, "1990-03-08");
    assert.equal(r.value.sex, "female");
    assert.equal(r.value.nationality, "CHN");
    assert.equal(r.value.phone, "13809511234");
  });

  test("a birth date or sex that contradicts the ID number is a field error, in both languages", () => {
    const r = validatePerson({ ...base, birthDate: "1990-03-09", sex: "male" }, TODAY);
    assert.ok(!r.ok);
    assert.deepEqual(r.errors.map((e) => e.field).sort(), ["birthDate", "sex"]);
    for (const e of r.errors) assert.ok(e.message.zh && e.message.en);
  });

  test("every bad field is reported at once", () => {
    const r = validatePerson(
      { ...base, name: "", phone: "12345", currentAddress: "", currentRegionCode: "64" },
      TODAY,
    );
    assert.ok(!r.ok);
    assert.deepEqual(r.errors.map((e) => e.field).sort(), [
      "currentAddress",
      "currentRegionCode",
      "name",
      "phone",
    ]);
  });

  test("a passport holder needs birth date, sex and a nationality code", () => {
    const p: PersonInput = {
      ...base,
      documentType: "passport",
      documentNumber: "e1234567",
      name: "John Smith",
    };
    const r = validatePerson(p, TODAY);
    assert.ok(!r.ok);
    assert.deepEqual(r.errors.map((e) => e.field).sort(), ["birthDate", "nationality", "sex"]);
    const ok = validatePerson({ ...p, birthDate: "1980-01-02", sex: "male", nationality: "usa" }, TODAY);
    assert.ok(ok.ok);
    assert.equal(ok.value.documentNumber, "E1234567");
    assert.equal(ok.value.nationality, "USA");
  });

  test("Hong Kong/Macao and Taiwan permits have their own number formats", () => {
    const hk = {
      ...base,
      documentType: "hk_mo_permit" as const,
      birthDate: "1970-05-05",
      sex: "male" as const,
    };
    assert.ok(validatePerson({ ...hk, documentNumber: "H12345678" }, TODAY).ok);
    assert.ok(!validatePerson({ ...hk, documentNumber: "X12345678" }, TODAY).ok);
    const tw = { ...hk, documentType: "tw_permit" as const };
    assert.ok(validatePerson({ ...tw, documentNumber: "12345678" }, TODAY).ok);
    assert.ok(!validatePerson({ ...tw, documentNumber: "1234" }, TODAY).ok);
  });
});

describe("mobile numbers", () => {
  test("+86 prefixes, spaces and dashes are removed; landlines and short numbers are refused", () => {
    assert.deepEqual(validateMobile("+86 139-5100-0001"), { ok: true, value: "13951000001" });
    assert.equal(validateMobile("0951-1234567").ok, false);
    assert.equal(validateMobile("1235100000").ok, false);
    assert.equal(validateMobile("12951000001").ok, false);
  });
});

describe("masking in lists", () => {
  test("the notice-style examples", () => {
    assert.equal(maskIdNumber("64010219900101123X"), "640102********123X");
    assert.equal(maskPhone("13812341234"), "138****1234");
    assert.equal(maskIdNumber("E1234567"), "E1****67");
  });

  test("property: masks keep the length and never reveal the middle", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{17}[\dX]$/), fc.stringMatching(/^1[3-9]\d{9}$/), (id, phone) => {
        const m = maskIdNumber(id);
        assert.equal(m.length, 18);
        assert.equal(m.slice(6, 14), "********");
        assert.equal(m.slice(0, 6) + m.slice(14), id.slice(0, 6) + id.slice(14));
        const mp = maskPhone(phone);
        assert.equal(mp.length, 11);
        assert.equal(mp.slice(3, 7), "****");
      }),
    );
  });
});

describe("name search keys", () => {
  test("pinyin initials read surnames as surnames", () => {
    assert.equal(nameInitials("张三丰"), "zsf");
    assert.equal(nameInitials("单田芳"), "stf");
    assert.equal(nameInitials("曾国藩"), "zgf");
    assert.equal(nameInitials("John Smith"), "js");
    assert.equal(namePinyin("马晓燕"), "maxiaoyan");
  });
});

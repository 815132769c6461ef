/**
 * Scenario tests of the shipped packs: one describe per pack, each test quoting the sentence it checks.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { type Decision, decideMeasures, type PersonFacts, type RiskArea } from "./engine.ts";
import { PROTOCOLS_MD, SEEDS_DIR, shippedPacks } from "./shipped-packs.fixture.ts";

const packs = shippedPacks();

function decide(
  arrivalAt: string,
  destinationRegion: string,
  facts: PersonFacts,
  riskAreas: RiskArea[] = [],
) {
  return decideMeasures({ facts, arrivalAt, destinationRegion, riskAreas, packs });
}

function decided(d: Decision) {
  assert.equal(d.status, "decided", JSON.stringify(d));
  if (d.status !== "decided") throw new Error("unreachable");
  return d;
}

const ruleIds = (d: Decision) => (d.status === "decided" ? d.explanation.map((e) => e.ruleId) : []);

describe("every shipped pack", () => {
  test("loads, and each rule quotes its source verbatim (seed file, or protocols.md without emphasis)", (t) => {
    if (!existsSync(SEEDS_DIR) || !existsSync(PROTOCOLS_MD)) return t.skip("shared sources not present");
    const protocols = readFileSync(PROTOCOLS_MD, "utf8").replaceAll("**", "");
    assert.equal(packs.length, 8);
    for (const { pack } of packs) {
      const text = pack.source.seedFile
        ? readFileSync(join(SEEDS_DIR, pack.source.seedFile), "utf8")
        : protocols;
      for (const rule of pack.rules) assert.ok(text.includes(rule.source.quote), `${pack.id}/${rule.id}`);
      for (const t of pack.zoning ?? [])
        assert.ok(text.includes(t.source.quote), `${pack.id}/zoning/${t.id}`);
    }
  });
});

describe("000 Ningxia winter-spring 2021-12 (ningxia-2021-12-winter-spring)", () => {
  test("000: 「全区入境解除隔离返宁人员管控措施调整为7天集中隔离医学观察、7天居家健康监测，期间进行4次核酸检测」 an inbound traveller returning to Yinchuan gets 7+7 days and 4 tests", () => {
    const d = decided(decide("2022-01-10T15:00", "640104", { inboundOverseas: true }));
    assert.equal(d.pack.id, "ningxia-2021-12-winter-spring");
    assert.deepEqual(d.measures.centralizedQuarantine, { days: 7 });
    assert.deepEqual(d.measures.homeHealthMonitoring, { days: 7 });
    assert.equal(d.measures.tests?.[0]?.count, 4);
    assert.deepEqual(ruleIds(d), ["inbound-7-7-four-tests"]);
  });

  test("000: 「建立14天内有外省区旅居史人员社区报告、单位报告制度…两周内不聚集」 a worker back from Xi'an reports to community and employer and avoids gatherings for 14 days", () => {
    const d = decided(
      decide("2022-01-10", "640104", {
        travelHistory: [{ regionCode: "610100", from: "2021-12-30", to: "2022-01-05" }],
      }),
    );
    assert.deepEqual(d.measures.reportingDuty, { to: ["community", "employer"] });
    assert.deepEqual(d.measures.gatheringBan, { days: 14 });
    assert.equal(d.explanation[0]?.matchedFacts[0]?.fact, "travelHistory[0]");
  });

  test("000: 「14天内有外省区旅居史」 a stay in Xi'an 20 days ago, or a trip inside Ningxia, is not a 14-day history", () => {
    const old = decide("2022-01-10", "640104", {
      travelHistory: [{ regionCode: "610100", from: "2021-12-01", to: "2021-12-20" }],
    });
    assert.equal(old.status, "no_rule_matched");
    const local = decide("2022-01-10", "640104", {
      travelHistory: [{ regionCode: "640200", from: "2022-01-05", to: "2022-01-08" }],
    });
    assert.equal(local.status, "no_rule_matched");
  });
});

describe("001 Ningxia emergency 2022-04 (ningxia-2022-04-emergency)", () => {
  const xian: RiskArea = { regionCode: "610113", level: "medium", from: "2022-03-30", to: null };
  test("001: 「對中高風(fēng)險(xiǎn)地區(qū)入寧人員一律查驗(yàn)入寧前48小時(shí)內(nèi)核酸檢測陰性證明」 an arrival in Tongxin from a medium-risk district needs a 48 h certificate and closed-loop transfer to centralized isolation", () => {
    const d = decided(
      decide(
        "2022-04-08T10:00",
        "640324",
        { travelHistory: [{ regionCode: "610113", from: "2022-04-01", to: "2022-04-07" }] },
        [xian],
      ),
    );
    assert.equal(d.pack.id, "ningxia-2022-04-emergency");
    assert.deepEqual(d.measures.preArrivalTest, { withinHours: 48 });
    assert.deepEqual(d.measures.closedLoopTransfer, { to: "centralized_quarantine_site" });
    assert.deepEqual(d.measures.centralizedQuarantine, {});
    assert.ok(d.explanation[0]?.note?.en.includes("neither the days"));
  });

  test("001: 「中高風(fēng)險(xiǎn)地區(qū)」 a stay there before the area was designated does not count", () => {
    const d = decide(
      "2022-04-08",
      "640324",
      { travelHistory: [{ regionCode: "610113", from: "2022-03-20", to: "2022-03-25" }] },
      [xian],
    );
    assert.equal(d.status, "no_rule_matched");
  });
});

describe("002 Qilin winter-spring 2020-12 (qilin-2020-12-winter-spring)", () => {
  test("002: 「境外、国内高风险地区入曲人员…一律集中隔离14天,三次核酸检测阴性解除隔离」 an overseas arrival in Qilin gets 14 days centralized quarantine released after 3 negative tests", () => {
    const d = decided(decide("2021-01-05T09:00", "530302", { inboundOverseas: true }));
    assert.equal(d.pack.id, "qilin-2020-12-winter-spring");
    assert.deepEqual(d.measures.centralizedQuarantine, { days: 14 });
    assert.deepEqual(d.measures.release, { negativeTests: 3 });
  });

  test("002: 「密切接触者、密切接触的密切接触者一律集中隔离14天」 close and secondary contacts get the same 14 days", () => {
    for (const kind of ["close", "secondary"] as const) {
      const d = decided(
        decide("2021-01-05", "530302", { contacts: [{ kind, lastExposureAt: "2021-01-03" }] }),
      );
      assert.deepEqual(d.measures.centralizedQuarantine, { days: 14 });
      assert.deepEqual(d.measures.release, { negativeTests: 3 });
    }
  });

  test("002: 「国内高风险地区入曲人员」 an arrival from a high-risk area in Shijiazhuang gets 14 days centralized", () => {
    const d = decided(
      decide(
        "2021-01-08",
        "530302",
        { travelHistory: [{ regionCode: "130104", from: "2021-01-01", to: "2021-01-07" }] },
        [{ regionCode: "130100", level: "high", from: "2021-01-06", to: null }],
      ),
    );
    assert.deepEqual(ruleIds(d), ["high-risk-14-days-three-negatives"]);
  });

  test("002: 「中风险地区及外地隔离期满解除隔离入曲人员…做一次核酸检测」 a medium-risk arrival takes one test and avoids gatherings", () => {
    const d = decided(
      decide(
        "2021-01-08",
        "530302",
        { travelHistory: [{ regionCode: "210211", from: "2020-12-28", to: "2021-01-04" }] },
        [{ regionCode: "210211", level: "medium", from: "2020-12-20", to: null }],
      ),
    );
    assert.equal(d.measures.centralizedQuarantine, undefined);
    assert.equal(d.measures.tests?.[0]?.count, 1);
    assert.deepEqual(d.measures.gatheringBan, {});
  });

  test("002: 「外地隔离期满解除隔离入曲人员」 someone released elsewhere takes one test", () => {
    const d = decided(decide("2021-01-08", "530302", { releasedFromQuarantineElsewhere: true }));
    assert.deepEqual(ruleIds(d), ["released-elsewhere-one-test"]);
  });

  test("002: a close contact who also came from abroad: the rules combine, 14 days once, both rules explained", () => {
    const d = decided(
      decide("2021-01-05", "530302", {
        inboundOverseas: true,
        contacts: [{ kind: "close", lastExposureAt: "2021-01-04" }],
      }),
    );
    assert.deepEqual(d.measures.centralizedQuarantine, { days: 14 });
    assert.deepEqual(d.measureSources.centralizedQuarantine, [
      "overseas-14-days-three-negatives",
      "close-contact-14-days-three-negatives",
    ]);
  });
});

describe("003 Shanxi Spring Festival 2021-01 (shanxi-2021-01-spring-festival)", () => {
  test("003: 「春節(jié)返鄉(xiāng)人員須持有7日內(nèi)核酸陰性檢測(cè)證明才能返鄉(xiāng)」 a returnee to Jinzhong needs a 7-day certificate, 14 days home monitoring and a test every 7 days", () => {
    const d = decided(decide("2021-02-05", "140702", { festivalReturnee: true }));
    assert.equal(d.pack.id, "shanxi-2021-01-spring-festival");
    assert.deepEqual(d.measures.preArrivalTest, { withinHours: 168 });
    assert.deepEqual(d.measures.homeHealthMonitoring, { days: 14 });
    assert.equal(d.measures.tests?.[0]?.everyDays, 7);
    assert.deepEqual(d.measures.gatheringBan, { days: 14 });
  });

  test("003: 「其間不聚集、不流動」 after the festival season ends the pack no longer applies (falls back to the national 8th edition only from May)", () => {
    const d = decide("2021-04-01", "140702", { festivalReturnee: true });
    assert.equal(d.status, "no_pack");
  });
});

describe("004 Hulunbuir 2021-09 (hulunbuir-2021-09-putian)", () => {
  const putian: RiskArea[] = [{ regionCode: "350322102", level: "high", from: "2021-09-12", to: null }];
  test("004: 「重点对8月27日以来由福建省莆田市等中高风险地区返抵我市人员，第一时间落实隔离医学观察和核酸检测措施」 a Fengting resident arriving in Hailar is isolated and tested", () => {
    const d = decided(
      decide(
        "2021-09-14",
        "150702",
        { travelHistory: [{ regionCode: "350322102001", from: "2021-09-01", to: "2021-09-13" }] },
        putian,
      ),
    );
    assert.equal(d.pack.id, "hulunbuir-2021-09-putian");
    assert.deepEqual(d.measures.quarantine, {});
    assert.equal(d.measures.tests?.[0]?.count, 1);
  });

  test("004: 「8月27日以来」 someone who left Fengting before 27 August is not on the list", () => {
    const areas: RiskArea[] = [{ regionCode: "350322102", level: "high", from: "2021-08-01", to: null }];
    const d = decide(
      "2021-09-14",
      "150702",
      { travelHistory: [{ regionCode: "350322102001", from: "2021-08-10", to: "2021-08-20" }] },
      areas,
    );
    assert.equal(d.status, "no_rule_matched");
  });
});

describe("national protocol, 8th edition (national-8th-edition)", () => {
  test("8th: 「14 d centralized quarantine + 7 d home health monitoring. Nucleic-acid tests on quarantine days 1, 4, 7, 14, nasopharyngeal swab」 a close contact in Guangzhou", () => {
    const d = decided(
      decide("2021-06-01", "440106", { contacts: [{ kind: "close", lastExposureAt: "2021-05-30T20:00" }] }),
    );
    assert.equal(d.pack.id, "national-8th-edition");
    assert.deepEqual(d.measures.centralizedQuarantine, { days: 14 });
    assert.deepEqual(d.measures.homeHealthMonitoring, { days: 7 });
    assert.deepEqual(d.measures.tests?.[0]?.days, [1, 4, 7, 14]);
    assert.equal(d.measures.tests?.[0]?.sample, "nasopharyngeal");
    assert.equal(d.measures.tests?.[0]?.doubleSampling, true);
  });

  test("8th: 「7 d centralized quarantine」 for a secondary close contact", () => {
    const d = decided(
      decide("2021-06-01", "440106", { contacts: [{ kind: "secondary", lastExposureAt: "2021-05-31" }] }),
    );
    assert.deepEqual(d.measures.centralizedQuarantine, { days: 7 });
  });

  test("8th: 「Residents get 14 d home isolation + 7 d health monitoring, tests on days 1, 4, 7, 10, 14.」 a sealed-zone resident", () => {
    const d = decided(decide("2022-01-05", "610113", { zoneResidence: "sealed" }));
    assert.deepEqual(d.measures.homeQuarantine, { days: 14 });
    assert.deepEqual(d.measures.tests?.[0]?.days, [1, 4, 7, 10, 14]);
  });

  test("8th: 「人不出区、严禁聚集」 a controlled-zone resident may not gather", () => {
    const d = decided(decide("2022-01-05", "610113", { zoneResidence: "controlled" }));
    assert.deepEqual(d.measures.gatheringBan, {});
  });

  test("8th: a local pack in force replaces the national one: an inbound traveller in Ningxia in January 2022 gets 7+7, not 14+7", () => {
    const d = decided(decide("2022-01-05", "640104", { inboundOverseas: true }));
    assert.equal(d.pack.id, "ningxia-2021-12-winter-spring");
  });
});

describe("national protocol, 9th edition (national-9th-edition)", () => {
  test("9th: 「7 d centralized + 3 d home health monitoring. Tests on centralized days 1, 2, 3, 5, 7 and home-monitoring day 3, oropharyngeal swab」 a close contact", () => {
    const d = decided(
      decide("2022-07-10", "640104", { contacts: [{ kind: "close", lastExposureAt: "2022-07-09" }] }),
    );
    assert.equal(d.pack.id, "national-9th-edition");
    assert.deepEqual(d.measures.centralizedQuarantine, { days: 7 });
    assert.deepEqual(d.measures.homeHealthMonitoring, { days: 3 });
    assert.deepEqual(d.measures.tests?.[0]?.days, [1, 2, 3, 5, 7]);
    assert.equal(d.measures.tests?.[0]?.countedFrom, "last_exposure");
    assert.equal(d.measures.tests?.[0]?.sample, "oropharyngeal");
  });

  test("9th: 「released on day 7 if … the linked close contact's first two tests are negative」 a secondary contact is home-isolated 7 days", () => {
    const d = decided(
      decide("2022-07-10", "640104", { contacts: [{ kind: "secondary", lastExposureAt: "2022-07-09" }] }),
    );
    assert.deepEqual(d.measures.homeQuarantine, { days: 7 });
    assert.deepEqual(d.measures.release, {
      linkedCloseContactNegativeTests: 2,
      upgradeToCloseContactIfLinkedPositive: true,
    });
  });

  const stay = { regionCode: "310115", from: "2022-07-01", to: "2022-07-06" };
  test("9th: 「from a high-risk area: 7 d centralized quarantine」 but 「from a medium-risk area: 7 d home quarantine」", () => {
    const high = decided(
      decide("2022-07-08", "640104", { travelHistory: [stay] }, [
        { regionCode: "310115", level: "high", from: "2022-07-01", to: null },
      ]),
    );
    assert.deepEqual(high.measures.centralizedQuarantine, { days: 7 });
    const medium = decided(
      decide("2022-07-08", "640104", { travelHistory: [stay] }, [
        { regionCode: "310115", level: "medium", from: "2022-07-01", to: null },
      ]),
    );
    assert.deepEqual(medium.measures.homeQuarantine, { days: 7 });
    assert.equal(medium.measures.centralizedQuarantine, undefined);
  });

  test("9th: 「from a low-risk area: 2 tests within 3 days (3天2检)」 and only within the 7-day history", () => {
    const areas: RiskArea[] = [{ regionCode: "310115", level: "low", from: "2022-06-28", to: null }];
    const d = decided(decide("2022-07-08", "640104", { travelHistory: [stay] }, areas));
    assert.deepEqual([d.measures.tests?.[0]?.count, d.measures.tests?.[0]?.withinDays], [2, 3]);
    const late = decide("2022-07-20", "640104", { travelHistory: [stay] }, areas);
    assert.equal(late.status, "no_rule_matched");
  });

  test("9th: a person both high- and low-risk in 7 days gets the strictest: centralized quarantine, plus the low-risk tests", () => {
    const d = decided(
      decide(
        "2022-07-08",
        "640104",
        { travelHistory: [stay, { regionCode: "310101", from: "2022-07-06", to: "2022-07-07" }] },
        [
          { regionCode: "310115", level: "high", from: "2022-07-01", to: null },
          { regionCode: "310101", level: "low", from: "2022-07-01", to: null },
        ],
      ),
    );
    assert.deepEqual(ruleIds(d), ["high-risk-7-days-centralized", "low-risk-two-tests-in-three-days"]);
  });
});

describe("national twenty measures, 2022-11 (national-2022-11-twenty-measures)", () => {
  test("二十条: 「Close contacts: 5 d centralized + 3 d home isolation. Tests on centralized days 1, 2, 3, 5 and home days 1, 3.」", () => {
    const d = decided(
      decide("2022-11-20", "640104", { contacts: [{ kind: "close", lastExposureAt: "2022-11-19" }] }),
    );
    assert.equal(d.pack.id, "national-2022-11-twenty-measures");
    assert.deepEqual(d.measures.centralizedQuarantine, { days: 5 });
    assert.deepEqual(d.measures.homeQuarantine, { days: 3 });
    assert.deepEqual(
      d.measures.tests?.map((t) => t.days),
      [
        [1, 2, 3, 5],
        [1, 3],
      ],
    );
  });

  test("二十条: 「Secondary contacts are no longer identified.」 a secondary contact gets no measure, and the result says so", () => {
    const d = decide("2022-11-20", "640104", {
      contacts: [{ kind: "secondary", lastExposureAt: "2022-11-19" }],
    });
    assert.equal(d.status, "no_rule_matched");
  });

  test("二十条: 「Inbound travellers: 5+3. … Boarding needs a 48 h negative test.」", () => {
    const d = decided(decide("2022-11-20", "640104", { inboundOverseas: true }));
    assert.deepEqual(d.measures.preArrivalTest, { withinHours: 48 });
    assert.deepEqual(d.measures.centralizedQuarantine, { days: 5 });
  });

  test("二十条: 「People who left a high-risk area: 7 d home isolation, tests days 1, 3, 5, 7.」", () => {
    const d = decided(
      decide(
        "2022-11-20",
        "640104",
        { travelHistory: [{ regionCode: "440105", from: "2022-11-10", to: "2022-11-18" }] },
        [{ regionCode: "440105", level: "high", from: "2022-11-12", to: null }],
      ),
    );
    assert.deepEqual(d.measures.homeQuarantine, { days: 7 });
  });

  test("二十条: 「High-risk-post workers leaving a closed loop: 5 d health monitoring」 only when leaving the closed loop", () => {
    const leaving = decided(
      decide("2022-11-20", "640104", { occupation: "cold_chain", leftClosedLoop: true }),
    );
    assert.deepEqual(leaving.measures.homeHealthMonitoring, { days: 5 });
    assert.equal(decide("2022-11-20", "640104", { occupation: "cold_chain" }).status, "no_rule_matched");
  });

  test("after the new ten measures (2022-12-07) no shipped pack is in force: an explicit no_pack, never a default", () => {
    const d = decide("2022-12-10", "640104", { contacts: [{ kind: "close", lastExposureAt: "2022-12-09" }] });
    assert.equal(d.status, "no_pack");
    if (d.status === "no_pack") assert.match(d.reason.en, /no pack covering 640104/);
  });
});

import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { makeResidentId, type Sex } from "./resident-id.ts";

/**
 * A deterministic synthetic population for demos and benchmarks: the same seed gives the same people.
 * Names are drawn from common surnames and given-name characters; ID numbers carry the county's code
 * and a valid check digit; nobody in it is a real person.
 */
const SURNAMES = [
  ..."王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤",
];
const GIVEN = [
  ..."伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国文辉玲红梅鑫波斌宇浩凯健俊帆帅旭宁龙林欣怡佳雪慧婷晨阳思雨子涵梓轩博睿泽昊然一诺可馨晓燕海燕志刚春花秋菊",
];
const STREET_WORDS = [..."胜利解放人民建设文化和平新华北京南京中山朝阳光明振兴团结民族富宁"];

export interface Community {
  code: string; // 12-digit community/village code
  countyCode: string; // 6-digit county code (address code of the ID numbers)
}

export interface SyntheticPerson {
  name: string;
  documentNumber: string;
  birthDate: string;
  sex: Sex;
  phone: string;
  householdRegionCode: string;
  currentRegionCode: string;
  currentAddress: string;
  householdKey: number;
  householdRelation: "户主" | "配偶" | "子女" | "父母";
}

export interface SyntheticHousehold {
  key: number;
  regionCode: string;
  address: string;
}

function pick<T>(rng: ReturnType<typeof xoroshiro128plus>, xs: readonly T[]): T {
  return xs[uniformInt(rng, 0, xs.length - 1)]!;
}

function birthDate(rng: ReturnType<typeof xoroshiro128plus>, minYear: number, maxYear: number): string {
  const y = uniformInt(rng, minYear, maxYear);
  const m = uniformInt(rng, 1, 12);
  const d = uniformInt(rng, 1, 28);
  return `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/**
 * Generates `count` people in households of 1 to 5, each household in a community drawn at random.
 * `referenceYear` bounds birth years (nobody is born after it).
 */
export function* syntheticPopulation(
  communities: readonly Community[],
  count: number,
  seed: number,
  referenceYear: number,
): Generator<{ household: SyntheticHousehold; members: SyntheticPerson[] }> {
  if (communities.length === 0) throw new Error("syntheticPopulation needs at least one community");
  const rng = xoroshiro128plus(seed);
  const sequences = new Map<string, number>();
  const nextId = (county: string, birth: string, sex: Sex): string => {
    // Sequence numbers: unique per (county, birth date), odd for men and even for women.
    const key = `${county}${birth}${sex}`;
    const n = sequences.get(key) ?? 0;
    sequences.set(key, n + 1);
    const seq = n * 2 + (sex === "male" ? 1 : 2);
    if (seq > 999) throw new Error("sequence space exhausted");
    return makeResidentId(county, birth, seq);
  };
  let made = 0;
  let key = 0;
  while (made < count) {
    const community = communities[uniformInt(rng, 0, communities.length - 1)]!;
    const size = Math.min(count - made, uniformInt(rng, 1, 5));
    const address = `${pick(rng, STREET_WORDS)}${pick(rng, STREET_WORDS)}路${uniformInt(rng, 1, 299)}号${uniformInt(rng, 1, 6)}单元${uniformInt(rng, 1, 30)}0${uniformInt(rng, 1, 4)}`;
    const household: SyntheticHousehold = { key, regionCode: community.code, address };
    const surname = pick(rng, SURNAMES);
    const members: SyntheticPerson[] = [];
    for (let i = 0; i < size; i++) {
      const relation = i === 0 ? "户主" : i === 1 ? "配偶" : i === size - 1 && size === 5 ? "父母" : "子女";
      const sex: Sex =
        i === 0
          ? uniformInt(rng, 0, 1)
            ? "male"
            : "female"
          : i === 1
            ? members[0]!.sex === "male"
              ? "female"
              : "male"
            : uniformInt(rng, 0, 1)
              ? "male"
              : "female";
      const birth =
        relation === "父母"
          ? birthDate(rng, referenceYear - 90, referenceYear - 60)
          : relation === "子女"
            ? birthDate(rng, referenceYear - 25, referenceYear - 1)
            : birthDate(rng, referenceYear - 60, referenceYear - 26);
      const given = pick(rng, GIVEN) + (uniformInt(rng, 0, 2) ? pick(rng, GIVEN) : "");
      members.push({
        name: (relation === "配偶" ? pick(rng, SURNAMES) : surname) + given,
        documentNumber: nextId(community.countyCode, birth, sex),
        birthDate: birth,
        sex,
        phone: `1${pick(rng, ["3", "5", "7", "8", "9"])}${String(uniformInt(rng, 0, 999_999_999)).padStart(9, "0")}`,
        householdRegionCode: community.countyCode,
        currentRegionCode: community.code,
        currentAddress: address,
        householdKey: key,
        householdRelation: relation,
      });
    }
    made += size;
    key++;
    yield { household, members };
  }
}

import { pinyin } from 'pinyin-pro';

/**
 * Every toneless syllable pinyin-pro can emit (ü written as v), listed once so that query-time
 * splitting of "kongqizhiliang" into syllables needs no scan of the Han range at start-up.
 * Generated from pinyin-pro 3.29 over U+4E00–U+9FA5.
 */
const SYLLABLES = new Set(
  (
    'a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu ca cai can cang ' +
    'cao ce cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan ' +
    'chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de den deng di dia ' +
    'dian diao die ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng fo ' +
    'fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha hai ' +
    'han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao ' +
    'jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken keng kong kou ku kua kuai ' +
    'kuan kuang kui kun kuo la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu ' +
    'long lou lu luan lun luo lv lve m ma mai man mang mao me mei men meng mi mian miao mie min ming ' +
    'miu mo mou mu na nai nan nang nao ne nei nen neng ng ni nian niang niao nie nin ning niu nong ' +
    'nou nu nuan nuo nv nve o ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu ' +
    'qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri rong ' +
    'rou ru ruan rui run ruo sa sai san sang sao se sen seng sha shai shan shang shao she shen sheng ' +
    'shi shou shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai tan ' +
    'tang tao te teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng ' +
    'wo wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ' +
    'ying yo yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao ' +
    'zhe zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui ' +
    'zun zuo '
  )
    .split(' ')
    .filter((s) => s.length > 0),
);
const MAX_SYLLABLE = 6;
const SYLLABLE_PREFIXES = new Set(
  [...SYLLABLES].flatMap((s) => Array.from({ length: s.length - 1 }, (_, i) => s.slice(0, i + 1))),
);

export function isSyllable(s: string): boolean {
  return SYLLABLES.has(s);
}

// Department names, field names and tags repeat across thousands of datasets: caching their
// conversion makes a full re-index several times faster. Bounded so a long-running server
// with ever-new text cannot grow it without limit.
const runCache = new Map<string, string[] | null>();
const RUN_CACHE_LIMIT = 50_000;

/**
 * Toneless syllables of a run of Han characters, one per character (null when pinyin-pro
 * does not align one syllable per character, e.g. characters outside the BMP). Converting
 * the whole run at once lets pinyin-pro pick the reading of polyphones from context (银行 hang).
 */
export function runSyllables(run: string): string[] | null {
  const cached = runCache.get(run);
  if (cached !== undefined) return cached;
  const chars = Array.from(run);
  const out = pinyin(run, { toneType: 'none', type: 'array', v: true });
  const ok = out.length === chars.length && out.every((s) => /^[a-z]+$/.test(s));
  const result = ok ? out : null;
  if (runCache.size >= RUN_CACHE_LIMIT) runCache.clear();
  runCache.set(run, result);
  return result;
}

/**
 * Ways to read a Latin token as a sequence of whole pinyin syllables ("xian" → [xian], [xi, an]),
 * fewest syllables first, at most `limit`. Empty when the token is not pinyin.
 */
export function splitSyllables(token: string, limit = 3): string[][] {
  const t = token.replace(/ü/g, 'v');
  if (!/^[a-z]+$/.test(t) || t.length > 40) return [];
  const results: string[][] = [];
  // canEnd[i]: the suffix starting at i can be split completely; prunes the search below.
  const canEnd = new Array<boolean>(t.length + 1).fill(false);
  canEnd[t.length] = true;
  for (let i = t.length - 1; i >= 0; i--) {
    for (let len = 1; len <= MAX_SYLLABLE && i + len <= t.length; len++) {
      if (canEnd[i + len] && SYLLABLES.has(t.slice(i, i + len))) {
        canEnd[i] = true;
        break;
      }
    }
  }
  if (!canEnd[0]) return [];
  const path: string[] = [];
  const walk = (i: number): void => {
    if (results.length >= limit * 4) return;
    if (i === t.length) {
      results.push([...path]);
      return;
    }
    // Longest syllable first so the greedy reading comes out first.
    for (let len = Math.min(MAX_SYLLABLE, t.length - i); len >= 1; len--) {
      const s = t.slice(i, i + len);
      if (canEnd[i + len] && SYLLABLES.has(s)) {
        path.push(s);
        walk(i + len);
        path.pop();
      }
    }
  };
  walk(0);
  results.sort((a, b) => a.length - b.length);
  return results.slice(0, limit);
}

/**
 * For search-as-you-type: a token that is whole syllables followed by the start of one
 * ("kongqizhil" → [kong, qi, zhi] + "l"). Null when the token splits completely or not at all.
 */
export function splitWithPartialTail(token: string): { syllables: string[]; tail: string } | null {
  const t = token.replace(/ü/g, 'v');
  if (!/^[a-z]+$/.test(t) || splitSyllables(t, 1).length > 0) return null;
  for (let cut = t.length - 1; cut >= Math.max(1, t.length - MAX_SYLLABLE + 1); cut--) {
    const tail = t.slice(cut);
    if (!SYLLABLE_PREFIXES.has(tail)) continue;
    const head = splitSyllables(t.slice(0, cut), 1)[0];
    if (head) return { syllables: head, tail };
  }
  return null;
}

/* tousu-gen: fills a tousu database with N realistic complaint cases, for the full-text
 * search benchmark (issue 7: search over 1,000,000 cases) and the monthly-report benchmark
 * (issue 6).
 *
 *   tousu-gen --db FILE --cases N [--months M] [--end YYYY-MM] [--seed S] [--batch B]
 *             [--no-fts]
 *
 * How. The database is created through the real store (ts_store_open runs the migrations),
 * the demo organisation, users and categories are loaded with ts_demo_load, and the store
 * is closed. The file is then opened with SQLite directly: the cases go in through
 * prepared statements, B rows per transaction, with synchronous=OFF. The FTS5 triggers of
 * migration 10 still run on every insert (ts_fts_register gives this connection the
 * tokenizer and the function they name), so the index is the one the server would build.
 * Because those triggers re-index a case's whole document whenever one of its notes,
 * contacts, solutions or promises is inserted, a case's child rows are inserted before
 * the case row itself, under the id the case will get (ids are assigned here, increasing
 * with the registration time): the child triggers then find no case and do nothing, and
 * the case's own trigger indexes the complete document once. The documents indexed are
 * those the API's order of writes would leave. Foreign keys are off on this connection:
 * for a moment, inside one transaction, a child row names the case inserted after it.
 *
 * What. Cases are made month by month in order of registration, case numbers gap-free per
 * month with case_counters right. Every value comes from one splitmix64 stream seeded by
 * --seed, so a seed and N give the same cases every time (the demo's own rows carry the
 * time they were loaded). The mix (outlets, channels, grades, states, losses, texts) is
 * described in bench/README.md; the tables below are that description as data.
 *
 * Consistency with the server's rules. The generator does not call the grading code: it
 * chooses a grade and the rules that justify it, and writes the case so that those rules
 * hold and the others do not (a g1 case has no flags, an internal channel, no claim above
 * the major-loss threshold, no inbound contact ...). Cross-case rules are modelled where
 * the generator makes them happen on purpose: group complaints (a batch with dozens of
 * cases within weeks: "3 customers in 30 days", "5 similar cases in 7 days") and repeat
 * complainants (the same phone within 90 days); a car model recorded as the product
 * repeats far more than "3 customers in 30 days" and is left at the grade drawn. The
 * lifecycle is replayed event by event as src/core/lifecycle.c applies it (accepted_at ...
 * closed_at, pending, reopening with its grade step, losses booked from the accepted
 * solution), up to the end of --end.
 *
 * Clocks (DOMAIN §5). Each case's time limits are replayed by the server's own code: the
 * clock rules and the working calendar are read from the database (ts_store_sla_rules), and
 * the moments of the case's life — registration, every lifecycle action, each outbound
 * contact (reached, unreachable, a visit), each change of grade — go through ts_sla_event
 * and ts_sla_regrade (core/sla.c) in the order they happened, with the scheduler's
 * ts_sla_advance run up to each moment and to the end of --end, as if it ticked without
 * delay. So started_at, due_at (working time exact, on the calendar's hours and holidays),
 * warn_at, the states, seq and next_at are the rows the server would have left. A breach
 * writes its case_delays row and, as the server's breach does, marks the case overdue and
 * escalates it one tier per breach (sla_level, escalated_to). Not written: the warnings'
 * and breaches' notifications and history entries, and the acknowledgement letter's
 * outbox row (its effect on the acknowledgement clock is replayed).
 *
 * --no-fts drops the full-text triggers of migration 10 from the file before writing, for
 * the report benchmark's 10,000,000 cases: the search index then stays empty (`tousu search
 * rebuild` fills it) and, the triggers being gone from the file, stays behind any later
 * change — a file for benchmarks only. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "cli/demo.h"
#include "core/caseno.h"
#include "core/perm.h"
#include "core/ts_err.h"
#include "store/fts.h"
#include "store/store.h"
#include "util/log.h"
#include "util/password.h"
#include "util/tstime.h"

#define GEN_PREFIX "TS"     /* the case number prefix (ts_demo_load is given the same) */
#define GEN_TZ_OFFSET 28800 /* Asia/Shanghai: UTC+8 all year (no summer time since 1991) */
#define GEN_MAX_CASES 100000000LL
#define GEN_MAX_MONTHS 240
#define DAY 86400LL
#define HOUR 3600LL
#define MINUTE 60LL

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- random numbers: splitmix64 ------------------------------------------------------- */

typedef struct {
  uint64_t s;
} rng;

static uint64_t rng_next(rng *r) {
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static uint32_t rng_below(rng *r, uint32_t n) {
  return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [0, 1). */
static double rng_unit(rng *r) {
  return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static int rng_chance(rng *r, double p) {
  return rng_unit(r) < p;
}

/* Uniform in [lo, hi], both included. */
static int64_t rng_range(rng *r, int64_t lo, int64_t hi) {
  if (hi <= lo)
    return lo;
  return lo + (int64_t)(rng_unit(r) * (double)(hi - lo + 1));
}

/* Log-normal around a median (sigma: spread of the log). */
static double rng_lognormal(rng *r, double median, double sigma) {
  double u1 = rng_unit(r), u2 = rng_unit(r);
  double z = sqrt(-2.0 * log(u1 > 1e-300 ? u1 : 1e-300)) * cos(6.283185307179586 * u2);
  return median * exp(sigma * z);
}

/* An index drawn by weight (weights >= 0, at least one > 0). */
static int rng_weighted(rng *r, const double *w, int n) {
  double total = 0;
  for (int i = 0; i < n; i++)
    total += w[i];
  double u = rng_unit(r) * total;
  for (int i = 0; i < n; i++) {
    if (u < w[i])
      return i;
    u -= w[i];
  }
  return n - 1;
}

#define PICK(r, arr) ((arr)[rng_below((r), (uint32_t)NELEM(arr))])

/* ---- bounded text -------------------------------------------------------------------- */

/* A text being composed into a fixed buffer. Appends past the end set `full` and are
 * dropped whole; the composer treats a full buffer as a bug (the buffers are sized for
 * the longest composition the tables can make, with room to spare). */
typedef struct {
  char *p;
  size_t cap, len;
  int full;
} tbuf;

static void tb_init(tbuf *b, char *mem, size_t cap) {
  b->p = mem;
  b->cap = cap;
  b->len = 0;
  b->full = 0;
  mem[0] = '\0';
}

static void tb_put(tbuf *b, const char *s, size_t n) {
  if (b->full || n >= b->cap - b->len) {
    b->full = 1;
    return;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void tb_add(tbuf *b, const char *s) {
  tb_put(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void tb_fmt(tbuf *b, const char *fmt, ...) {
  va_list ap;
  if (b->full)
    return;
  va_start(ap, fmt);
  int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= b->cap - b->len) {
    b->p[b->len] = '\0';
    b->full = 1;
    return;
  }
  b->len += (size_t)n;
}

/* snprintf into a fixed array; 1 if it all fitted. */
#define FMT(dst, ...) (snprintf((dst), sizeof(dst), __VA_ARGS__) < (int)sizeof(dst))

/* ---- UTF-8 and the two spellings the search must fold -------------------------------- */

static int utf8_decode(const unsigned char *s, unsigned *cp) {
  if (s[0] < 0x80) {
    *cp = s[0];
    return 1;
  }
  if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
    *cp = ((unsigned)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    return 2;
  }
  if ((s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
    *cp = ((unsigned)(s[0] & 0x0F) << 12) | ((unsigned)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    return 3;
  }
  if ((s[0] & 0xF8) == 0xF0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 &&
      (s[3] & 0xC0) == 0x80) {
    *cp = ((unsigned)(s[0] & 0x07) << 18) | ((unsigned)(s[1] & 0x3F) << 12) |
          ((unsigned)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
    return 4;
  }
  *cp = s[0]; /* not UTF-8: copied as it is */
  return 1;
}

static int utf8_encode(unsigned cp, char out[4]) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* Simplified → traditional, pairs of characters, for the ~3 % of customers who write in
 * traditional characters (Hong Kong, Taiwan, older writers). Only characters with one
 * traditional form in the texts below (发 → 發 but never 头发; 范 is a surname, left out).
 * Characters the same in both (退款, 投诉's 投) stay. */
/* clang-format off */
static const char trad_pairs[] =
  "经經维維后後发發动動机機车車响響问問题題务務态態这這个個们們说說时時间間电電话話买買"
  "卖賣货貨钱錢质質费費处處调調换換给給没沒还還过過对對应應该該现現认認为為门門号號气氣"
  "声聲刹剎变變顿頓额額宽寬带帶线線迟遲损損坏壞递遞丢丟误誤银銀财財产產业業员員师師户戶"
  "诉訴满滿决決结結单單订訂运運输輸库庫两兩让讓论論实實际際联聯请請谢謝购購觉覺东東长長"
  "开開关關无無复復办辦网網络絡设設备備装裝场場区區优優顾顧难難样樣试試检檢测測报報价價"
  "销銷饭飯楼樓层層热熱卫衛环環厅廳爱愛点點边邊几幾么麼听聽见見讲講将將从從与與启啟烦煩"
  "恼惱紧緊记記录錄据據证證险險赔賠偿償补補数數统統规規范範书書写寫适適当當尽盡码碼验驗"
  "扫掃轮輪灯燈软軟风風节節约約预預钟鐘头頭闪閃烫燙脑腦笔筆纸紙邮郵签簽驿驛续續异異积積"
  "兑兌润潤贵貴宾賓饮飲鱼魚鲜鮮虾蝦汤湯压壓缩縮冻凍烧燒灾災伤傷医醫级級别別罚罰议議协協"
  "监監讼訟岗崗轻輕辆輛钥鑰镜鏡划劃喷噴够夠总總厂廠术術专專责責领領导導亲親爷爺妈媽儿兒"
  "岁歲历歷确確标標识識讯訊页頁闭閉闹鬧侧側孙孫转轉会會来來济濟恶惡吗嗎权權诺諾乐樂赶趕状狀"
  "况況虽雖园園严嚴药藥废廢随隨种種钢鋼铜銅铁鐵错錯绒絨红紅颗顆肤膚痒癢摄攝亏虧询詢梦夢"
  "扰擾顶頂温溫馆館鸡雞团團圆圓礼禮赠贈减減驾駕驶駛离離挡擋档檔冲衝击擊鉴鑑营營铃鈴绑綁账賬"
  "储儲贷貸征徵滞滯审審邻鄰视視频頻烟煙墙牆祸禍骂罵挂掛势勢计計达達仓倉拣揀税稅显顯锁鎖龙龍"
  "详詳细細仅僅绩績绿綠块塊厕廁处處拨撥讨討啰囉摆擺欢歡门門";

/* Words whose characters alone would come out wrong (发 is 髮 in 头发; 系 is 繫 in 联系;
 * 里 is 裡 for "inside" but stays in 公里). */
static const char *const trad_words[][2] = {
  {"头发", "頭髮"}, {"联系", "聯繫"}, {"店里", "店裡"}, {"家里", "家裡"}, {"这里", "這裡"},
  {"里面", "裡面"}, {"卡里", "卡裡"}, {"箱里", "箱裡"}};

/* clang-format on */

typedef struct {
  unsigned from, to;
} cp_pair;

static cp_pair trad_map[512];
static int trad_n;

static int cp_pair_cmp(const void *a, const void *b) {
  const cp_pair *x = a, *y = b;
  return x->from < y->from ? -1 : x->from > y->from;
}

/* Builds the table once; TS_ERR_INVALID if the pairs do not pair up. */
static int trad_init(void) {
  const unsigned char *s = (const unsigned char *)trad_pairs;
  trad_n = 0;
  while (*s) {
    unsigned a, b;
    s += utf8_decode(s, &a);
    if (!*s || trad_n >= NELEM(trad_map))
      return TS_ERR_INVALID;
    s += utf8_decode(s, &b);
    trad_map[trad_n].from = a;
    trad_map[trad_n].to = b;
    trad_n++;
  }
  qsort(trad_map, (size_t)trad_n, sizeof trad_map[0], cp_pair_cmp);
  return TS_OK;
}

static unsigned trad_of(unsigned cp) {
  int lo = 0, hi = trad_n - 1;
  while (lo <= hi) {
    int mid = (lo + hi) / 2;
    if (trad_map[mid].from == cp)
      return trad_map[mid].to;
    if (trad_map[mid].from < cp)
      lo = mid + 1;
    else
      hi = mid - 1;
  }
  return cp;
}

enum { SPELL_PLAIN, SPELL_TRAD, SPELL_FULLWIDTH };

/* Rewrites text in place in one of the spellings: traditional characters, or full-width
 * ASCII letters and digits (Ｘ２００, as some input methods type them). The result never
 * shrinks; TS_ERR_TOO_LARGE when it would not fit in cap bytes (text unchanged). */
static int respell(char *text, size_t cap, int spell) {
  char out[8192];
  size_t n = 0;
  const unsigned char *s = (const unsigned char *)text;
  if (spell == SPELL_PLAIN)
    return TS_OK;
  while (*s) {
    unsigned cp;
    char enc[4];
    if (spell == SPELL_TRAD) {
      int w = 0;
      for (; w < NELEM(trad_words); w++)
        if (!strncmp((const char *)s, trad_words[w][0], strlen(trad_words[w][0])))
          break;
      if (w < NELEM(trad_words)) {
        size_t k = strlen(trad_words[w][1]);
        if (n + k >= sizeof out || n + k >= cap)
          return TS_ERR_TOO_LARGE;
        memcpy(out + n, trad_words[w][1], k);
        n += k;
        s += strlen(trad_words[w][0]);
        continue;
      }
    }
    s += utf8_decode(s, &cp);
    if (spell == SPELL_TRAD)
      cp = trad_of(cp);
    else if ((cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z'))
      cp += 0xFEE0;
    int k = utf8_encode(cp, enc);
    if (n + (size_t)k >= sizeof out || n + (size_t)k >= cap)
      return TS_ERR_TOO_LARGE;
    memcpy(out + n, enc, (size_t)k);
    n += (size_t)k;
  }
  memcpy(text, out, n);
  text[n] = '\0';
  return TS_OK;
}

/* ---- local time (Asia/Shanghai) ------------------------------------------------------- */

static void civil_from_days(int64_t z, int *y, int *m, int *d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned dd = doy - (153 * mp + 2) / 5 + 1;
  unsigned mm = mp < 10 ? mp + 3 : mp - 9;
  *y = (int)((int64_t)yoe + era * 400 + (mm <= 2));
  *m = (int)mm;
  *d = (int)dd;
}

static int64_t local_day(int64_t t) {
  int64_t l = t + GEN_TZ_OFFSET;
  return l >= 0 ? l / DAY : (l - DAY + 1) / DAY;
}

static int local_hour(int64_t t) {
  return (int)((t + GEN_TZ_OFFSET - local_day(t) * DAY) / HOUR);
}

/* The UTC instant of local midnight starting day d (days since 1970-01-01). */
static int64_t day_start(int64_t d) {
  return d * DAY - GEN_TZ_OFFSET;
}

static int64_t month_start(int y, int m) {
  return day_start(ts_days_from_civil(y, m, 1));
}

static void local_date(int64_t t, int *y, int *m, int *d) {
  civil_from_days(local_day(t), y, m, d);
}

/* "YYYY-MM-DD" of t, local. */
static void date_iso(int64_t t, char out[16]) {
  int y, m, d;
  local_date(t, &y, &m, &d);
  snprintf(out, 16, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
}

/* Moves an office action out of the night: before 08:30 → that morning, after 21:00 →
 * the next morning (people answer complaints in the day). */
static int64_t office_time(rng *r, int64_t t);

/* A handler's desk work (a proposal): in the day, 08:30-18:00; later → the next morning. */
static int64_t desk_time(rng *r, int64_t t) {
  if (local_hour(t) >= 18)
    return day_start(local_day(t) + 1) + 8 * HOUR + 30 * MINUTE + rng_range(r, 0, 90 * MINUTE);
  return office_time(r, t);
}

static int64_t office_time(rng *r, int64_t t) {
  int h = local_hour(t);
  int64_t d = local_day(t);
  if (h < 8)
    return day_start(d) + 8 * HOUR + 30 * MINUTE + rng_range(r, 0, 90 * MINUTE);
  if (h >= 21)
    return day_start(d + 1) + 8 * HOUR + 30 * MINUTE + rng_range(r, 0, 90 * MINUTE);
  return t;
}

/* clang-format off */
/* ---- people and places ---------------------------------------------------------------- */

/* The most common surnames first: drawn with a skew, so 王李张刘陈 are frequent. */
static const char *const surnames[] = {
  "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
  "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
  "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏",
  "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "金", "石",
  "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛",
  "闫", "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万",
  "钱", "严", "覃", "武", "戴", "莫", "孔", "向", "汤", "欧阳", "司马", "诸葛"};
static const char *const given_male[] = {
  "伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "斌",
  "宇", "浩", "凯", "健", "俊", "帆", "波", "亮", "建华", "志强", "建国", "国庆", "立新",
  "永刚", "海涛", "晓东", "文博", "子轩", "梓轩", "浩然", "一鸣", "思远", "家豪", "俊杰",
  "德明", "振宇", "国栋", "春生", "宏伟", "世杰", "天佑", "少华", "嘉诚"};
static const char *const given_female[] = {
  "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀英", "秀兰", "桂英", "玉兰", "晓燕",
  "海燕", "红梅", "丹", "婷", "雪", "琳", "颖", "倩", "欣怡", "子涵", "雨桐", "梓涵",
  "诗琪", "佳怡", "思彤", "雅琴", "春华", "美玲", "慧敏", "婉婷", "晓丽", "文静", "嘉怡",
  "梦瑶", "若曦", "淑芬", "凤英"};
static const char *const times_of_day[] = {"上午9点", "上午10点半", "上午11点", "中午12点",
                                           "下午2点", "下午3点半", "下午4点", "晚上7点",
                                           "晚上8点半"};

/* Mobile number prefixes of the three carriers (and the virtual ones). */
static const char *const mobile_prefixes[] = {
  "130", "131", "132", "133", "135", "136", "137", "138", "139", "147", "150", "151", "152",
  "153", "155", "156", "157", "158", "159", "166", "170", "173", "175", "176", "177", "178",
  "180", "181", "182", "183", "185", "186", "187", "188", "189", "191", "198", "199"};

/* Cities the demo's outlets are in, recognised by a word of the outlet's name. */
typedef struct {
  const char *key;        /* in the outlet's name */
  const char *city;       /* address prefix */
  const char *plate;      /* licence-plate province (and city letter when fixed) */
  const char *area;       /* telephone area code */
  const char *districts[4];
} city;

static const city cities[] = {
  {"上海", "上海市", "沪", "021", {"浦东新区", "闵行区", "徐汇区", "静安区"}},
  {"苏州", "苏州市", "苏E", "0512", {"姑苏区", "工业园区", "吴中区", "相城区"}},
  {"太仓", "苏州市太仓市", "苏E", "0512", {"城厢镇", "沙溪镇", "浏河镇", "科教新城"}},
  {"北京", "北京市", "京", "010", {"朝阳区", "海淀区", "东城区", "丰台区"}},
  {"天津", "天津市", "津", "022", {"和平区", "河西区", "南开区", "河东区"}},
  {"郑州", "郑州市", "豫A", "0371", {"金水区", "二七区", "中原区", "管城区"}},
  {"开封", "开封市", "豫B", "0378", {"鼓楼区", "龙亭区", "顺河区", "禹王台区"}},
  {"广州", "广州市", "粤A", "020", {"天河区", "越秀区", "海珠区", "白云区"}},
  {"深圳", "深圳市", "粤B", "0755", {"南山区", "福田区", "宝安区", "龙岗区"}},
};
static const char *const roads[] = {"人民路", "解放路", "中山路", "建设路", "和平路",
                                    "长江路", "学府路", "世纪大道", "滨江大道", "新华路",
                                    "文化路", "金水路", "花园路", "东风路"};
static const char *const email_domains[] = {"163.com", "126.com", "sina.com", "outlook.com",
                                            "foxmail.com", "139.com"};
static const char *const colours[] = {"藏青色", "黑色", "深灰色", "米白色", "卡其色",
                                      "酒红色", "浅蓝色"};

/* A surname drawn with the skew of real frequencies (the first ones far more often). */
static const char *surname_pick(rng *r) {
  double u = rng_unit(r);
  return surnames[(int)(u * u * NELEM(surnames))];
}

/* Letters of a licence plate: no I and no O. */
static const char plate_letters[] = "ABCDEFGHJKLMNPQRSTUVWXYZ";

static void make_plate(rng *r, const city *c, char *out, size_t outsz) {
  char tail[8];
  int n = 0;
  int ev = rng_chance(r, 0.08); /* new-energy vehicles: D/F and 5 digits */
  if (ev) {
    tail[n++] = rng_chance(r, 0.7) ? 'D' : 'F';
    for (int i = 0; i < 5; i++)
      tail[n++] = (char)('0' + rng_below(r, 10));
  } else {
    int letters = (int)rng_below(r, 3); /* 0-2 letters among the 5 */
    for (int i = 0; i < 5; i++)
      tail[n++] = (i < letters && rng_chance(r, 0.6))
                    ? plate_letters[rng_below(r, (uint32_t)(sizeof plate_letters - 1))]
                    : (char)('0' + rng_below(r, 10));
  }
  tail[n] = '\0';
  if (strlen(c->plate) > 3) /* province and city letter given: 苏E */
    snprintf(out, outsz, "%s%s", c->plate, tail);
  else /* 沪A..沪N, 京A..京Q */
    snprintf(out, outsz, "%s%c%s", c->plate, plate_letters[rng_below(r, 12)], tail);
}

/* A VIN with a correct check digit (ISO 3779 / GB 16735): LSV SAIC-Volkswagen, LFV
 * FAW-Volkswagen; year codes 2021-2026 (M..T). */
static void make_vin(rng *r, const char *wmi, char out[18]) {
  static const char alnum[] = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
  static const char years[] = "MNPRST";
  static const int weights[17] = {8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2};
  int sum = 0;
  memcpy(out, wmi, 3);
  for (int i = 3; i < 8; i++)
    out[i] = alnum[rng_below(r, (uint32_t)(sizeof alnum - 1))];
  out[9] = years[rng_below(r, 6)];
  out[10] = "ACGHKNS"[rng_below(r, 7)];
  for (int i = 11; i < 17; i++)
    out[i] = (char)('0' + rng_below(r, 10));
  out[8] = '0';
  for (int i = 0; i < 17; i++) {
    char ch = out[i];
    int v;
    if (ch >= '0' && ch <= '9')
      v = ch - '0';
    else if (ch >= 'A' && ch <= 'Z') /* A1 B2 ... H8 J1 ... N5 P7 R9 S2 ... Z9 (no I O Q) */
      v = "12345678*12345*7*923456789"[ch - 'A'] - '0';
    else
      v = 0;
    sum += v * weights[i];
  }
  out[8] = sum % 11 == 10 ? 'X' : (char)('0' + sum % 11);
  out[17] = '\0';
}

/* A mobile number as people write it: mostly 11 digits, some with dashes or spaces, a few
 * with +86; about 2 % a landline of the outlet's city. */
static void make_phone(rng *r, const city *c, char *out, size_t outsz) {
  const char *pre = PICK(r, mobile_prefixes);
  unsigned a = rng_below(r, 10000), b = rng_below(r, 10000);
  double u = rng_unit(r);
  if (u < 0.85)
    snprintf(out, outsz, "%s%04u%04u", pre, a, b);
  else if (u < 0.91)
    snprintf(out, outsz, "%s-%04u-%04u", pre, a, b);
  else if (u < 0.95)
    snprintf(out, outsz, "%s %04u %04u", pre, a, b);
  else if (u < 0.98)
    snprintf(out, outsz, "+86 %s%04u%04u", pre, a, b);
  else
    snprintf(out, outsz, "%s-%u%07u", c->area, 2 + rng_below(r, 7), rng_below(r, 10000000));
}

/* ---- what customers complain about ----------------------------------------------------- */

/* Demands, in the order of ts_enum_demand (core/case.c). */
enum {
  D_REFUND = 1u << 0, D_RETURN = 1u << 1, D_EXCHANGE = 1u << 2, D_REPAIR = 1u << 3,
  D_DISCOUNT = 1u << 4, D_COMPENSATION = 1u << 5, D_APOLOGY = 1u << 6,
  D_EXPLANATION = 1u << 7, D_OTHER = 1u << 8
};
static const char *const demand_codes[] = {"refund",       "return",  "exchange",
                                           "repair",       "discount", "compensation",
                                           "apology",      "explanation", "other"};
static const char *const demand_phrases[][3] = {
  {"退还相关费用", "把多扣的钱退回来", "退款"},
  {"无条件退货退款", "退货", "办理退货"},
  {"更换一台新的", "换货", "更换同型号新品"},
  {"彻底修好", "免费维修", "尽快安排维修"},
  {"费用给予折扣", "打折处理", "给予适当优惠"},
  {"赔偿损失", "赔偿误工费和交通费", "给予经济补偿"},
  {"当事人当面道歉", "书面道歉", "向我道歉"},
  {"给出合理解释", "给个说法", "说明原因"},
  {"尽快处理", "补上应得的权益", "落实当初的承诺"}};
static const char *const demand_titles[] = {"要求退款", "要求退货", "要求换货", "要求维修",
                                            "要求折扣", "要求赔偿", "要求道歉", "要求解释",
                                            "要求处理"};

/* Traits of an issue: what the grading reasons may say about it. */
enum {
  T_PRODUCT = 1u << 0,  /* about a product: the subject names it (and its batch) */
  T_SAFETY = 1u << 1,   /* can be safety-related (rule safety_related) */
  T_REPAIR = 1u << 2,   /* a repair that can need rework (rule rework) */
  T_SUMMER = 1u << 3,   /* far more frequent in June to August */
  T_BIGLOSS = 1u << 4,  /* can carry a claim above the major-loss threshold */
  T_INVALID = 1u << 5,  /* often judged not valid (allergy, customer's own use) */
  T_UNUSABLE = 1u << 6  /* can leave the product unusable for days */
};

/* How a product is named: brand+type+model (海尔冰箱BCD-470WDPG), brand+model (华为Mate 60
 * Pro), the model alone (5G畅享套餐129元), brand+model with a style number and colour
 * (clothes and jewellery: no batch, the style number tells them apart). */
enum { PN_BTM, PN_BM, PN_M, PN_STYLE };

typedef struct {
  const char *type;        /* {p}: 空调, and what an issue's ptype matches */
  const char *brand;
  const char *model;
  const char *short_model; /* {M} */
  int price_lo, price_hi;  /* yuan */
  int style;               /* PN_* */
  const char *code;        /* batch code prefix; for cars the VIN's maker code */
} product;

typedef struct {
  short weight;          /* relative frequency in its industry */
  const char *category;  /* categories.code */
  const char *ptype;     /* the product type it concerns, NULL any */
  const char *title;     /* template of the title */
  const char *text[3];   /* problem sentences: the first always, one or two more often */
  const char *root;      /* usual root cause (ts_enum_root_cause) */
  const char *stage;     /* usual service stage (service_stages.code) */
  const char *dept;      /* responsible department's unit code */
  const char *finding;   /* what the investigation found */
  const char *invalid;   /* the reason when judged not valid (ts_enum_invalid_reason) */
  unsigned demands;      /* D_* the customer may make */
  int cost_lo, cost_hi;  /* yuan a solution costs */
  unsigned traits;       /* T_* */
} issue;

/* Templates: {X} is replaced by the case's value X (see slots_fill):
 * P product, p its type, M model, B batch, A amount paid, a a fee, J the amount claimed,
 * D date of the event, E a later date, I time of day, S a staff member, T a technician,
 * O the outlet, N a small count, K days, H minutes, U days unusable, R order number,
 * L plate, V VIN, W mileage, Q phone, Y a part, C customer's name, c how to address them,
 * G room number. */

#define ISSUES(a) a, NELEM(a)

static const product car_products[] = {
  {"车", "大众", "朗逸 1.5L 自动舒适版", "朗逸", 800, 6000, PN_BM, "LSV"},
  {"车", "大众", "速腾 280TSI DSG 豪华智联版", "速腾", 800, 6000, PN_BM, "LFV"},
  {"车", "大众", "帕萨特 330TSI 精英版", "帕萨特", 1000, 8000, PN_BM, "LSV"},
  {"车", "大众", "途观L 380TSI 四驱旗舰版", "途观L", 1000, 9000, PN_BM, "LSV"},
  {"车", "大众", "宝来 1.5L 自动精英型", "宝来", 600, 5000, PN_BM, "LFV"},
  {"车", "大众", "迈腾 330TSI DSG 领先型", "迈腾", 1000, 8000, PN_BM, "LFV"},
  {"车", "大众", "探岳 330TSI 两驱豪华智联版", "探岳", 1000, 8000, PN_BM, "LFV"},
  {"车", "大众", "ID.4 CROZZ PRO", "ID.4 CROZZ", 800, 7000, PN_BM, "LFV"},
  {"车", "大众", "凌渡L 280TSI 炫辣版", "凌渡L", 800, 6000, PN_BM, "LSV"},
  {"车", "大众", "途岳 280TSI 两驱豪华版", "途岳", 800, 6000, PN_BM, "LSV"},
};
static const char *const car_parts[] = {"鼓风机", "火花塞", "刹车片", "水泵", "节气门",
                                        "空调压缩机", "发电机", "起动机", "雨刮电机",
                                        "车窗升降器", "减震器", "氧传感器", "点火线圈",
                                        "燃油泵", "正时皮带", "蓄电池"};
static const char *const car_openings[] = {
  "我的车是{P}，车牌号{L}，{D}在{O}做了{W}保养。",
  "本人车牌{L}，{P}，购车不到{N}年，目前行驶里程{W}。",
  "{D}我把车（车牌{L}）开到{O}维修，接待我的服务顾问是{S}。",
  "我是{O}的老客户，车辆是{P}，车架号{V}。",
  "{D}{I}，我驾驶{P}（{L}）到{O}进行保养。"};
static const issue car_issues[] = {
  {12, "repair_quality", NULL, "{M}保养后发动机异响",
   {"保养完第二天发动机就出现“嗒嗒”的异响，冷车启动时尤其明显。",
    "回店检查，{T}说是正常现象，可我之前从来没有这个声音。",
    "{S}建议我更换{Y}，报价{a}，我怀疑是上次保养没做好。"},
   "people_skill", "repair", "AFTERSALES", "保养时{Y}安装不到位造成异响", "normal_characteristic",
   D_REPAIR | D_EXPLANATION, 200, 2000, T_PRODUCT | T_REPAIR | T_UNUSABLE},
  {10, "product_quality", NULL, "{M}变速箱低速顿挫",
   {"车辆在低速走走停停时变速箱顿挫明显，一二挡换挡有冲击感。",
    "已经到店检测了{N}次，每次都说升级程序就好，结果没过几天又犯。",
    "{T}说这是双离合变速箱的特性，我不能接受这种说法。"},
   "machine", "repair", "AFTERSALES", "变速箱机电单元存在故障", "normal_characteristic",
   D_REPAIR | D_EXCHANGE | D_COMPENSATION, 500, 15000,
   T_PRODUCT | T_REPAIR | T_UNUSABLE | T_BIGLOSS},
  {8, "product_quality", NULL, "{M}刹车异响",
   {"踩刹车时前轮有明显的金属摩擦声，下雨天更严重。",
    "{O}说刹车片还有{N}毫米厚度不用换，但声音一天比一天大。",
    "刹车关系到全家人的安全，我每天开车都提心吊胆。"},
   "material", "repair", "AFTERSALES", "刹车片批次质量问题导致异响", NULL, D_REPAIR | D_EXPLANATION,
   300, 3000, T_PRODUCT | T_SAFETY | T_REPAIR},
  {6, "product_quality", NULL, "{M}空调不制冷",
   {"车内空调开到最低温度也不制冷，出风口还有一股霉味。",
    "上周刚加过一次冷媒，开了不到一周又不凉了。", "{T}检查后说是{Y}的问题，要等配件。"},
   "machine", "repair", "AFTERSALES", "空调系统管路泄漏", NULL, D_REPAIR, 300, 4000,
   T_PRODUCT | T_REPAIR | T_SUMMER | T_UNUSABLE},
  {4, "product_quality", NULL, "{M}气囊故障灯报警",
   {"仪表盘上的气囊故障灯一直亮着，重新启动也不灭。",
    "{S}说可能是线束接触不良，清理后没几天又亮了。", "气囊出了问题，万一遇到事故后果不堪设想。"},
   "machine", "repair", "QA", "副气囊连接线插接错误", NULL, D_REPAIR | D_EXPLANATION, 0, 2000,
   T_PRODUCT | T_SAFETY | T_REPAIR},
  {5, "repair_quality", NULL, "{M}更换{Y}后短期内再次故障",
   {"上次在{O}更换的{Y}装上不到一个月又坏了，等于白修。",
    "这次回店，{S}居然还要我再付一次工时费{a}。"},
   "people_skill", "repair", "AFTERSALES", "维修工艺不规范导致返修", NULL,
   D_REPAIR | D_REFUND | D_APOLOGY, 200, 3000, T_PRODUCT | T_REPAIR | T_UNUSABLE},
  {7, "billing", NULL, "维修结算金额与报价不符",
   {"接车时{S}报价大概{a}，结账时却变成了{A}，多出来的项目事先没有人跟我确认。",
    "工单上写着更换了{Y}，可我根本没有同意更换。"},
   "people_standards", "delivery", "AFTERSALES", "增项未经客户签字确认", "misunderstanding",
   D_REFUND | D_EXPLANATION, 100, 2000, 0},
  {7, "waiting_time", NULL, "保养等待时间过长",
   {"预约的是{I}保养，说好一个小时完工，结果我在休息区等了{H}分钟还没开始。",
    "问了{N}次前台，每次都说马上，最后耽误了下午的会议。"},
   "method", "reception", "AFTERSALES", "车间排班未按预约执行", NULL, D_APOLOGY | D_DISCOUNT, 0,
   300, 0},
  {5, "service_attitude", NULL, "服务顾问态度恶劣",
   {"我询问费用明细时，{S}很不耐烦，说“不想修可以开走”。",
    "整个过程没有人给我倒一杯水，问问题也爱答不理。"},
   "people_attitude", "reception", "AFTERSALES", "服务顾问服务用语不规范", NULL, D_APOLOGY, 0,
   200, 0},
  {5, "warranty", NULL, "质保期内{Y}故障被拒绝索赔",
   {"车还在质保期内，{Y}坏了，{O}却说是人为损坏不给索赔，要我自费{A}。",
    "我平时都是正常使用、按时保养，凭什么说是人为损坏？"},
   "method", "repair", "AFTERSALES", "索赔鉴定标准执行过严", "customer_use", D_REPAIR | D_REFUND,
   500, 8000, T_PRODUCT | T_UNUSABLE},
  {3, "rescue", NULL, "外地抛锚道路救援迟迟未到",
   {"{D}晚上车在外地高速上抛锚，打了救援电话后等了{N}个多小时救援车才到。",
    "就近的维修站说不出车，最后只能自己找拖车，花了{a}。"},
   "method", "other", "AFTERSALES", "救援调度未及时响应", NULL, D_COMPENSATION | D_APOLOGY, 200,
   1500, 0},
  {3, "booking", NULL, "预约保养到店无人接待",
   {"提前{N}天在APP上预约了{I}的保养，到店后前台说没有看到预约记录。",
    "只能重新排队，白白浪费了一个上午。"},
   "method", "booking", "AFTERSALES", "预约系统信息未同步到前台", NULL,
   D_APOLOGY | D_EXPLANATION, 0, 200, 0},
  {3, "broken_promise", NULL, "购车时承诺的免费保养未兑现",
   {"购车时销售顾问{S}承诺赠送{N}次免费保养和一套脚垫，现在去保养却说系统里没有记录。",
    "当时是口头承诺，没有写进合同，现在店里不认账。"},
   "people_standards", "follow_up", "AFTERSALES", "销售顾问口头承诺未登记", NULL,
   D_EXPLANATION | D_OTHER, 200, 1500, 0},
  {3, "service_standards", NULL, "洗车时车漆被划伤",
   {"保养后做了免费洗车，取车时发现左后门有一道{N}厘米长的划痕。",
    "{S}一口咬定进店时就有，可我进店时拍了照片。"},
   "people_standards", "delivery", "AFTERSALES", "洗车工操作不规范", NULL,
   D_REPAIR | D_COMPENSATION, 300, 2500, 0},
  {2, "staff_skill", NULL, "{M}行驶中熄火反复检查不出原因",
   {"车辆行驶中偶尔熄火，前后跑了{N}趟{O}，技师都说没查出问题。",
    "我担心在高速上突然熄火，出了事谁负责？"},
   "people_skill", "repair", "AFTERSALES", "诊断不到位，未查出燃油泵间歇性故障", NULL,
   D_REPAIR | D_EXPLANATION, 0, 3000, T_PRODUCT | T_SAFETY | T_REPAIR | T_UNUSABLE},
  {2, "gifts_promotions", NULL, "电话确认的保养礼品到店被告知已发完",
   {"客服电话里确认保养送手电筒礼品，我专门跑了一趟，检测完却被告知已经发完了。",
    "接待人员一味辩解，没有一句道歉。"},
   "people_standards", "reception", "AFTERSALES", "礼品库存信息未及时更新", NULL,
   D_APOLOGY | D_OTHER, 0, 200, 0},
};

static const product appl_products[] = {
  {"空调", "格力", "KFR-35GW/(35592)NhGc1B", "KFR-35GW", 3299, 4599, PN_BTM, "GL35"},
  {"空调", "美的", "KFR-26GW/N8MJA3", "KFR-26GW", 2399, 3199, PN_BTM, "MD26"},
  {"空调", "海尔", "KFR-72LW/81@U1-Jc", "KFR-72LW", 6999, 8999, PN_BTM, "HR72"},
  {"冰箱", "海尔", "BCD-470WDPG", "BCD-470WDPG", 3999, 4999, PN_BTM, "HB47"},
  {"冰箱", "美的", "BCD-508WKPZM(E)", "BCD-508WKPZM", 3299, 4299, PN_BTM, "MB50"},
  {"冰箱", "容声", "BCD-529WD18HP", "BCD-529WD18HP", 3599, 4299, PN_BTM, "RS52"},
  {"洗衣机", "小天鹅", "TG100V88WMUIADY5", "TG100V88", 2999, 3599, PN_BTM, "XT10"},
  {"洗衣机", "海尔", "EG100MATE28S", "EG100MATE28S", 2499, 2999, PN_BTM, "HE10"},
  {"电视", "海信", "65E3F", "65E3F", 3299, 3799, PN_BTM, "HS65"},
  {"电视", "小米", "L65M7-EA", "L65M7", 2799, 3299, PN_BTM, "MI65"},
  {"热水器", "A.O.史密斯", "E60VN3", "E60VN3", 3599, 4299, PN_BTM, "AO60"},
  {"油烟机", "方太", "EMD20T", "EMD20T", 4299, 5299, PN_BTM, "FT20"},
};
static const char *const appl_parts[] = {"压缩机", "电路板", "排水泵", "温控器", "风扇电机",
                                         "门封条", "电源板", "显示屏"};
static const char *const appl_openings[] = {
  "我于{D}在{O}购买了{P}，价格{A}。",
  "{D}在贵店买的{P}，{E}送货安装。",
  "上个月在{O}买了一台{p}，型号{M}，花了{A}。",
  "家里的{P}是{D}在{O}买的，还在保修期内。"};
static const issue appl_issues[] = {
  {10, "product_quality", "空调", "新装{p}不制冷",
   {"安装好才{N}天，空调开到16度制冷效果也很差，房间温度一直降不下来。",
    "师傅上门说是缺氟，加完没两天又不凉了。", "现在这么热的天，家里老人孩子根本待不住。"},
   "machine", "after_sales", "RETAIL", "{Y}故障导致制冷不良", "normal_characteristic",
   D_REPAIR | D_EXCHANGE | D_RETURN, 0, 4000, T_PRODUCT | T_SUMMER | T_UNUSABLE | T_REPAIR},
  {5, "product_quality", "空调", "{p}外机噪音大",
   {"空调外机运行时噪音很大，晚上吵得邻居都来敲门。",
    "{T}来看过一次，说是正常声音，但我家之前的空调从来没这么响。"},
   "machine", "after_sales", "RETAIL", "外机减震垫安装不当", "normal_characteristic",
   D_REPAIR | D_EXCHANGE, 0, 800, T_PRODUCT | T_SUMMER | T_REPAIR},
  {5, "billing", "空调", "{p}安装加收费用未提前告知",
   {"安装师傅{T}说铜管不够长，加收了{a}的材料费和高空作业费，事先没有任何人告知。",
    "我要求看收费标准，师傅拿不出来。"},
   "people_standards", "after_sales", "RETAIL", "安装人员未按公示标准收费", "misunderstanding",
   D_REFUND | D_EXPLANATION, 50, 500, T_SUMMER},
  {7, "product_quality", "冰箱", "{p}冷藏室漏水",
   {"冰箱冷藏室底部一直漏水，早上起来地上一滩水。",
    "售后说是排水孔堵了，疏通后过了{N}天又开始漏。"},
   "machine", "after_sales", "RETAIL", "排水管路结冰堵塞", NULL, D_REPAIR | D_EXCHANGE, 0, 1500,
   T_PRODUCT | T_REPAIR | T_UNUSABLE},
  {4, "product_quality", "冰箱", "{p}压缩机噪音大且制冷差",
   {"冰箱压缩机启动时“嗡嗡”响，半夜在卧室都能听见。", "冷冻室的东西都化了，一冰箱的食物只能扔掉。"},
   "machine", "after_sales", "QA", "{Y}质量缺陷", NULL, D_EXCHANGE | D_COMPENSATION, 300, 5000,
   T_PRODUCT | T_UNUSABLE},
  {6, "product_quality", "洗衣机", "{p}脱水时噪音和震动大",
   {"洗衣机脱水时噪音特别大，整台机器都在晃，像要跳起来一样。",
    "后来才发现安装时师傅没有拆运输螺栓。"},
   "people_skill", "after_sales", "RETAIL", "安装时未拆除运输螺栓", "customer_use",
   D_REPAIR | D_APOLOGY, 0, 500, T_PRODUCT | T_REPAIR},
  {4, "product_quality", "洗衣机", "{p}显示E4故障码无法排水",
   {"洗到一半洗衣机停机，屏幕显示E4故障码，水排不出去。",
    "报修后{K}天都没有师傅上门，衣服泡在里面都发臭了。"},
   "machine", "after_sales", "RETAIL", "{Y}损坏", NULL, D_REPAIR | D_EXCHANGE, 0, 1200,
   T_PRODUCT | T_UNUSABLE | T_REPAIR},
  {4, "product_quality", "电视", "{p}屏幕出现竖线",
   {"电视用了不到半年，屏幕中间出现一条彩色竖线。",
    "售后说屏幕不在保修范围，换屏要{A}，比买新的还贵。"},
   "material", "after_sales", "QA", "屏幕排线接触不良", NULL, D_REPAIR | D_EXCHANGE, 0, 3000,
   T_PRODUCT | T_UNUSABLE},
  {3, "product_quality", "热水器", "{p}漏电跳闸",
   {"洗澡时碰到热水器的出水管有麻手的感觉，漏电保护器跳闸了好几次。",
    "这是要人命的事情，我已经不敢再用了。"},
   "machine", "after_sales", "QA", "接地线未接通", "customer_use",
   D_EXCHANGE | D_RETURN | D_EXPLANATION, 0, 4000, T_PRODUCT | T_SAFETY | T_UNUSABLE},
  {2, "product_quality", "油烟机", "{p}吸力弱且滴油",
   {"油烟机开到最大档，厨房里还是油烟弥漫，机身还往灶台上滴油。"},
   "machine", "after_sales", "RETAIL", "止回阀安装方向错误", NULL, D_REPAIR | D_EXCHANGE, 0, 800,
   T_PRODUCT | T_REPAIR},
  {5, "delivery", NULL, "{p}送货延迟",
   {"下单时说好{E}送货，结果等了一整天没人来，打电话也没人接。", "为了等送货我专门请了一天假。"},
   "logistics", "logistics", "ORDER", "配送站排单失误", NULL, D_APOLOGY | D_COMPENSATION, 0, 300,
   0},
  {4, "billing", NULL, "{p}购买后降价申请价保被拒",
   {"买完不到一周，同款{p}就降价了{a}，申请价格保护却被拒绝。",
    "{S}说活动价不在价保范围，可购买时没有任何人说明。"},
   "method", "sales", "RETAIL", "价保规则未向顾客说明", "beyond_reasonable", D_REFUND, 50, 800,
   0},
  {3, "broken_promise", NULL, "以旧换新补贴迟迟未到账",
   {"参加以旧换新活动，旧机已经被拉走{K}天了，说好的{a}补贴还没到账。"},
   "method", "sales", "FINANCE", "补贴审核流程滞后", NULL, D_REFUND | D_EXPLANATION, 100, 600, 0},
  {3, "service_attitude", NULL, "安装师傅态度差并弄脏地板",
   {"安装师傅{T}进门不穿鞋套，把木地板踩得全是泥印。",
    "我提醒了一句，他说“又不是故意的”，装完就走了。"},
   "people_attitude", "after_sales", "RETAIL", "安装人员未执行上门服务规范", NULL,
   D_APOLOGY | D_COMPENSATION, 0, 300, 0},
};

static const product digi_products[] = {
  {"手机", "苹果", "iPhone 15 128GB", "iPhone 15", 5999, 5999, PN_BM, "F2LX"},
  {"手机", "苹果", "iPhone 15 Pro Max 256GB", "iPhone 15 Pro Max", 9999, 9999, PN_BM, "F2LP"},
  {"手机", "华为", "Mate 60 Pro 12+512GB", "Mate 60 Pro", 6999, 7999, PN_BM, "HWM6"},
  {"手机", "小米", "14 16+512GB", "小米14", 4599, 4999, PN_BM, "XM14"},
  {"手机", "OPPO", "Reno11 12+256GB", "Reno11", 2999, 3299, PN_BM, "OPR1"},
  {"手机", "vivo", "X100 16+512GB", "X100", 4999, 5299, PN_BM, "VVX1"},
  {"手机", "vivo", "X200 12+256GB", "X200", 4299, 4699, PN_BM, "VVX2"},
  {"笔记本", "联想", "小新Pro14 2023", "小新Pro14", 5499, 5999, PN_BM, "LXP1"},
  {"笔记本", "华为", "MateBook 14 2024", "MateBook 14", 5999, 6999, PN_BM, "HWMB"},
  {"手环", "华为", "手环8", "华为手环8", 269, 329, PN_BM, "HWB8"},
  {"手环", "小米", "手环8 NFC版", "小米手环8", 249, 299, PN_BM, "XMB8"},
  {"耳机", "苹果", "AirPods Pro 2", "AirPods Pro", 1899, 1899, PN_BM, "APP2"},
  {"平板", "苹果", "iPad Air 5 64GB", "iPad Air", 4399, 4799, PN_BM, "IPA5"},
};
static const char *const digi_parts[] = {"主板", "屏幕总成", "电池", "充电口", "摄像头模组",
                                         "扬声器", "尾插排线"};
static const char *const digi_openings[] = {
  "{D}在{O}购买了{P}，发票金额{A}。", "我是{D}在贵店买的{P}，用了还不到{N}个月。",
  "上个月在{O}给孩子买了一台{P}，花了{A}。"};
static const issue digi_issues[] = {
  {8, "product_quality", NULL, "{M}充电发烫电池鼓包",
   {"新买的{P}充电时机身烫得厉害，昨天发现后盖有点鼓起来。",
    "店员说发热是正常的，可电池鼓包明显不正常。"},
   "material", "after_sales", "RETAIL", "电池批次存在质量缺陷", NULL, D_EXCHANGE | D_RETURN, 0,
   6000, T_PRODUCT | T_SAFETY | T_UNUSABLE},
  {7, "product_quality", "手机", "{M}屏幕出现绿线闪屏",
   {"用了不到{N}周，屏幕就出现一条绿线，偶尔还会闪屏。",
    "去店里检测，说要寄回厂家鉴定，来回至少两周。"},
   "material", "after_sales", "RETAIL", "{Y}质量问题", NULL, D_EXCHANGE | D_REPAIR, 0, 6000,
   T_PRODUCT | T_UNUSABLE},
  {6, "product_quality", "手机", "{M}频繁死机重启",
   {"手机每天都会自动重启好几次，打着电话就黑屏了。", "恢复出厂设置也没用，工作上的电话都接不了。"},
   "machine", "after_sales", "RETAIL", "系统固件与{Y}不兼容", NULL, D_EXCHANGE | D_RETURN, 0, 6000,
   T_PRODUCT | T_UNUSABLE | T_REPAIR},
  {5, "repair_quality", NULL, "{M}返厂维修周期过长",
   {"送修后被告知需要返厂，{K}天了还没有消息，客服只说在排队。", "没有备用机，工作生活都受影响。"},
   "method", "after_sales", "RETAIL", "返厂维修物流与排期过长", NULL,
   D_EXCHANGE | D_COMPENSATION | D_EXPLANATION, 0, 500, T_PRODUCT | T_UNUSABLE},
  {4, "service_standards", NULL, "七天无理由退货被拒",
   {"拆封后第{N}天想退货，店员说激活过就不能退。", "购买时没有任何人告诉我激活后不能退。"},
   "people_standards", "sales", "RETAIL", "门店退货政策解释不一致", "beyond_reasonable",
   D_RETURN | D_REFUND, 0, 6000, 0},
  {3, "product_quality", "手环", "{M}充不进电",
   {"{p}使用一周后就充不进电，屏幕还时不时显示异常。", "店里说需要返厂，周期两周，我觉得太长了。"},
   "material", "after_sales", "RETAIL", "充电触点氧化", "customer_use", D_EXCHANGE, 0, 600,
   T_PRODUCT | T_UNUSABLE},
  {3, "billing", NULL, "碎屏险理赔被拒",
   {"购机时买了{a}的碎屏险，现在屏幕摔裂了申请理赔却被拒。",
    "{S}说不属于意外跌落，这个说法我无法接受。"},
   "method", "after_sales", "FINANCE", "碎屏险条款理解不一致", "misunderstanding",
   D_REFUND | D_REPAIR, 0, 1500, 0},
  {2, "staff_skill", NULL, "店员迁移数据操作失误导致照片丢失",
   {"在店里让店员帮忙把旧手机的数据迁移到新手机，结果孩子从小到大的照片全部丢失了。",
    "店员说是系统问题，与他无关。"},
   "people_skill", "sales", "RETAIL", "数据迁移前未做备份确认", NULL, D_APOLOGY | D_COMPENSATION, 0,
   1000, 0},
};

static const product tel_products[] = {
  {"套餐", "", "5G畅享套餐129元", "5G畅享套餐", 129, 129, PN_M, NULL},
  {"宽带", "", "家庭融合套餐199元（含千兆宽带）", "融合套餐", 199, 199, PN_M, NULL},
  {"宽带", "", "千兆宽带", "千兆宽带", 1200, 1200, PN_M, NULL},
  {"宽带", "", "300兆宽带", "300兆宽带", 960, 960, PN_M, NULL},
  {"套餐", "", "4G飞享套餐58元", "飞享套餐", 58, 58, PN_M, NULL},
  {"套餐", "", "5G智享套餐199元", "5G智享套餐", 199, 199, PN_M, NULL},
};
static const char *const tel_parts[] = {"光猫", "路由器", "机顶盒", "分光器", "入户光缆"};
static const char *const tel_openings[] = {
  "我是贵公司的老用户，手机号{Q}，在网已经{N}年了。", "本人号码{Q}，{D}在{O}办理了{P}。",
  "我家装的是贵公司的{P}，从{D}开始出现问题。", "我的手机号是{Q}，使用的是{P}。"};
static const issue tel_issues[] = {
  {10, "unauthorised_activation", "套餐", "未经同意开通彩铃业务并扣费",
   {"最近{N}个月的话费里每月都多扣了{a}的彩铃费，我从来没有办理过这项业务。",
    "打客服电话要求取消，却被告知业务被捆绑到明年{N}月才能取消。",
    "营业厅查不到我本人的办理记录，却说是系统默认开通的。"},
   "method", "sales", "TELECOM", "营销活动批量开通未经客户确认", NULL, D_REFUND | D_APOLOGY, 10,
   200, 0},
  {9, "billing", "套餐", "套餐外流量费异常扣费",
   {"上个月套餐外流量费一下子扣了{a}，我开着流量提醒却没有收到任何短信。",
    "查询详单显示凌晨{N}点还在大量使用流量，那个时间我在睡觉。"},
   "machine", "after_sales", "TELECOM", "流量提醒短信未按规则触发", "misunderstanding",
   D_REFUND | D_EXPLANATION, 20, 500, 0},
  {9, "facilities", "宽带", "宽带频繁掉线",
   {"家里的{P}这{N}个星期每天晚上都掉线好几次，孩子上网课都受影响。",
    "报修后装维师傅{T}来看了一次，换了{Y}还是不行。"},
   "machine", "after_sales", "TELECOM", "小区分光器端口老化", NULL, D_REPAIR | D_DISCOUNT, 0, 200,
   T_REPAIR | T_UNUSABLE},
  {5, "facilities", "宽带", "宽带实际网速不达标",
   {"办的是{P}，实际测速只有几十兆，连标称的一半都不到。", "客服只会让我重启路由器。"},
   "environment", "after_sales", "TELECOM", "入户线路衰减过大", NULL,
   D_REPAIR | D_DISCOUNT | D_REFUND, 0, 300, T_REPAIR},
  {6, "broken_promise", "套餐", "套餐变更未按约定生效",
   {"{D}在营业厅申请把套餐降档，营业员说下个月生效，结果这个月还是按原套餐扣费。",
    "营业员{S}当时信誓旦旦，现在却找不到办理记录。"},
   "people_standards", "sales", "TELECOM", "变更工单未提交", NULL, D_REFUND | D_EXPLANATION, 20,
   300, 0},
  {5, "broken_promise", "套餐", "承诺赠送的话费未到账",
   {"办理合约时营业员承诺每月赠送{a}话费，连续{N}个月都没有到账。"}, "people_standards", "sales",
   "TELECOM", "营业员超范围承诺优惠", NULL, D_REFUND, 30, 600, 0},
  {4, "service_attitude", NULL, "营业厅营业员态度差",
   {"在{O}办理业务时，营业员{S}一直在玩手机，问了三遍才抬头。", "我说要投诉，对方说“随便你投诉”。"},
   "people_attitude", "sales", "TELECOM", "营业员服务意识淡薄", NULL, D_APOLOGY, 0, 100, 0},
  {4, "billing", "宽带", "宽带销户后仍被持续扣费",
   {"{D}已经在营业厅办理了宽带销户，之后{N}个月银行卡仍被自动扣费。"}, "method", "after_sales",
   "FINANCE", "销户工单未同步计费系统", NULL, D_REFUND, 50, 600, 0},
  {3, "facilities", "套餐", "小区室内手机信号差",
   {"住的小区室内几乎没有信号，打电话经常断线。",
    "向客服反映过{N}次，每次都说会安排测试，一直没有下文。"},
   "environment", "after_sales", "TELECOM", "小区室内覆盖不足", NULL, D_REPAIR | D_EXPLANATION, 0,
   100, 0},
  {3, "booking", "宽带", "宽带装机预约上门未到",
   {"预约了{E}{I}上门装机，在家等了一天没人来，也没有电话通知。"}, "method", "booking", "TELECOM",
   "装维人员排班冲突未通知客户", NULL, D_APOLOGY, 0, 100, 0},
  {2, "other", "套餐", "携号转网被设置障碍",
   {"申请携号转网，被告知有合约限制不能转出，可我从来没有签过合约。"}, "method", "sales", "TELECOM",
   "合约信息登记错误", NULL, D_EXPLANATION, 0, 0, 0},
};

static const product ecom_products[] = {
  {"复印纸", "得力", "A4复印纸70g(8包/箱)", "A4复印纸70g", 199, 239, PN_BM, "DL70"},
  {"打印机", "惠普", "LaserJet Pro M126a激光打印机", "M126a", 1299, 1499, PN_BM, "HPM1"},
  {"硒鼓", "惠普", "88A硒鼓CC388A", "CC388A", 399, 459, PN_BM, "HP88"},
  {"中性笔", "晨光", "0.5mm中性笔(12支装)", "GP-1280", 18, 24, PN_BM, "CG05"},
  {"碎纸机", "得力", "9911碎纸机", "9911", 599, 699, PN_BM, "DL99"},
  {"办公椅", "西昊", "M57人体工学椅", "M57", 899, 1099, PN_BM, "XHM5"},
  {"文件柜", "齐心", "A4钢制文件柜", "QX-A4", 699, 899, PN_BM, "QXWJ"},
  {"打印机", "联想", "M7400Pro激光一体机", "M7400Pro", 1499, 1699, PN_BM, "LXM7"},
};
static const char *const ecom_parts[] = {"硒鼓", "定影组件", "进纸轮", "椅子气杆", "电源适配器"};
static const char *const ecom_openings[] = {
  "我在贵店下单购买了{P}，订单号{R}，实付{A}。",
  "{D}在网上店铺下了一个订单（订单号{R}），买的是{P}。",
  "我们公司在贵店采购了一批{p}，订单号{R}。"};
static const issue ecom_issues[] = {
  {10, "delivery", NULL, "订单超时未发货",
   {"下单时页面写着48小时内发货，已经第{N}天了还没发出。",
    "在线客服每次都回复“已催促仓库”，一直没有下文。", "这批{p}是下周开会要用的，现在全耽误了。"},
   "method", "logistics", "ORDER", "仓库拣货积压，超卖商品未及时下架", NULL,
   D_REFUND | D_APOLOGY | D_EXPLANATION, 0, 200, 0},
  {8, "delivery", NULL, "收到的{p}外包装破损",
   {"收到时外箱已经压扁，里面的{p}外壳也裂开了。", "签收时快递员催着走，没让我当面验货。"},
   "logistics", "logistics", "ORDER", "运输途中受压，包装强度不足", NULL,
   D_EXCHANGE | D_RETURN | D_REFUND, 0, 1500, T_PRODUCT},
  {6, "delivery", NULL, "订单少发漏发",
   {"订单里一共{N}件商品，收到的包裹里少了一件{p}，也没有缺货说明。"}, "people_standards",
   "logistics", "ORDER", "打包员漏拣", NULL, D_OTHER | D_REFUND, 0, 500, 0},
  {5, "delivery", NULL, "发错货型号不符",
   {"订的是{M}，收到的却是另一个型号，根本用不了。", "申请换货却要我自己先垫付运费。"},
   "people_standards", "logistics", "ORDER", "拣货员拣错库位", NULL, D_EXCHANGE | D_COMPENSATION,
   0, 300, T_PRODUCT},
  {7, "billing", NULL, "退货后退款迟迟未到账",
   {"{D}申请了退货退款，商品已经寄回{K}天了，退款还没有到账。",
    "客服说财务在审核，问什么时候审核完也说不清楚。"},
   "method", "after_sales", "FINANCE", "退款审核环节积压", NULL, D_REFUND, 0, 3000, 0},
  {4, "service_standards", NULL, "发票抬头开具错误",
   {"公司报销需要增值税专用发票，收到的发票抬头和税号都开错了。",
    "联系客服重开，说要先把原发票寄回来。"},
   "people_standards", "after_sales", "FINANCE", "开票信息录入错误", NULL, D_OTHER | D_APOLOGY, 0,
   100, 0},
  {3, "billing", NULL, "优惠券结算时无法使用",
   {"商品页面显示用券后便宜{a}，下单结算时却提示优惠券不可用。",
    "客服说是系统问题，让我自己再等等。"},
   "machine", "sales", "ORDER", "优惠券配置规则错误", "misunderstanding", D_REFUND | D_DISCOUNT, 5,
   200, 0},
  {4, "product_quality", "打印机", "{M}使用中频繁卡纸",
   {"收到的{p}用了不到一周就频繁卡纸，打十张卡三张。", "按说明书清理了进纸轮也没有用。"},
   "machine", "after_sales", "QA", "{Y}装配不良", "customer_use", D_EXCHANGE | D_REPAIR, 0, 1500,
   T_PRODUCT | T_UNUSABLE | T_REPAIR},
};

static const product retail_products[] = {
  {"西装", "雅戈尔", "男士西装", "XZ", 1999, 3999, PN_STYLE, NULL},
  {"羽绒服", "波司登", "连帽羽绒服", "BS", 999, 2499, PN_STYLE, NULL},
  {"皮鞋", "百丽", "女士真皮单鞋", "BL", 599, 1199, PN_STYLE, NULL},
  {"洗发水", "海飞丝", "去屑洗发水400ml", "去屑洗发水", 49, 79, PN_BM, "HFS4"},
  {"面霜", "欧莱雅", "复颜面霜50ml", "复颜面霜", 299, 399, PN_BM, "OLY5"},
  {"手镯", "周大福", "足金手镯", "ZF", 5999, 15999, PN_STYLE, NULL},
};
static const char *const retail_parts[] = {"拉链", "纽扣", "鞋底", "包装盒", "吊牌"};
static const char *const retail_openings[] = {
  "{D}在{O}购买了{P}，花了{A}。", "我是{O}的会员，{D}在店里买了{P}。",
  "上个月在贵商场给家人买了{P}，价格{A}。"};
static const issue retail_issues[] = {
  {7, "product_quality", "西装", "{p}穿了一个多月腋下撕裂",
   {"穿了一个多月，西装腋下就撕裂了，我平时都是正常穿着。", "导购说是穿着不当造成的，不给退换。"},
   "material", "sales", "RETAIL", "面料缝线强度不足", "customer_use", D_EXCHANGE | D_RETURN, 0,
   2000, T_PRODUCT},
  {5, "product_quality", "羽绒服", "{p}严重钻绒",
   {"羽绒服穿了没几次就开始钻绒，黑色毛衣上全是白色的绒毛。"}, "material", "sales", "QA",
   "面料防钻绒工艺不达标", NULL, D_EXCHANGE | D_RETURN | D_REFUND, 0, 2000, T_PRODUCT},
  {4, "product_quality", "皮鞋", "{p}穿了两周就开胶",
   {"新买的皮鞋只穿了两个星期，鞋头就开胶了，下雨天直接进水。"}, "material", "sales", "RETAIL",
   "鞋底粘合工艺缺陷", NULL, D_EXCHANGE | D_REPAIR | D_REFUND, 0, 1200, T_PRODUCT},
  {5, "product_quality", "洗发水", "使用{p}后头皮过敏",
   {"用了几天后头皮发痒，还起了很多红色小颗粒。",
    "去医院看了皮肤科，医生说是接触性皮炎，花了{a}医药费。"},
   "customer", "sales", "QA", "产品检验合格，属个人体质过敏", "allergy_constitution",
   D_REFUND | D_COMPENSATION, 0, 500, T_PRODUCT | T_INVALID},
  {3, "product_quality", "面霜", "专柜售出临期{p}",
   {"回家一看，面霜的生产日期是{N}年前，离过期只剩不到一个月。",
    "这么贵的护肤品，专柜居然卖临期货。"},
   "method", "sales", "RETAIL", "专柜未执行临期商品下架制度", NULL,
   D_RETURN | D_REFUND | D_COMPENSATION, 0, 1500, T_PRODUCT},
  {3, "billing", "手镯", "{p}实际克重与标签不符",
   {"买的足金手镯标签上写的是{N}0克，回家用秤一称少了将近一克。"}, "method", "sales", "RETAIL",
   "称重设备未按期校准", "misunderstanding", D_REFUND | D_EXPLANATION, 100, 1500, T_PRODUCT},
  {4, "billing", NULL, "收银重复扫码多收款",
   {"结账时收银员把一件商品扫了两次，多收了{a}，回家看小票才发现。"}, "people_skill", "delivery",
   "FINANCE", "收银员操作失误", NULL, D_REFUND | D_APOLOGY, 20, 800, 0},
  {4, "gifts_promotions", NULL, "满减活动结账时不予兑现",
   {"商场宣传满300减50，结账时却说我买的这件商品不参加活动。",
    "促销海报上没有任何标注，这是虚假宣传。"},
   "method", "sales", "RETAIL", "促销规则未在海报上明示", NULL, D_REFUND | D_EXPLANATION, 20, 300,
   0},
  {4, "service_attitude", NULL, "导购员态度冷淡",
   {"结账前又试了两件别的衣服没要，导购{S}在背后说“买不起就别试”。"}, "people_attitude", "sales",
    "RETAIL",
   "导购员服务用语不规范", NULL, D_APOLOGY, 0, 100, 0},
  {2, "facilities", NULL, "停车场购物免费停车未兑现",
   {"停车场入口写着购物满200元免费停车两小时，出场时还是被收了{a}。"}, "method", "other", "RETAIL",
   "停车优惠未与收银系统对接", NULL, D_REFUND, 5, 50, 0},
  {2, "other", NULL, "会员积分未累计",
   {"最近{N}次购物的积分都没有累计到会员卡里，服务台说系统升级。"}, "machine", "other", "RETAIL",
   "会员系统升级期间数据未同步", NULL, D_OTHER | D_EXPLANATION, 0, 0, 0},
};

static const product log_products[] = {
  {"货物", "", "五金配件", "五金配件", 2000, 80000, PN_M, NULL},
  {"货物", "", "服装", "服装", 3000, 60000, PN_M, NULL},
  {"货物", "", "电子元器件", "电子元器件", 5000, 300000, PN_M, NULL},
  {"生鲜", "", "冷冻食品原料", "冷冻食品", 2000, 50000, PN_M, NULL},
  {"货物", "", "实木家具", "实木家具", 5000, 120000, PN_M, NULL},
  {"货物", "", "汽车配件", "汽车配件", 3000, 90000, PN_M, NULL},
  {"生鲜", "", "生鲜水果", "生鲜水果", 1000, 30000, PN_M, NULL},
};
static const char *const log_parts[] = {"包装箱", "托盘", "缠绕膜", "冷藏箱"};
static const char *const log_openings[] = {
  "我{D}通过{O}发了一批{P}，运单号{R}，货值{A}。",
  "我们公司长期委托{O}运送{P}，这次的单号是{R}。",
  "{D}我寄出一批{P}，运单号{R}，收件人在外地。"};
static const issue log_issues[] = {
  {9, "delivery", NULL, "快件中转途中丢失",
   {"物流信息显示已经到达中转场，之后就再也没有更新，{K}天过去了还是找不到。",
    "客服只会说在核实，没有给任何处理时限。"},
   "logistics", "logistics", "LOGISTICS", "中转场分拣环节遗失", NULL, D_COMPENSATION, 100, 5000,
   T_BIGLOSS},
  {8, "delivery", NULL, "货物运输严重延误",
   {"承诺{N}天送达，实际用了{K}天，耽误了我们的生产计划。",
    "每次查询都说在路上，没有任何延误说明。"},
   "method", "logistics", "LOGISTICS", "干线车辆调度延误", NULL, D_COMPENSATION | D_EXPLANATION, 50,
   3000, 0},
  {7, "delivery", NULL, "货物运输途中毁损",
   {"开箱清点发现货物有明显挤压变形，缺损部分价值{a}。", "包装箱上有明显的叉车撞击痕迹。"},
   "logistics", "logistics", "LOGISTICS", "包装强度不足，运输途中受压", NULL,
   D_COMPENSATION | D_OTHER, 500, 30000, T_BIGLOSS},
  {5, "service_standards", NULL, "未送货上门直接放驿站",
   {"派送员没有打电话就把货放在了驿站，短信显示已签收。",
    "我家里有老人行动不便，下单时专门备注了送货上门。"},
   "people_standards", "logistics", "LOGISTICS", "派送员未按备注要求派送", NULL, D_APOLOGY, 0, 50,
   0},
  {3, "billing", NULL, "运费结算多收",
   {"合同约定按实际重量计费，对账单上却按体积重计费，多收了{a}。"}, "method", "other", "FINANCE",
   "计费规则执行不一致", "misunderstanding", D_REFUND | D_EXPLANATION, 100, 3000, 0},
  {3, "warranty", NULL, "货损理赔款迟迟未到账",
   {"理赔材料交上去{K}天了，理赔款还是没有到账。", "每次催问都说在走流程。"}, "method", "other",
   "LOGISTICS", "理赔审批环节积压", NULL, D_COMPENSATION, 200, 20000, T_BIGLOSS},
  {2, "food_hygiene", "生鲜", "冷链货物到货变质",
   {"冷链运输的{P}到货时温度明显偏高，部分已经变质发臭。"}, "machine", "logistics", "LOGISTICS",
   "冷藏车制冷机组故障", NULL, D_COMPENSATION | D_RETURN, 500, 20000, T_BIGLOSS | T_SUMMER},
  {2, "service_attitude", NULL, "快递员态度恶劣",
   {"快递员{S}打电话让我下楼取件，我说不方便，他骂了一句就挂了。"}, "people_attitude", "logistics",
   "LOGISTICS", "快递员服务态度问题", NULL, D_APOLOGY, 0, 50, 0},
};

static const product bank_products[] = {
  {"信用卡", "", "白金信用卡", "白金卡", 0, 0, PN_M, NULL},
  {"信用卡", "", "金卡信用卡", "金卡", 0, 0, PN_M, NULL},
  {"理财产品", "", "稳盈3号理财产品", "稳盈3号", 50000, 500000, PN_M, NULL},
  {"理财产品", "", "安鑫180天理财产品", "安鑫180天", 50000, 300000, PN_M, NULL},
  {"储蓄卡", "", "借记卡", "借记卡", 1000, 50000, PN_M, NULL},
  {"手机银行", "", "手机银行", "手机银行", 500, 20000, PN_M, NULL},
  {"贷款", "", "个人消费贷款", "消费贷", 50000, 300000, PN_M, NULL},
};
static const char *const bank_parts[] = {"ATM读卡器", "叫号机", "网银盾", "POS机"};
static const char *const bank_openings[] = {
  "我是贵行的老客户，在{O}办理业务多年。", "我持有贵行的{P}，开户行是{O}。",
  "{D}我到{O}办理业务。"};
static const issue bank_issues[] = {
  {7, "billing", "信用卡", "信用卡年费未告知即扣收",
   {"收到短信被扣了{a}信用卡年费，办卡时客户经理{S}说首年免年费、刷满{N}次免次年年费。",
    "我每年都刷够了次数，还是被扣了。"},
   "people_standards", "sales", "BANKING", "办卡时年费政策告知不完整", NULL,
   D_REFUND | D_EXPLANATION, 100, 2000, 0},
  {5, "billing", "信用卡", "账单分期手续费收取不透明",
   {"办理账单分期时只说每期手续费很低，实际年化费率远高于宣传。", "总共多付了{a}的手续费。"},
   "people_standards", "sales", "BANKING", "分期费率未按要求折算年化披露", "misunderstanding",
   D_REFUND | D_EXPLANATION, 100, 3000, 0},
  {5, "other", "理财产品", "理财产品销售存在误导",
   {"理财经理{S}推荐我买{P}，说是保本保收益，现在到期亏损了{a}。",
    "签字时根本没人跟我解释风险等级，我都七十多岁了。"},
   "people_standards", "sales", "BANKING", "销售人员未履行风险揭示义务", NULL,
   D_COMPENSATION | D_EXPLANATION, 500, 40000, T_BIGLOSS},
  {6, "waiting_time", NULL, "营业厅排队等候时间过长",
   {"取号后等了{H}分钟，只开了{N}个窗口，大堂经理也不管。"}, "method", "reception", "BANKING",
   "高峰时段窗口配置不足", NULL, D_APOLOGY | D_EXPLANATION, 0, 0, 0},
  {4, "facilities", "储蓄卡", "ATM吞卡",
   {"{D}晚上在{O}的ATM取款，卡被吞了，钱也没吐出来。", "打客服电话说要第二天本人带身份证去领卡。"},
   "machine", "other", "BANKING", "ATM读卡模块故障", NULL, D_EXPLANATION | D_OTHER, 0, 0, 0},
  {4, "facilities", "手机银行", "手机银行转账失败但已扣款",
   {"用手机银行转账{A}，页面提示失败，但账户余额已经扣了。", "{K}天了钱还没退回来。"}, "machine",
   "other", "BANKING", "跨行清算异常未及时冲正", NULL, D_REFUND | D_EXPLANATION, 0, 0, 0},
  {4, "service_attitude", NULL, "柜员服务态度差",
   {"柜员{S}办业务时一直不耐烦，我问了一句利率，对方说“自己看公告”。"}, "people_attitude",
   "reception", "BANKING", "柜员服务规范执行不到位", NULL, D_APOLOGY, 0, 0, 0},
  {3, "unauthorised_activation", "贷款", "办理贷款被要求搭售保险",
   {"去{O}办理贷款，客户经理说必须买一份{a}的保险才能放款。"}, "people_standards", "sales",
   "BANKING", "员工违规捆绑销售", NULL, D_REFUND | D_APOLOGY, 200, 5000, 0},
  {2, "other", "信用卡", "征信逾期记录有异议",
   {"查询征信发现有一笔信用卡逾期记录，可那笔钱我是按时还的。"}, "machine", "other", "BANKING",
   "还款入账时间差导致误报", NULL, D_EXPLANATION | D_OTHER, 0, 0, 0},
};

static const product hotel_products[] = {
  {"房间", "", "豪华大床房", "大床房", 499, 899, PN_M, NULL},
  {"房间", "", "行政套房", "行政套房", 1099, 1899, PN_M, NULL},
  {"房间", "", "家庭亲子房", "亲子房", 699, 1099, PN_M, NULL},
  {"房间", "", "标准双床房", "双床房", 399, 699, PN_M, NULL},
  {"房间", "", "商务大床房", "商务大床房", 459, 799, PN_M, NULL},
};
static const char *const hotel_parts[] = {"空调面板", "热水器", "门锁", "电视机顶盒", "淋浴龙头"};
static const char *const hotel_openings[] = {
  "我{D}入住{O}，房号{G}。", "我们一家{D}在{O}住了{N}晚，预订的是{P}。",
  "我是{O}公寓楼的长住客人，房号{G}。", "{D}出差入住贵酒店的{P}，房号{G}。"};
static const issue hotel_issues[] = {
  {7, "facilities", NULL, "客房噪音严重无法入睡",
   {"房间紧挨着电梯间，晚上一直能听到机器运转的声音，几乎一夜没睡。",
    "半夜给前台打电话要求换房，说今晚满房换不了。"},
   "environment", "other", "HOSPITALITY", "客房隔音设施不达标", NULL, D_DISCOUNT | D_APOLOGY, 0,
   800, 0},
  {5, "service_standards", NULL, "客房卫生不达标",
   {"床单上有明显的污渍，卫生间地漏里还有头发。",
    "拍照给前台看，只是说“马上安排打扫”，连句道歉都没有。"},
   "people_standards", "other", "HOSPITALITY", "客房清洁检查流于形式", NULL,
   D_DISCOUNT | D_APOLOGY, 0, 500, 0},
  {5, "booking", NULL, "预订房型到店无房",
   {"提前{N}天在网上预订了{P}并付了全款，到店后前台说房间已满，只能换成标准间。"}, "method",
   "booking", "HOSPITALITY", "超售后未提前通知客人", NULL, D_REFUND | D_COMPENSATION, 100, 1000,
   0},
  {4, "facilities", NULL, "房间空调不制热热水忽冷忽热",
   {"房间空调一晚上都是冷风，洗澡热水忽冷忽热。", "叫了维修工，等了{H}分钟才来，来了也没修好。"},
   "machine", "other", "HOSPITALITY", "{Y}故障未及时维修", NULL, D_DISCOUNT | D_APOLOGY, 0, 500, 0},
  {4, "billing", NULL, "退房押金退还缓慢且被多扣",
   {"退房{K}天了押金还没有退回，账单上还多了一笔{a}的迷你吧消费。",
    "我根本没有动过迷你吧里的东西。"},
   "people_skill", "other", "FINANCE", "查房记录错误", NULL, D_REFUND | D_EXPLANATION, 50, 800, 0},
  {4, "service_attitude", NULL, "前台接待态度差",
   {"办理入住时前台{S}一直在聊天，让我们在大堂等了半个多小时。"}, "people_attitude", "reception",
   "HOSPITALITY", "前台员工服务意识差", NULL, D_APOLOGY, 0, 200, 0},
  {4, "service_attitude", NULL, "保安态度粗暴",
   {"晚上回公寓，保安拦着不让我的车进，态度非常粗暴，还推了我一把。"}, "people_attitude", "other",
   "HOSPITALITY", "保安人员执勤方式不当", NULL, D_APOLOGY, 0, 200, 0},
  {4, "facilities", NULL, "物业报修多日无人上门维修",
   {"家里卫生间漏水，{D}就报修了，{K}天了物业维修师傅一直没来。",
    "楼下住户已经找上门来，说天花板都泡了。"},
   "method", "other", "HOSPITALITY", "物业维修派单未跟踪", NULL, D_REPAIR | D_APOLOGY, 0, 1000,
   T_REPAIR},
  {3, "service_standards", NULL, "深夜来电被转错房间",
   {"深夜有人打电话到酒店找我，总机直接转到了隔壁房间，引起了很大的误会。"}, "people_standards",
   "other", "HOSPITALITY", "总机未核实住客身份", NULL, D_APOLOGY | D_EXPLANATION, 0, 300, 0},
  {2, "facilities", NULL, "电梯故障被困",
   {"乘电梯时电梯突然停在两层之间，被困了{H}分钟才有人来救。"}, "machine", "other", "HOSPITALITY",
   "电梯维保不到位", NULL, D_APOLOGY | D_COMPENSATION, 0, 1000, T_SAFETY},
};

static const product rest_products[] = {
  {"菜", "", "清蒸鲈鱼", "清蒸鲈鱼", 88, 168, PN_M, NULL},
  {"菜", "", "红烧肉", "红烧肉", 58, 98, PN_M, NULL},
  {"菜", "", "宫保鸡丁", "宫保鸡丁", 38, 58, PN_M, NULL},
  {"菜", "", "海鲜拼盘", "海鲜拼盘", 188, 388, PN_M, NULL},
  {"菜", "", "酸菜鱼", "酸菜鱼", 68, 118, PN_M, NULL},
  {"菜", "", "中秋团圆套餐", "团圆套餐", 688, 1288, PN_M, NULL},
  {"菜", "", "蒜蓉粉丝蒸扇贝", "蒸扇贝", 68, 128, PN_M, NULL},
};
static const char *const rest_parts[] = {"空调", "包间音响", "餐具消毒柜", "冷藏柜"};
static const char *const rest_openings[] = {
  "{D}晚上我们一行{N}人在{O}用餐。", "{D}中午在{O}订了包间请客户吃饭。",
  "我是{O}的常客，{D}带家人来吃饭。"};
static const issue rest_issues[] = {
  {6, "food_hygiene", NULL, "菜品中吃出异物",
   {"吃到一半，在{P}里发现了一根头发。", "叫来服务员，她只是说“给您换一份”，态度很敷衍。"},
   "people_standards", "other", "HOSPITALITY", "后厨操作人员未按规定佩戴帽子", NULL,
   D_APOLOGY | D_DISCOUNT | D_REFUND, 0, 500, 0},
  {5, "waiting_time", NULL, "上菜速度太慢",
   {"点完菜等了{H}分钟才上第一道菜，催了{N}次都说马上。"}, "method", "other", "HOSPITALITY",
   "高峰期后厨出菜调度不当", NULL, D_DISCOUNT | D_APOLOGY, 0, 300, 0},
  {4, "booking", NULL, "预订包间被擅自转给他人",
   {"下午电话预订了一间KTV包间，到店后服务员说包间已经给了后来的客人。",
    "虽然给我们换了一间，但没有卡拉OK，客人很扫兴。"},
   "people_standards", "booking", "HOSPITALITY", "服务员擅自更改预订", NULL,
   D_DISCOUNT | D_APOLOGY, 0, 800, 0},
  {3, "billing", NULL, "结账金额与点单不符",
   {"结账时发现账单里多了两道没点过的菜，多收了{a}。"}, "people_skill", "other", "FINANCE",
   "点菜系统录入错误", NULL, D_REFUND | D_APOLOGY, 20, 500, 0},
  {3, "service_attitude", NULL, "服务员态度恶劣",
   {"让服务员加一次水，对方翻了个白眼说“没看我在忙吗”。"}, "people_attitude", "other",
   "HOSPITALITY", "服务员服务意识差", NULL, D_APOLOGY, 0, 100, 0},
  {2, "food_hygiene", NULL, "用餐后出现腹泻症状",
   {"当晚回家后全家{N}口人都开始腹泻，怀疑是{P}不新鲜。", "去医院挂了急诊，花了{a}。"}, "material",
   "other", "HOSPITALITY", "食材进货验收把关不严", "other", D_COMPENSATION | D_APOLOGY, 200, 3000,
   T_SUMMER},
  {2, "food_hygiene", NULL, "海鲜菜品不新鲜",
   {"点的{P}有明显的异味，服务员坚持说是新鲜的。"}, "material", "other", "HOSPITALITY",
   "食材储存温度不达标", NULL, D_REFUND | D_APOLOGY, 0, 500, 0},
};

/* The worst outcomes (grade g4) each industry can have. */
enum {
  G4_INJURY = 1u << 0, G4_FIRE = 1u << 1, G4_ACCIDENT = 1u << 2, G4_PROPERTY = 1u << 3,
  G4_LAWSUIT = 1u << 4, G4_REGULATOR = 1u << 5
};

/* What a complaint's subject records (DOMAIN §2), and the order numbers people quote. */
enum { ORD_NONE, ORD_JD, ORD_OWN, ORD_WAYBILL, ORD_TEL, ORD_HOTEL };

typedef struct {
  const char *name;
  const issue *issues;
  int nissues;
  const product *products;
  int nproducts;
  const char *const *openings;
  int nopenings;
  const char *const *parts;
  int nparts;
  const char *dept;      /* unit code of the department that usually handles it */
  int plate;             /* the subject is a vehicle: plate, VIN, mileage */
  int order_kind;        /* ORD_* */
  double order_p;        /* share of cases quoting an order number */
  int days_back;         /* how long before the complaint the purchase/visit was */
  unsigned g4;           /* G4_* */
  const char *titles[3]; /* how staff are called here: 王经理 (for {S}) */
  const char *roles[3];  /* jobs of the people held responsible */
} industry;

enum { IND_CAR, IND_APPL, IND_DIGI, IND_TEL, IND_ECOM, IND_RETAIL, IND_LOG, IND_BANK,
       IND_HOTEL, IND_REST, IND__COUNT };

#define LIST(a) a, NELEM(a)
static const industry industries[IND__COUNT] = {
  [IND_CAR] = {"car", LIST(car_issues), LIST(car_products), LIST(car_openings), LIST(car_parts),
               "AFTERSALES", 1, ORD_NONE, 0, 45, G4_INJURY | G4_FIRE | G4_ACCIDENT | G4_LAWSUIT,
               {"经理", "顾问", "主管"},
               {"服务顾问", "维修技师", "前台接待"}},
  [IND_APPL] = {"appliance", LIST(appl_issues), LIST(appl_products), LIST(appl_openings),
                LIST(appl_parts), "RETAIL", 0, ORD_OWN, 0.45, 120,
                G4_FIRE | G4_PROPERTY | G4_INJURY, {"经理", "店长", "主管"},
               {"安装师傅", "导购员", "维修工程师"}},
  [IND_DIGI] = {"digital", LIST(digi_issues), LIST(digi_products), LIST(digi_openings),
                LIST(digi_parts), "RETAIL", 0, ORD_OWN, 0.35, 60, G4_FIRE | G4_INJURY, {"店长",
                                  "经理", "主管"},
               {"店员", "维修工程师", "店长"}},
  [IND_TEL] = {"telecom", LIST(tel_issues), LIST(tel_products), LIST(tel_openings),
               LIST(tel_parts), "TELECOM", 0, ORD_TEL, 0.2, 60, G4_REGULATOR | G4_LAWSUIT,
               {"经理", "主管", "专员"},
               {"营业员", "装维人员", "客户经理"}},
  [IND_ECOM] = {"e-commerce", LIST(ecom_issues), LIST(ecom_products), LIST(ecom_openings),
                LIST(ecom_parts), "ORDER", 0, ORD_JD, 1.0, 20, G4_PROPERTY | G4_LAWSUIT,
                {"客服", "主管", "专员"},
               {"客服专员", "仓库管理员", "打包员"}},
  [IND_RETAIL] = {"retail", LIST(retail_issues), LIST(retail_products), LIST(retail_openings),
                  LIST(retail_parts), "RETAIL", 0, ORD_OWN, 0.2, 60, G4_INJURY | G4_LAWSUIT,
                  {"店长", "经理", "主管"},
               {"导购员", "收银员", "柜组长"}},
  [IND_LOG] = {"logistics", LIST(log_issues), LIST(log_products), LIST(log_openings),
               LIST(log_parts), "LOGISTICS", 0, ORD_WAYBILL, 1.0, 20,
               G4_PROPERTY | G4_LAWSUIT, {"经理", "站长", "主管"},
               {"快递员", "分拣员", "调度员"}},
  [IND_BANK] = {"bank", LIST(bank_issues), LIST(bank_products), LIST(bank_openings),
                LIST(bank_parts), "BANKING", 0, ORD_NONE, 0, 30, G4_LAWSUIT | G4_REGULATOR,
                {"经理", "主管", "行长"},
               {"柜员", "客户经理", "理财经理"}},
  [IND_HOTEL] = {"hotel", LIST(hotel_issues), LIST(hotel_products), LIST(hotel_openings),
                 LIST(hotel_parts), "HOSPITALITY", 0, ORD_HOTEL, 0.3, 10,
                 G4_INJURY | G4_PROPERTY, {"经理", "主管", "领班"},
               {"前台接待", "客房服务员", "保安"}},
  [IND_REST] = {"restaurant", LIST(rest_issues), LIST(rest_products), LIST(rest_openings),
                LIST(rest_parts), "HOSPITALITY", 0, ORD_NONE, 0, 5, G4_INJURY, {"经理", "领班",
                                  "主管"},
               {"服务员", "领班", "厨师"}},
};

/* Outlets are told apart by the words of their names (the demo's: 上海浦东华信大众4S店,
 * 华信通信广州分公司营业厅 ...); each kind has a weight (how many complaints an outlet of
 * that kind gets) and the industries its complaints are about. First match wins. */
typedef struct {
  const char *keys[5];
  double weight;
  int ind_a, ind_b; /* ind_a with share_a, else ind_b */
  double share_a;
} outlet_kind;

static const outlet_kind outlet_kinds[] = {
  {{"4S", "维修站", "汽车", NULL}, 1.3, IND_CAR, IND_CAR, 1.0},
  {{"储运", "物流", "快递", "货运", NULL}, 1.8, IND_LOG, IND_LOG, 1.0},
  {{"酒楼", "餐厅", "饭店", "餐饮", NULL}, 0.9, IND_REST, IND_REST, 1.0},
  {{"酒店", "宾馆", "公寓", "物业", NULL}, 1.2, IND_HOTEL, IND_HOTEL, 1.0},
  {{"电商", "办公用品", "网店", NULL}, 3.5, IND_ECOM, IND_ECOM, 1.0},
  {{"数码", "手机", NULL}, 2.4, IND_DIGI, IND_APPL, 0.8},
  {{"电器", "家电", NULL}, 2.0, IND_APPL, IND_APPL, 1.0},
  {{"通信", "营业厅", "电信", "移动", "联通"}, 4.0, IND_TEL, IND_TEL, 1.0},
  {{"银行", "支行", "信用社", NULL}, 1.6, IND_BANK, IND_BANK, 1.0},
  {{"百货", "商场", "超市", "购物", NULL}, 1.6, IND_RETAIL, IND_APPL, 0.65},
};
static const outlet_kind outlet_kind_default = {{NULL}, 1.0, IND_RETAIL, IND_APPL, 0.6};

/* ---- sentences around the problem ------------------------------------------------------ */

static const char *const history_sentences[] = {
  "之后我又联系了{S}{N}次，每次都说在处理，一直没有结果。",
  "打了{N}次客服电话，每次都要从头再说一遍情况。",
  "{S}当时答应{E}之前给我答复，到现在也没有消息。",
  "为了这件事我已经请了{N}天假。"};
/* only about a product the customer brought back to the shop */
static const char *const history_product_sentences[] = {
  "门店说要等厂家的鉴定结果，让我回家等通知。",
  "我在店里等了很久，也没有一个管事的人出来解释。",
  "之后我又联系了{S}{N}次，每次都说在处理，一直没有结果。"};
static const char *const emotion_sentences[] = {
  "作为老客户，我对这样的处理非常失望。", "这种服务态度实在让人无法接受。",
  "耽误了我这么多时间，损失谁来承担？", "希望你们能换位思考，站在消费者的角度考虑一下。",
  "我不想把事情闹大，只希望尽快解决。", "出了问题互相推诿，这就是你们的服务承诺吗？"};
static const char *const demand_openers[] = {"现要求", "我的诉求是：", "希望贵公司", "请你们"};
static const char *const contact_sentences[] = {"我的联系电话是{Q}，请尽快给我回复。",
                                                "有事请打{Q}联系我。",
                                                "白天上班不方便接电话，请先发短信到{Q}。"};

/* The grading rules a generated case can give reasons for, with how often each is drawn
 * when a case of its grade needs a reason, and what the case must be like for it. Rules
 * marked MADE are never drawn: the generator makes them happen (external channel, group
 * complaint, repeat complainant, reopening). three_departments is never used (it counts
 * departments in the case history, which the generator does not write). */
enum {
  R_SAFETY, R_UNUSABLE, R_RAISED, R_PROMISE, R_REWORK, R_SAME_SUBJECT, R_REPEAT_CUSTOMER,
  R_REPEAT_HANDLING, R_MEDIA_THREAT, R_MEDIA_EXPOSURE, R_EXTERNAL, R_REGULATOR_THREAT,
  R_LAWSUIT_THREAT, R_VVIP, R_SIMILAR, R_OPEN30, R_MAJOR_LOSS, R_FREQUENT, R_INJURY, R_FIRE,
  R_ACCIDENT, R_PROPERTY, R_LAWSUIT_FILED, R_REGULATOR_INVESTIGATION, R__COUNT
};

enum {
  NEED_SAFETY = 1u << 0,   /* the issue is safety-related */
  NEED_UNUSABLE = 1u << 1, /* the product can be unusable */
  NEED_REPAIR = 1u << 2,   /* there was a repair */
  NEED_BIGLOSS = 1u << 3,  /* a large claim is plausible */
  NEED_PRODUCT = 1u << 4,  /* about a product */
  NEED_LONG = 1u << 5,     /* the case can be open 30 days before the end */
  NEED_TIME = 1u << 6,     /* hours left before the end for the customer to call again */
  MADE = 1u << 7           /* never drawn */
};

/* Flag columns of the cases table, set when their rule gives the grade. */
enum {
  F_INJURY, F_FIRE, F_ACCIDENT, F_PROPERTY_DAMAGE, F_SAFETY_RELATED, F_MEDIA_EXPOSURE,
  F_MEDIA_THREAT, F_REGULATOR_THREAT, F_LAWSUIT_THREAT, F_LAWSUIT_FILED,
  F_REGULATOR_INVESTIGATION, F_UNAUTHORISED_PROMISE, F_REWORK, F_FREQUENT_FAILURE, F__COUNT
};

typedef struct {
  const char *id;   /* grading_rules.id */
  double weight;
  unsigned need;    /* NEED_* or MADE */
  unsigned g4;      /* for g4 outcomes: the G4_* bit the industry must allow */
  int flag;         /* F_* set when it fires, -1 none */
  const char *sentence; /* what the customer says about it (NULL: nothing) */
} reason_def;

static const reason_def reasons[R__COUNT] = {
  [R_SAFETY] = {"safety_related", 3, NEED_SAFETY, 0, F_SAFETY_RELATED,
                "这关系到人身安全，必须彻底查清楚原因。"},
  [R_UNUSABLE] = {"unusable_over_7_days", 3, NEED_UNUSABLE, 0, -1,
                  "{p}到现在已经{U}天无法正常使用了。"},
  [R_RAISED] = {"raised_twice", 4, NEED_TIME, 0, -1, NULL},
  [R_PROMISE] = {"unauthorised_promise", 1.0, 0, 0, F_UNAUTHORISED_PROMISE,
                 "当时{S}口头承诺给我{a}的补偿，后来又说他没有这个权限。"},
  [R_REWORK] = {"rework", 2, NEED_REPAIR, 0, F_REWORK, "这已经是第{N}次返修了。"},
  [R_SAME_SUBJECT] = {"same_subject_3_customers_30d", 0, MADE, 0, -1,
                      "听说不少买了同一批次{p}的人都遇到了同样的问题。"},
  [R_REPEAT_CUSTOMER] = {"repeat_complainant_2_90d", 0, MADE, 0, -1,
                         "上次投诉的问题还没有彻底解决，这次又出了问题。"},
  [R_REPEAT_HANDLING] = {"repeat_after_handling", 0, MADE, 0, -1, NULL},
  [R_MEDIA_THREAT] = {"media_threat", 3, 0, 0, F_MEDIA_THREAT,
                      "如果再不解决，我就把这件事发到微博和抖音上曝光。"},
  [R_MEDIA_EXPOSURE] = {"media_exposure", 1, 0, 0, F_MEDIA_EXPOSURE,
                        "我已经把经过发到了网上，视频播放量已经有好几万了。"},
  [R_EXTERNAL] = {"external_channel", 0, MADE, 0, -1, NULL},
  [R_REGULATOR_THREAT] = {"regulator_threat", 4, 0, 0, F_REGULATOR_THREAT, NULL},
  [R_LAWSUIT_THREAT] = {"lawsuit_threat", 2, 0, 0, F_LAWSUIT_THREAT,
                        "我已经咨询过律师，再不解决就法庭上见。"},
  [R_VVIP] = {"vvip", 1.5, 0, 0, -1, NULL},
  [R_SIMILAR] = {"similar_5_in_7d", 0, MADE, 0, -1, NULL},
  [R_OPEN30] = {"open_over_30_days", 2, NEED_LONG, 0, -1, NULL},
  [R_MAJOR_LOSS] = {"major_loss", 1.5, NEED_BIGLOSS, 0, -1, "这次造成的直接经济损失超过{J}。"},
  [R_FREQUENT] = {"frequent_failure", 1.5, NEED_PRODUCT | NEED_REPAIR, 0, F_FREQUENT_FAILURE,
                  "这个问题一年内已经反复出现{N}次了，每次都修不好。"},
  [R_INJURY] = {"injury", 3, 0, G4_INJURY, F_INJURY, NULL},
  [R_FIRE] = {"fire", 1.5, 0, G4_FIRE, F_FIRE, NULL},
  [R_ACCIDENT] = {"accident", 2, 0, G4_ACCIDENT, F_ACCIDENT,
                  "高速上刹车突然失灵，追尾了前车，两车都严重受损。"},
  [R_PROPERTY] = {"property_damage", 2, 0, G4_PROPERTY, F_PROPERTY_DAMAGE, NULL},
  [R_LAWSUIT_FILED] = {"lawsuit_filed", 1.5, 0, G4_LAWSUIT, F_LAWSUIT_FILED,
                       "我已经向法院提起诉讼，立案材料已经递交。"},
  [R_REGULATOR_INVESTIGATION] = {"regulator_investigation", 1.5, 0, G4_REGULATOR,
                                 F_REGULATOR_INVESTIGATION, NULL},
};

static const char *const flag_columns[F__COUNT] = {
  "f_injury", "f_fire", "f_accident", "f_property_damage", "f_safety_related",
  "f_media_exposure", "f_media_threat", "f_regulator_threat", "f_lawsuit_threat",
  "f_lawsuit_filed", "f_regulator_investigation", "f_unauthorised_promise", "f_rework",
  "f_frequent_failure"};

/* The sentence of a reason that depends on the industry (NULL: the table's). */
static const char *reason_sentence(int reason, int ind) {
  switch (reason) {
  case R_REGULATOR_THREAT:
    return ind == IND_TEL    ? "如果{N}天内得不到答复，我就向工信部申诉。"
           : ind == IND_BANK ? "如果再不处理，我就向金融监管部门投诉。"
                             : "如果{N}天内得不到答复，我将向12315和消协投诉。";
  case R_INJURY:
    switch (ind) {
    case IND_CAR: return "事故中我和家人都受了伤，在医院检查治疗花了{a}。";
    case IND_REST: return "全家{N}口人都出现了腹泻呕吐，已经在医院住院观察。";
    case IND_HOTEL: return "我在卫生间滑倒摔伤了腰，去医院拍了片子，医生让卧床休息。";
    case IND_RETAIL: return "使用后面部红肿，医院诊断为过敏性皮炎，已经请了病假。";
    case IND_DIGI: return "充电时{p}突然爆裂，我的手被烫伤起了水泡。";
    default: return "孩子碰到机器外壳被电了一下，手上起了水泡，去医院处理花了{a}。";
    }
  case R_FIRE:
    return ind == IND_CAR ? "行驶中发动机舱突然冒烟起火，幸好人及时下了车。"
                          : "{p}突然冒烟起火，墙面被熏黑了一大片，差点酿成大祸。";
  case R_PROPERTY:
    switch (ind) {
    case IND_HOTEL: return "房间顶棚漏水，把我的笔记本电脑和行李都泡坏了。";
    case IND_LOG: return "货物损坏时还连带损坏了仓库里的其他货品。";
    case IND_ECOM: return "{p}冒烟把办公桌上的文件和电脑都烧坏了。";
    default: return "漏出来的水把木地板泡坏了，楼下邻居家的天花板也被泡了。";
    }
  case R_REGULATOR_INVESTIGATION:
    return ind == IND_TEL    ? "通信管理局已经介入调查此事。"
           : ind == IND_BANK ? "金融监管部门已经介入调查此事。"
                             : "市场监管部门已经介入调查此事。";
  default:
    return reasons[reason].sentence;
  }
}

/* ---- what the staff write --------------------------------------------------------------- */

static const char *const root_cause_zh[] = {"服务态度", "服务规范执行", "业务技能",
                                            "设备与产品质量", "物料质量", "流程制度",
                                            "环境因素", "供应商质量", "物流配送", "客户使用"};
static const char *const root_causes[] = {"people_attitude", "people_standards", "people_skill",
                                          "machine", "material", "method", "environment",
                                          "supplier", "logistics", "customer"};
static const char *const reply_of_invalid[][2] = {
  {"customer_use",
   "经检测，问题系使用或保管不当所致，不属于产品质量问题。我们已向您说明正确的使用方法，"
     "感谢您的理解。"},
  {"allergy_constitution",
   "经检验，产品各项指标合格，您的症状与个人体质有关。建议您停止使用并咨询医生，感谢您的反馈。"},
  {"normal_characteristic", "经技术人员检测，您反映的现象属于产品的正常特性，不影响使用和安全。"},
  {"packaging_redesign", "您反映的差异系产品包装改版所致，产品本身未作改变。"},
  {"misunderstanding",
   "经核实，相关费用和规则在办理时已有明示，此次属于信息理解上的误会，我们已向您详细解释。"},
  {"beyond_reasonable",
   "您提出的要求超出了法律规定和双方约定的范围，我们无法满足，但愿意按政策为您提供相应服务。"},
  {"other", "经调查核实，您反映的问题与我方无直接关系，感谢您的反馈。"}};
static const char *const pending_reasons[] = {"配件订货中，预计两周内到货",
                                             "客户出差，暂时联系不上",
                                              "等待厂家技术鉴定结果", "责任需供应商确认",
                                              "等待保险公司定损", "客户要求等节后再处理"};
static const char *const withdraw_reasons[] = {"客户表示问题已自行解决，撤回投诉。",
                                               "客户与门店协商一致，主动撤诉。",
                                               "客户表示不再追究此事。",
                                               "客户来电说明是误会，申请撤回。"};
static const char *const fu_comments[6][2] = {
  {"", ""},
  {"客户对处理结果非常不满，称问题再次出现，要求重新处理。",
   "客户表示非常不满意，认为问题根本没有解决。"},
  {"客户对处理结果不满意，认为补偿不到位，要求重新处理。", "客户表示不满意，称处理人员敷衍了事。"},
  {"客户认为处理结果可以接受，但对处理时间较长有意见。", "客户表示一般，勉强接受处理方案。"},
  {"客户表示满意，建议今后提高处理速度。", "客户基本满意，希望类似问题不要再发生。"},
  {"客户对处理结果非常满意，感谢工作人员的及时处理。", "客户表示满意，称赞处理人员态度好。"}};
static const char *const fu_waived_reasons[] = {"客户明确表示无需回访。",
                                                "多次联系客户未接通，客户已书面确认处理结果。"};
static const char *const fu_methods[] = {"phone", "phone", "phone", "phone", "sms", "wechat",
                                         "email"};
static const char *const consent_words[] = {"满意", "认可", "接受"};

/* clang-format on */

/* ---- the organisation, as the database has it ------------------------------------------- */

enum { UK_COMPANY, UK_REGION, UK_OUTLET, UK_DEPARTMENT };

typedef struct {
  int64_t id, parent;
  char code[40];
  char name[404];
  int kind;      /* UK_* */
  double weight; /* outlets: relative number of complaints */
  int ind_a, ind_b;
  double share_a;
  int city;  /* cities[] */
  int agent; /* users[] index of the outlet's own agent, -1 none */
} unit_t;

typedef struct {
  char username[72];
  unsigned roles;
  int64_t unit;
} user_t;

typedef struct {
  char code[72];
  char name[128];
  int external;
  double weight;
} chan_t;

typedef struct {
  char code[72];
  char name[128];
} named_t;

typedef struct {
  int present; /* an active row of grading_rules */
  int grade;   /* 1..4 */
  int sort;
  int64_t count, days, amount; /* its params (count/days/cents), 0 when absent */
  char *json;                  /* its grade_reasons entry, as the grading code writes it */
} rule_t;

typedef struct {
  unit_t *units;
  int nunits;
  user_t *users;
  int nusers;
  chan_t *chans;
  int nchans;
  named_t *cats;
  int ncats;
  named_t *stages;
  int nstages;
  rule_t rules[R__COUNT];
  int *outlets, noutlets; /* units[] indexes */
  double *outlet_w;
  int *agents, nagents;       /* users[] indexes by role */
  int *agents_hq, nagents_hq; /* agents at the company or its customer-relations dept */
  int *handlers, nhandlers;
  int *supervisors, nsupervisors;
  int *managers, nmanagers;
  int *gms, ngms;
  signed char *cal; /* by local day from cal_first: -1 usual, 0 holiday, 1 make-up */
  int64_t cal_first;
  int ncal;
} org;

static const char *col_text(sqlite3_stmt *st, int i) {
  const unsigned char *t = sqlite3_column_text(st, i);
  return t ? (const char *)t : "";
}

/* Copies a column into a fixed field; TS_ERR_INVALID (reported) when it does not fit. */
static int copy_col(char *dst, size_t n, sqlite3_stmt *st, int i) {
  const char *s = col_text(st, i);
  size_t len = strlen(s);
  if (len >= n) {
    fprintf(stderr, "tousu-gen: value too long for this generator: %.40s...\n", s);
    return TS_ERR_INVALID;
  }
  memcpy(dst, s, len + 1);
  return TS_OK;
}

/* Makes room for one more element in a growing array (at most 1,000,000). */
static int grow(void **arr, int *cap, int n, size_t size) {
  if (n < *cap)
    return TS_OK;
  int ncap = *cap ? *cap * 2 : 16;
  if (ncap > 1000000)
    return TS_ERR_TOO_LARGE;
  void *p = realloc(*arr, (size_t)ncap * size);
  if (!p)
    return TS_ERR_NOMEM;
  *arr = p;
  *cap = ncap;
  return TS_OK;
}

typedef int (*row_fn)(sqlite3_stmt *st, void *arg);

/* Runs a query and calls fn for each row; stops at fn's first error. */
static int each_row(sqlite3 *db, const char *sql, row_fn fn, void *arg) {
  sqlite3_stmt *st = NULL;
  int rc = TS_OK, r;
  if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
    fprintf(stderr, "tousu-gen: %s: %s\n", sql, sqlite3_errmsg(db));
    return TS_ERR_STORE;
  }
  while ((r = sqlite3_step(st)) == SQLITE_ROW)
    if ((rc = fn(st, arg)))
      break;
  if (!rc && r != SQLITE_DONE) {
    fprintf(stderr, "tousu-gen: %s: %s\n", sql, sqlite3_errmsg(db));
    rc = TS_ERR_STORE;
  }
  sqlite3_finalize(st);
  return rc;
}

typedef struct {
  org *o;
  int cap;
} load_ctx;

static int row_unit(sqlite3_stmt *st, void *arg) {
  load_ctx *l = arg;
  org *o = l->o;
  int rc = grow((void **)&o->units, &l->cap, o->nunits, sizeof *o->units);
  if (rc)
    return rc;
  unit_t *u = &o->units[o->nunits];
  memset(u, 0, sizeof *u);
  u->id = sqlite3_column_int64(st, 0);
  u->parent = sqlite3_column_int64(st, 1);
  const char *kind = col_text(st, 4);
  u->kind = !strcmp(kind, "company")  ? UK_COMPANY
            : !strcmp(kind, "region") ? UK_REGION
            : !strcmp(kind, "outlet") ? UK_OUTLET
                                      : UK_DEPARTMENT;
  u->agent = -1;
  if ((rc = copy_col(u->code, sizeof u->code, st, 2)) ||
      (rc = copy_col(u->name, sizeof u->name, st, 3)))
    return rc;
  o->nunits++;
  return TS_OK;
}

static int row_user(sqlite3_stmt *st, void *arg) {
  load_ctx *l = arg;
  org *o = l->o;
  int rc = grow((void **)&o->users, &l->cap, o->nusers, sizeof *o->users);
  if (rc)
    return rc;
  user_t *u = &o->users[o->nusers];
  u->roles = (unsigned)sqlite3_column_int64(st, 1);
  u->unit = sqlite3_column_int64(st, 2);
  if ((rc = copy_col(u->username, sizeof u->username, st, 0)))
    return rc;
  o->nusers++;
  return TS_OK;
}

/* How often each channel brings a complaint (percent); channels not listed get 0.2. */
static const struct {
  const char *code;
  double weight;
} channel_mix[] = {{"phone", 46},
                   {"web", 17},
                   {"walk_in", 13},
                   {"wechat", 10},
                   {"email", 4},
                   {"social_media", 3},
                   {"letter", 2.6},
                   {"regulator_12315", 1.8},
                   {"consumer_association", 0.8},
                   {"group_hotline", 0.9},
                   {"miit", 0.4},
                   {"leadership_referral", 0.3},
                   {"media", 0.15},
                   {"court", 0.05}};

static int row_channel(sqlite3_stmt *st, void *arg) {
  load_ctx *l = arg;
  org *o = l->o;
  int rc = grow((void **)&o->chans, &l->cap, o->nchans, sizeof *o->chans);
  if (rc)
    return rc;
  chan_t *c = &o->chans[o->nchans];
  if ((rc = copy_col(c->code, sizeof c->code, st, 0)) ||
      (rc = copy_col(c->name, sizeof c->name, st, 1)))
    return rc;
  c->external = sqlite3_column_int(st, 2) != 0;
  c->weight = 0.2;
  for (int i = 0; i < NELEM(channel_mix); i++)
    if (!strcmp(channel_mix[i].code, c->code))
      c->weight = channel_mix[i].weight;
  o->nchans++;
  return TS_OK;
}

typedef struct {
  named_t **arr;
  int *n;
  int cap;
} named_ctx;

static int row_named(sqlite3_stmt *st, void *arg) {
  named_ctx *l = arg;
  int rc = grow((void **)l->arr, &l->cap, *l->n, sizeof **l->arr);
  if (rc)
    return rc;
  named_t *x = &(*l->arr)[*l->n];
  if ((rc = copy_col(x->code, sizeof x->code, st, 0)) ||
      (rc = copy_col(x->name, sizeof x->name, st, 1)))
    return rc;
  (*l->n)++;
  return TS_OK;
}

static int64_t json_param(json_t *params, const char *key) {
  json_t *v = json_object_get(params, key);
  return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

static int row_rule(sqlite3_stmt *st, void *arg) {
  org *o = arg;
  const char *id = col_text(st, 0);
  for (int i = 0; i < R__COUNT; i++) {
    if (strcmp(reasons[i].id, id))
      continue;
    rule_t *r = &o->rules[i];
    const char *grade = col_text(st, 1);
    if (grade[0] != 'g' || grade[1] < '1' || grade[1] > '4' || grade[2])
      return TS_OK; /* not a grade this generator knows: the rule is left unused */
    json_t *params = json_loads(col_text(st, 3), 0, NULL);
    json_t *entry = json_pack("{s:s,s:s,s:s,s:s}", "rule", id, "grade", grade, "text",
                              col_text(st, 4), "text_en", col_text(st, 5));
    char *dump = entry ? json_dumps(entry, JSON_COMPACT) : NULL;
    r->count = json_param(params, "count");
    r->days = json_param(params, "days");
    r->amount = json_param(params, "cents");
    json_decref(params);
    json_decref(entry);
    if (!dump)
      return TS_ERR_NOMEM;
    free(r->json);
    r->json = dump;
    r->present = 1;
    r->grade = grade[1] - '0';
    r->sort = sqlite3_column_int(st, 2);
  }
  return TS_OK;
}

static int row_calendar(sqlite3_stmt *st, void *arg) {
  org *o = arg;
  int y, m, d;
  if (sscanf(col_text(st, 0), "%4d-%2d-%2d", &y, &m, &d) != 3)
    return TS_OK;
  int64_t k = ts_days_from_civil(y, m, d) - o->cal_first;
  if (k >= 0 && k < o->ncal)
    o->cal[k] = (signed char)(sqlite3_column_int(st, 1) != 0);
  return TS_OK;
}

/* Appends to a growing list of indexes (capacity 8, doubled each time n reaches a power
 * of two). */
static int push_index(int **arr, int *n, int value) {
  if (*n == 0 || (*n >= 8 && (*n & (*n - 1)) == 0)) {
    size_t ncap = *n == 0 ? 8 : (size_t)*n * 2;
    void *p = realloc(*arr, ncap * sizeof **arr);
    if (!p)
      return TS_ERR_NOMEM;
    *arr = p;
  }
  (*arr)[(*n)++] = value;
  return TS_OK;
}

static int unit_by_id(const org *o, int64_t id) {
  for (int i = 0; i < o->nunits; i++)
    if (o->units[i].id == id)
      return i;
  return -1;
}

static int unit_by_code(const org *o, const char *code, int kind) {
  for (int i = 0; code && i < o->nunits; i++)
    if (o->units[i].kind == kind && !strcmp(o->units[i].code, code))
      return i;
  return -1;
}

static int has_named(const named_t *arr, int n, const char *code) {
  for (int i = 0; code && i < n; i++)
    if (!strcmp(arr[i].code, code))
      return 1;
  return 0;
}

static const char *named_name(const named_t *arr, int n, const char *code) {
  for (int i = 0; code && i < n; i++)
    if (!strcmp(arr[i].code, code))
      return arr[i].name;
  return "";
}

/* Reads what the cases refer to; the calendar for days first..first+ndays. */
static int org_load(sqlite3 *db, org *o, int64_t first_day, int ndays) {
  load_ctx l = {o, 0};
  named_ctx nc;
  int rc;
  if ((rc = each_row(db,
                     "SELECT id, coalesce(parent_id,0), coalesce(code,''), name, kind "
                     "FROM org_units ORDER BY id",
                     row_unit, &l)))
    return rc;
  l.cap = 0;
  if ((rc = each_row(db,
                     "SELECT username, roles, coalesce(unit_id,0) FROM users "
                     "WHERE disabled = 0 ORDER BY id",
                     row_user, &l)))
    return rc;
  l.cap = 0;
  if ((rc = each_row(db,
                     "SELECT code, name_zh, external FROM channels WHERE active = 1 "
                     "ORDER BY sort, code",
                     row_channel, &l)))
    return rc;
  nc = (named_ctx){&o->cats, &o->ncats, 0};
  if ((rc =
           each_row(db, "SELECT code, name_zh FROM categories WHERE active = 1 ORDER BY sort, code",
                    row_named, &nc)))
    return rc;
  nc = (named_ctx){&o->stages, &o->nstages, 0};
  if ((rc = each_row(db,
                     "SELECT code, name_zh FROM service_stages WHERE active = 1 "
                     "ORDER BY sort, code",
                     row_named, &nc)))
    return rc;
  if ((rc = each_row(db,
                     "SELECT id, grade, sort, params, text_zh, text_en FROM grading_rules "
                     "WHERE active = 1 ORDER BY sort, id",
                     row_rule, o)))
    return rc;
  o->cal_first = first_day;
  o->ncal = ndays;
  if (!(o->cal = malloc((size_t)ndays)))
    return TS_ERR_NOMEM;
  memset(o->cal, -1, (size_t)ndays);
  if ((rc = each_row(db, "SELECT day, working FROM calendar_days", row_calendar, o)))
    return rc;

  /* outlets: their kind, weight and city */
  for (int i = 0; i < o->nunits; i++) {
    unit_t *u = &o->units[i];
    if (u->kind != UK_OUTLET)
      continue;
    const outlet_kind *k = &outlet_kind_default;
    for (int j = 0; j < NELEM(outlet_kinds) && k == &outlet_kind_default; j++)
      for (int w = 0; w < NELEM(outlet_kinds[j].keys) && outlet_kinds[j].keys[w]; w++)
        if (strstr(u->name, outlet_kinds[j].keys[w])) {
          k = &outlet_kinds[j];
          break;
        }
    u->weight = k->weight;
    u->ind_a = k->ind_a;
    u->ind_b = k->ind_b;
    u->share_a = k->share_a;
    u->city = 0;
    for (int j = 0; j < NELEM(cities); j++)
      if (strstr(u->name, cities[j].key)) {
        u->city = j;
        break;
      }
    if ((rc = push_index(&o->outlets, &o->noutlets, i)))
      return rc;
  }
  if (!o->noutlets || !o->nchans || !o->nusers) {
    fprintf(stderr, "tousu-gen: the database needs at least one outlet, channel and user\n");
    return TS_ERR_INVALID;
  }
  if (!(o->outlet_w = malloc((size_t)o->noutlets * sizeof *o->outlet_w)))
    return TS_ERR_NOMEM;
  for (int i = 0; i < o->noutlets; i++)
    o->outlet_w[i] = o->units[o->outlets[i]].weight;

  /* people by role */
  for (int i = 0; i < o->nusers && !rc; i++) {
    const user_t *u = &o->users[i];
    int ui = unit_by_id(o, u->unit);
    if (u->roles & TS_ROLE_AGENT) {
      rc = push_index(&o->agents, &o->nagents, i);
      if (!rc && ui >= 0 && o->units[ui].kind == UK_OUTLET && o->units[ui].agent < 0)
        o->units[ui].agent = i;
      if (!rc && ui >= 0 && (o->units[ui].kind == UK_COMPANY || !strcmp(o->units[ui].code, "CR")))
        rc = push_index(&o->agents_hq, &o->nagents_hq, i);
    }
    if (!rc && (u->roles & TS_ROLE_HANDLER))
      rc = push_index(&o->handlers, &o->nhandlers, i);
    if (!rc && (u->roles & TS_ROLE_SUPERVISOR))
      rc = push_index(&o->supervisors, &o->nsupervisors, i);
    if (!rc && (u->roles & TS_ROLE_DEPT_MANAGER))
      rc = push_index(&o->managers, &o->nmanagers, i);
    if (!rc && (u->roles & TS_ROLE_GENERAL_MANAGER))
      rc = push_index(&o->gms, &o->ngms, i);
  }
  return rc;
}

static void org_free(org *o) {
  free(o->units);
  free(o->users);
  free(o->chans);
  free(o->cats);
  free(o->stages);
  for (int i = 0; i < R__COUNT; i++)
    free(o->rules[i].json);
  free(o->outlets);
  free(o->outlet_w);
  free(o->agents);
  free(o->agents_hq);
  free(o->handlers);
  free(o->supervisors);
  free(o->managers);
  free(o->gms);
  free(o->cal);
  memset(o, 0, sizeof *o);
}

/* ---- one generated case ------------------------------------------------------------------- */

#define NONE INT64_MIN /* an absent number (NULL in the row) */

enum {
  LS_COMPENSATION,
  LS_REFUND,
  LS_DISCOUNT,
  LS_REPAIR,
  LS_GOODS,
  LS_FREIGHT,
  LS_GIFT,
  LS_OTHER,
  LS__COUNT
};

#define MAX_NOTES 4
#define MAX_CONTACTS 4
#define MAX_SOLUTIONS 8
#define MAX_IMPROVEMENTS 2
#define MAX_PENALTIES 2
#define MAX_PROMISES 2

typedef struct {
  int64_t at;
  const char *author;
  char text[640];
} g_note;

typedef struct {
  int64_t at;
  const char *by, *method, *direction;
  char summary[640];
  int reached;
} g_contact;

typedef struct {
  int64_t proposal, amount, at;
  const char *option, *type, *by;
  char desc[512];
} g_solution;

typedef struct {
  const char *kind, *owner, *status, *by;
  char desc[512];
  char due[16];
  int64_t at, done_at;
} g_improvement;

typedef struct {
  char person[128];
  char reason[512];
  const char *kind, *status, *by, *approved_by, *executed_by;
  int64_t amount, share, at, approved_at, executed_at;
} g_penalty;

typedef struct {
  int64_t at, due, kept, settled;
  const char *by;
  char text[256];
} g_promise;

#define MAX_CLOCKS 24

/* The delay a breached clock leaves (case_delays). */
typedef struct {
  const char *holder; /* a username, or "" for a department's clock */
  int64_t unit, recorded_at;
} g_delay;

/* Every column of a case row; strings "" and numbers NONE are NULL. */
typedef struct {
  int64_t id;
  char case_no[TS_CASENO_MAX];
  const char *status;
  char grade[4];
  char grade_reasons[4096];
  const char *channel;
  int external;
  const char *category, *validity, *nature;
  char title[768];
  char c_name[64], c_phone[48], c_email[96], c_customer_id[48], c_address[256];
  int c_vip, c_vvip;
  const char *c_contact_pref;
  char s_product[256], s_sku[32], s_batch[48], s_order_no[48], s_plate[24], s_vin[24];
  char s_outlet[404], s_employee[64], s_delivery_date[16];
  int64_t s_quantity, s_amount_paid;
  char description[6144];
  char demands[160];
  char demand_detail[1536];
  int64_t claimed, unusable_days;
  int flags[F__COUNT];
  const char *owner, *handler;
  int64_t outlet_id, dept_id;
  int64_t received_at, registered_at, updated_at;
  int overdue, reopen_count;
  int64_t satisfaction;
  const char *invalid_reason;
  char reply[1024];
  const char *pending_from;
  char pending_reason[256], pending_remind_on[16], withdraw_reason[256];
  int64_t proposal_no, consent;
  const char *chosen_option;
  char summary[2048], lessons[1024];
  int64_t accepted_at, assigned_at, resolved_at, closed_at, fu_due_at, fu_at;
  const char *fu_by, *fu_method;
  char fu_comment[512], fu_waived[256];
  int64_t escalation_tier, escalated_to;
  int site_visit;
  char subject_key[320];
  const char *root_cause, *service_stage, *responsibility, *attributed_to;
  char psychology[128];
  int64_t loss[LS__COUNT];

  g_note notes[MAX_NOTES];
  g_contact contacts[MAX_CONTACTS];
  g_solution solutions[MAX_SOLUTIONS];
  g_improvement improvements[MAX_IMPROVEMENTS];
  g_penalty penalties[MAX_PENALTIES];
  g_promise promises[MAX_PROMISES];
  int nnotes, ncontacts, nsolutions, nimprovements, npenalties, npromises;

  ts_clock clocks[MAX_CLOCKS]; /* in the order they started: the order of their ids */
  g_delay delays[MAX_CLOCKS];  /* of clocks[i] when it is breached */
  int nclocks;
  int64_t sla_level;                /* breaches so far (tiers escalated), NONE: none */
  char sla_clocks[MAX_CLOCKS * 20]; /* "register:m acknowledge:m resolve:r" (migration 11) */
} gcase;

static void case_reset(gcase *c) {
  memset(c, 0, sizeof *c);
  c->s_quantity = c->s_amount_paid = c->claimed = c->unusable_days = NONE;
  c->satisfaction = c->proposal_no = c->consent = NONE;
  c->accepted_at = c->assigned_at = c->resolved_at = c->closed_at = c->fu_due_at = c->fu_at = NONE;
  c->escalation_tier = c->escalated_to = c->outlet_id = c->dept_id = c->sla_level = NONE;
  for (int i = 0; i < LS__COUNT; i++)
    c->loss[i] = NONE;
}

/* A group complaint: one bad batch, dozens of customers within weeks. */
typedef struct {
  int64_t start, end;
  int indi, issue, product, outlet;
  char batch[48];
  int size, used;
  double p;          /* chance that a case registered in the window is one of these */
  int64_t times[96]; /* receipt times of its cases so far */
} incident;

/* A customer who complains again (same name, same phone, same outlet). */
typedef struct {
  int used;
  int outlet, indi;
  char name[64], phone[48], plate[24], vin[24];
  int64_t times[4]; /* the last receipts, newest first */
} repeater;

typedef struct {
  const char *db_path;
  int64_t ncases;
  int months, end_y, end_m;
  uint64_t seed;
  int batch;
  int no_fts; /* drop the full-text triggers first */
} gen_opts;

/* A moment the case's clocks hear of: an event of core/sla.h, or a change of grade. */
typedef struct {
  int64_t at;
  int order;         /* when it was noted: moments at the same instant keep this order */
  const char *event; /* NULL: the grade became `level` */
  int level;
} sla_moment;

#define MAX_MOMENTS 40

/* Everything about the case being made that is not a column. */
typedef struct {
  int indi;
  const industry *ind;
  const issue *is;
  const product *pr;
  int outlet, dept; /* org units[] indexes; dept -1 none */
  int chan;         /* org chans[] index */
  const city *ci;
  int64_t recv, reg;
  int64_t fired[R__COUNT]; /* when each reason fired, NONE: never */
  int long_case;           /* stays open past the open-days rule */
  incident *inc;
  repeater *rep;
  unsigned demands;            /* D_* */
  int64_t cost;                /* cents the solution costs */
  int manager, supervisor;     /* users[] indexes, -1 none */
  int owner_u, handler_u;      /* users[] indexes of the owner and the handler, -1 none */
  int level0;                  /* the grade at registration */
  sla_moment mom[MAX_MOMENTS]; /* after the registration, in the order noted */
  int nmom;
  char slot[52][192];
} cctx;

typedef struct {
  gen_opts o;
  rng r;
  sqlite3 *db;
  org org;
  sqlite3_stmt *st_case, *st_note, *st_contact, *st_solution, *st_improvement, *st_penalty,
      *st_promise, *st_counter, *st_clock, *st_delay;
  ts_sla_rules sla; /* the clock rules and the calendar, as the server reads them */
  int sla_col;      /* cases.sla_clocks exists (migration 11) */
  int64_t next_id;
  int64_t t_first, t_end; /* first instant of the first month, last of --end */
  int first_y, first_m;
  int64_t counter[GEN_MAX_MONTHS]; /* last serial of each month */
  int dirty[GEN_MAX_MONTHS];       /* counters to write at the next commit */
  incident *inc;
  int ninc;
  repeater *rep;
  int nrep;
  gcase *c;
  cctx x;
} gen;

static int slot_index(char k) {
  if (k >= 'A' && k <= 'Z')
    return k - 'A';
  if (k >= 'a' && k <= 'z')
    return 26 + (k - 'a');
  return -1;
}

__attribute__((format(printf, 3, 4))) static void slot_set(cctx *x, char k, const char *fmt, ...) {
  int i = slot_index(k);
  va_list ap;
  if (i < 0)
    return;
  va_start(ap, fmt);
  int n = vsnprintf(x->slot[i], sizeof x->slot[i], fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= sizeof x->slot[i])
    x->slot[i][0] = '\0';
}

static const char *slot(const cctx *x, char k) {
  int i = slot_index(k);
  return i < 0 ? "" : x->slot[i];
}

/* Appends tpl with each {X} replaced by slot X. */
static void expand(tbuf *b, const char *tpl, const cctx *x) {
  const char *p = tpl;
  while (*p) {
    const char *q = strchr(p, '{');
    if (!q) {
      tb_add(b, p);
      return;
    }
    tb_put(b, p, (size_t)(q - p));
    if (q[1] && q[2] == '}' && slot_index(q[1]) >= 0) {
      tb_add(b, slot(x, q[1]));
      p = q + 3;
    } else {
      tb_put(b, q, 1);
      p = q + 1;
    }
  }
}

/* A template expanded into a fixed field. */
#define EXPAND_INTO(dst, tpl, x)                                                                   \
  do {                                                                                             \
    tbuf eb_;                                                                                      \
    tb_init(&eb_, (dst), sizeof(dst));                                                             \
    expand(&eb_, (tpl), (x));                                                                      \
  } while (0)

/* "9月12日" (same year as ref, mostly) or "2026年9月12日". */
static void date_cn(rng *r, int64_t t, int64_t ref, char *out, size_t outsz) {
  int y, m, d, ry, rm, rd;
  local_date(t, &y, &m, &d);
  local_date(ref, &ry, &rm, &rd);
  if (y == ry && rng_chance(r, 0.75))
    snprintf(out, outsz, "%d月%d日", m, d);
  else
    snprintf(out, outsz, "%d年%d月%d日", y, m, d);
}

/* Yuan as people say them: 380元, 1.5万元. */
static void yuan_cn(int64_t cents, char *out, size_t outsz) {
  int64_t yuan = cents / 100;
  if (yuan >= 10000 && yuan % 1000 == 0)
    snprintf(out, outsz, "%" PRId64 ".%" PRId64 "万元", yuan / 10000, yuan / 1000 % 10);
  else
    snprintf(out, outsz, "%" PRId64 "元", yuan);
}

/* ---- choosing the parts of a case ----------------------------------------------------------- */

static int pick_outlet(gen *g) {
  return g->org.outlets[rng_weighted(&g->r, g->org.outlet_w, g->org.noutlets)];
}

static int outlet_industry(gen *g, int outlet) {
  const unit_t *u = &g->org.units[outlet];
  return rng_chance(&g->r, u->share_a) ? u->ind_a : u->ind_b;
}

static int pick_issue(gen *g, const industry *ind, int month) {
  double w[32] = {0};
  int n = ind->nissues < 32 ? ind->nissues : 32;
  int summer = month >= 6 && month <= 8, winter = month == 12 || month <= 2;
  for (int i = 0; i < n; i++) {
    w[i] = ind->issues[i].weight;
    if (ind->issues[i].traits & T_SUMMER)
      w[i] *= summer ? 2.5 : winter ? 0.4 : 1.0;
  }
  return rng_weighted(&g->r, w, n);
}

/* A product the issue can be about (its type), -1 if none. */
static int pick_product(gen *g, const industry *ind, const issue *is, int need_batch) {
  int cand[32], n = 0;
  for (int i = 0; i < ind->nproducts && n < 32; i++) {
    const product *p = &ind->products[i];
    if ((is->ptype && strcmp(is->ptype, p->type)) ||
        (need_batch && (!p->code || p->style == PN_STYLE)))
      continue;
    cand[n++] = i;
  }
  return n ? cand[rng_below(&g->r, (uint32_t)n)] : -1;
}

static int pick_channel(gen *g, int indi, int64_t reg) {
  double w[64] = {0};
  int n = g->org.nchans < 64 ? g->org.nchans : 64;
  int h = local_hour(reg);
  int office = h >= 9 && h < 18, open = h >= 9 && h < 21, night = h < 7 || h >= 22;
  for (int i = 0; i < n; i++) {
    const chan_t *c = &g->org.chans[i];
    double v = c->weight;
    if (!strcmp(c->code, "walk_in"))
      v *= !open ? 0 : (indi == IND_ECOM || indi == IND_LOG) ? 0.3 : 1;
    else if (!strcmp(c->code, "letter"))
      v *= office ? 1 : 0;
    else if (!strcmp(c->code, "phone"))
      v *= night ? 0.3 : 1;
    else if (!strcmp(c->code, "web") && indi == IND_ECOM)
      v *= 2;
    else if (!strcmp(c->code, "miit"))
      v *= indi == IND_TEL ? 5 : 0;
    if (c->external && strcmp(c->code, "media"))
      v *= office ? 1.6 : 0; /* forwarded in office hours (1.6: the same share per day) */
    w[i] = v;
  }
  return rng_weighted(&g->r, w, n);
}

static int pick_user(gen *g, const int *list, int n) {
  return n ? list[rng_below(&g->r, (uint32_t)n)] : -1;
}

/* A user of a role in a unit, else anyone of that role, else -1. */
static int user_in(gen *g, const int *list, int n, int64_t unit) {
  int cand[64], k = 0;
  for (int i = 0; i < n && k < 64; i++)
    if (g->org.users[list[i]].unit == unit)
      cand[k++] = list[i];
  return k ? cand[rng_below(&g->r, (uint32_t)k)] : pick_user(g, list, n);
}

static const char *username(gen *g, int u) {
  return u >= 0 ? g->org.users[u].username : NULL;
}

static const char *category_of(gen *g, const issue *is) {
  if (has_named(g->org.cats, g->org.ncats, is->category))
    return is->category;
  if (has_named(g->org.cats, g->org.ncats, "other"))
    return "other";
  return g->org.ncats ? g->org.cats[0].code : NULL;
}

static const char *stage_of(gen *g, const issue *is) {
  if (rng_chance(&g->r, 0.85) && has_named(g->org.stages, g->org.nstages, is->stage))
    return is->stage;
  if (g->org.nstages && rng_chance(&g->r, 0.5))
    return g->org.stages[rng_below(&g->r, (uint32_t)g->org.nstages)].code;
  return has_named(g->org.stages, g->org.nstages, is->stage) ? is->stage : NULL;
}

/* ---- the complainant and the subject --------------------------------------------------------- */

static void make_order(gen *g, const industry *ind, int64_t when, char *out, size_t outsz) {
  int y, m, d;
  rng *r = &g->r;
  local_date(when, &y, &m, &d);
  switch (ind->order_kind) {
  case ORD_JD: {
    double u = rng_unit(r);
    if (u < 0.4)
      snprintf(out, outsz, "JD%04d%02d%02d%05u", y, m, d, rng_below(r, 100000));
    else if (u < 0.7)
      snprintf(out, outsz, "3%09u%09u", rng_below(r, 1000000000), rng_below(r, 1000000000));
    else
      snprintf(out, outsz, "HX-%04d%02d%02d-%04u", y, m, d, rng_below(r, 10000));
    break;
  }
  case ORD_OWN:
    snprintf(out, outsz, "XS%04d%02d%02d%06u", y, m, d, rng_below(r, 1000000));
    break;
  case ORD_WAYBILL:
    if (rng_chance(r, 0.6))
      snprintf(out, outsz, "SF%06u%06u", rng_below(r, 1000000), rng_below(r, 1000000));
    else
      snprintf(out, outsz, "YD-%04d%02d%02d-%04u", y, m, d, rng_below(r, 10000));
    break;
  case ORD_TEL:
    snprintf(out, outsz, "YW%04d%02d%02d%08u", y, m, d, rng_below(r, 100000000));
    break;
  case ORD_HOTEL:
    snprintf(out, outsz, "RB%010u", rng_below(r, 1000000000));
    break;
  default:
    out[0] = '\0';
  }
}

/* Name, phone and the rest of who complains (a repeater's identity when x->rep is one). */
static void make_complainant(gen *g, cctx *x, gcase *c) {
  rng *r = &g->r;
  int male = rng_chance(r, 0.55);
  const char *sur;
  if (x->rep && x->rep->used) {
    memcpy(c->c_name, x->rep->name, sizeof c->c_name);
    memcpy(c->c_phone, x->rep->phone, sizeof c->c_phone);
    sur = NULL;
  } else {
    sur = surname_pick(r);
    const char *given = male ? PICK(r, given_male) : PICK(r, given_female);
    if (!FMT(c->c_name, "%s%s", sur, given))
      c->c_name[0] = '\0';
    make_phone(r, x->ci, c->c_phone, sizeof c->c_phone);
  }
  /* how the customer is addressed: the surname (two characters for 欧阳 …) + 先生/女士 */
  {
    char s[16];
    size_t k =
        strlen(c->c_name) > 6 && (!strncmp(c->c_name, "欧阳", 6) ||
                                  !strncmp(c->c_name, "司马", 6) || !strncmp(c->c_name, "诸葛", 6))
            ? 6
            : 3;
    memcpy(s, c->c_name, k);
    s[k] = '\0';
    slot_set(x, 'c', "%s%s", s, male ? "先生" : "女士");
  }
  slot_set(x, 'C', "%s", c->c_name);
  slot_set(x, 'Q', "%s", c->c_phone);
  if (rng_chance(r, 0.12)) {
    if (rng_chance(r, 0.6))
      snprintf(c->c_email, sizeof c->c_email, "%u@qq.com", 100000 + rng_below(r, 2000000000));
    else {
      char name[12];
      int n = 4 + (int)rng_below(r, 5);
      for (int i = 0; i < n; i++)
        name[i] = (char)('a' + rng_below(r, 26));
      name[n] = '\0';
      snprintf(c->c_email, sizeof c->c_email, "%s%02u@%s", name, rng_below(r, 100),
               PICK(r, email_domains));
    }
  }
  double id_p = x->indi == IND_BANK     ? 0.7
                : x->indi == IND_CAR    ? 0.4
                : x->indi == IND_RETAIL ? 0.35
                : x->indi == IND_TEL    ? 0
                                        : 0.15;
  if (rng_chance(r, id_p)) {
    const char *pre = x->indi == IND_CAR      ? "VW"
                      : x->indi == IND_RETAIL ? "HY"
                      : x->indi == IND_BANK   ? "KH"
                                              : "C";
    snprintf(c->c_customer_id, sizeof c->c_customer_id, "%s%05u%05u", pre, rng_below(r, 100000),
             rng_below(r, 100000));
  }
  double addr_p = (x->indi == IND_APPL || x->indi == IND_ECOM || x->indi == IND_LOG) ? 0.6 : 0.2;
  if (rng_chance(r, addr_p))
    snprintf(c->c_address, sizeof c->c_address, "%s%s%s%u号%u室", x->ci->city,
             x->ci->districts[rng_below(r, 4)], PICK(r, roads), 1 + rng_below(r, 899),
             101 + rng_below(r, 25) * 100 + rng_below(r, 6));
  c->c_vip = rng_chance(r, 0.06);
  if (rng_chance(r, 0.4)) {
    static const char *const prefs[] = {"phone",  "phone",  "phone", "phone", "phone",
                                        "wechat", "wechat", "sms",   "sms",   "any"};
    c->c_contact_pref = c->c_email[0] && rng_chance(r, 0.3) ? "email" : PICK(r, prefs);
  }
}

/* The subject fields and every template slot. */
static void make_subject(gen *g, cctx *x, gcase *c) {
  rng *r = &g->r;
  const product *pr = x->pr;
  const industry *ind = x->ind;
  char buf[192], vin[18] = "";
  int64_t event = x->recv - (int64_t)rng_range(r, 0, ind->days_back) * DAY;
  int64_t later = event + (x->recv - event) * (int64_t)rng_range(r, 20, 80) / 100;

  date_cn(r, event, x->recv, buf, sizeof buf);
  slot_set(x, 'D', "%s", buf);
  date_cn(r, later, x->recv, buf, sizeof buf);
  slot_set(x, 'E', "%s", buf);
  slot_set(x, 'I', "%s", PICK(r, times_of_day));
  slot_set(x, 'S', "%s%s", surname_pick(r), ind->titles[rng_below(r, 3)]);
  if (rng_chance(r, 0.25))
    slot_set(x, 'S', "小%s", surname_pick(r));
  slot_set(x, 'T', "%s师傅", surname_pick(r));
  slot_set(x, 'O', "%s", g->org.units[x->outlet].name);
  slot_set(x, 'N', "%u", 2 + rng_below(r, 4));
  slot_set(x, 'K', "%u", 5 + rng_below(r, 16));
  slot_set(x, 'H', "%u", 40 + rng_below(r, 111));
  slot_set(x, 'Y', "%s", ind->parts[rng_below(r, (uint32_t)ind->nparts)]);
  slot_set(x, 'G', "%u%02u", 2 + rng_below(r, 27), 1 + rng_below(r, 40));
  slot_set(x, 'W', "%u公里", 3000 + rng_below(r, 120000));

  /* the product (its batch and model), the amount paid */
  slot_set(x, 'p', "%s", pr->type);
  slot_set(x, 'M', "%s", pr->short_model);
  switch (pr->style) {
  case PN_BTM:
    slot_set(x, 'P', "%s%s%s", pr->brand, pr->type, pr->model);
    break;
  case PN_BM:
    slot_set(x, 'P', "%s%s", pr->brand, pr->model);
    break;
  case PN_STYLE: {
    unsigned code = 1000 + rng_below(r, 9000);
    slot_set(x, 'P', "%s%s（款号%s%u，%s）", pr->brand, pr->model, pr->short_model, code,
             PICK(r, colours));
    slot_set(x, 'M', "款号%s%u", pr->short_model, code);
    break;
  }
  default:
    slot_set(x, 'P', "%s", pr->model);
  }
  int64_t paid = (int64_t)rng_range(r, pr->price_lo, pr->price_hi) * 100;
  if (paid <= 0)
    paid = (int64_t)rng_range(r, 1000, 50000) * 100;
  slot_set(x, 'A', "%" PRId64 "元", paid / 100);
  /* {a}, the sum the problem is about (a fee charged, the value lost), is what a solution
   * pays back and what a claim starts from */
  int64_t fee = x->is->cost_hi > 0
                    ? (int64_t)rng_range(r, x->is->cost_lo > 5 ? x->is->cost_lo : 5, x->is->cost_hi)
                    : (int64_t)rng_range(r, 10, 500);
  if (fee > 1000)
    fee = fee / 10 * 10;
  slot_set(x, 'a', "%" PRId64 "元", fee);
  x->cost = x->is->cost_hi > 0 ? fee * 100 : 0;
  if (paid < fee * 150) /* a bill or a price is more than the part disputed */
    paid = fee * (int64_t)rng_range(r, 150, 400);
  slot_set(x, 'A', "%" PRId64 "元", paid / 100);

  /* the subject names the product (and its batch) only when the complaint is about it */
  if (x->is->traits & T_PRODUCT) {
    if (x->inc) {
      snprintf(c->s_batch, sizeof c->s_batch, "%s", x->inc->batch);
    } else if (pr->code && pr->style != PN_STYLE && x->indi != IND_CAR && rng_chance(r, 0.85)) {
      int py, pm, pd;
      local_date(event - (int64_t)rng_range(r, 20, 330) * DAY, &py, &pm, &pd);
      snprintf(c->s_batch, sizeof c->s_batch, "%s-%02d%02d-%04u", pr->code, py % 100, pm,
               rng_below(r, 10000));
    }
    snprintf(c->s_product, sizeof c->s_product, "%s", slot(x, 'P'));
    c->s_amount_paid = x->indi == IND_CAR ? NONE : paid;
    if ((x->indi == IND_DIGI || x->indi == IND_ECOM) && rng_chance(r, 0.4))
      snprintf(c->s_sku, sizeof c->s_sku, "1000%08u", rng_below(r, 100000000));
  }
  slot_set(x, 'B', "%s", c->s_batch);
  if (ind->order_kind != ORD_NONE && rng_chance(r, ind->order_p))
    make_order(g, ind, event, c->s_order_no, sizeof c->s_order_no);
  slot_set(x, 'R', "%s", c->s_order_no[0] ? c->s_order_no : "（未提供）");
  if (ind->plate) {
    if (x->rep && x->rep->used && x->rep->plate[0]) {
      memcpy(c->s_plate, x->rep->plate, sizeof c->s_plate);
      memcpy(c->s_vin, x->rep->vin, sizeof c->s_vin);
    } else {
      make_plate(r, x->ci, c->s_plate, sizeof c->s_plate);
      make_vin(r, pr->code ? pr->code : "LSV", vin);
      if (rng_chance(r, 0.6)) /* the VIN is in the subject of most car complaints */
        snprintf(c->s_vin, sizeof c->s_vin, "%s", vin);
    }
  }
  slot_set(x, 'L', "%s", c->s_plate);
  slot_set(x, 'V', "%s", c->s_vin[0] ? c->s_vin : vin);
  if (rng_chance(r, 0.5))
    snprintf(c->s_outlet, sizeof c->s_outlet, "%s", g->org.units[x->outlet].name);
  if (rng_chance(r, 0.25))
    if (!FMT(c->s_employee, "%s", slot(x, 'S')))
      c->s_employee[0] = '\0';
  if ((x->indi == IND_APPL || x->indi == IND_ECOM || x->indi == IND_LOG || x->indi == IND_DIGI) &&
      rng_chance(r, 0.6))
    date_iso(later, c->s_delivery_date);
  if (x->indi == IND_ECOM || x->indi == IND_LOG || x->indi == IND_RETAIL)
    c->s_quantity = 1 + (int64_t)rng_below(r, x->indi == IND_LOG ? 200 : 10);
  if ((x->indi == IND_APPL || x->indi == IND_HOTEL) && rng_chance(r, 0.1))
    c->site_visit = 1;

  /* the subject key, as ts_subject_key makes it: batch, else product, else order, else plate */
  const char *k = NULL, *tag = NULL;
  if (c->s_batch[0])
    k = c->s_batch, tag = "batch";
  else if (c->s_product[0])
    k = c->s_product, tag = "product";
  else if (c->s_order_no[0])
    k = c->s_order_no, tag = "order";
  else if (c->s_plate[0])
    k = c->s_plate, tag = "plate";
  if (k && !FMT(c->subject_key, "%s:%s", tag, k))
    c->subject_key[0] = '\0';
}

/* ---- the grade and its reasons -----------------------------------------------------------------
 */

/* Can reason ri be drawn for this case? */
static int reason_fits(gen *g, const cctx *x, int ri) {
  const reason_def *d = &reasons[ri];
  const rule_t *rule = &g->org.rules[ri];
  unsigned t = x->is->traits;
  if (!rule->present || (d->need & MADE) || d->weight <= 0 || x->fired[ri] != NONE)
    return 0;
  if (((d->need & NEED_SAFETY) && !(t & T_SAFETY)) ||
      ((d->need & NEED_UNUSABLE) && !(t & T_UNUSABLE)) ||
      ((d->need & NEED_REPAIR) && !(t & T_REPAIR)) ||
      ((d->need & NEED_PRODUCT) && !(t & T_PRODUCT)) ||
      ((d->need & NEED_BIGLOSS) && !(t & T_BIGLOSS) && x->indi != IND_CAR))
    return 0;
  if ((d->need & NEED_LONG) && g->t_end - x->recv <= (rule->days + 2) * DAY)
    return 0;
  if ((d->need & NEED_TIME) && g->t_end - x->reg < 3 * HOUR)
    return 0;
  if (d->g4 && !(x->ind->g4 & d->g4))
    return 0;
  return 1;
}

/* Draws a reason whose rule has the grade; -1 when none fits. */
static int draw_reason(gen *g, const cctx *x, int grade) {
  double w[R__COUNT];
  int any = 0;
  for (int i = 0; i < R__COUNT; i++) {
    w[i] = g->org.rules[i].grade == grade && reason_fits(g, x, i) ? reasons[i].weight : 0;
    any |= w[i] > 0;
  }
  return any ? rng_weighted(&g->r, w, R__COUNT) : -1;
}

/* Grade drawn for a case from an internal channel (external ones are g3 by their rule):
 * together with the external channels, group complaints, repeat complainants and reopened
 * cases this gives about g1 75 %, g2 18 %, g3 6 %, g4 1 % (bench/README.md). */
#define P_G4 0.0075
#define P_G3 0.012
#define P_G2 0.158

/* The reasons that hold when the case is registered; the ones that come later (the
 * customer calls again, the case stays open) get their times in the replay. */
static void choose_reasons(gen *g, cctx *x, gcase *c) {
  rng *r = &g->r;
  int target;
  for (int i = 0; i < R__COUNT; i++)
    x->fired[i] = NONE;
  if (c->external && g->org.rules[R_EXTERNAL].present) {
    x->fired[R_EXTERNAL] = x->reg;
    target = rng_chance(r, 0.05) ? 4 : 0;
  } else {
    double u = rng_unit(r);
    target = u < P_G4 ? 4 : u < P_G4 + P_G3 ? 3 : u < P_G4 + P_G3 + P_G2 ? 2 : 1;
  }
  for (int gr = target; gr >= 2; gr--) {
    int ri = draw_reason(g, x, gr);
    if (ri < 0)
      continue;
    x->fired[ri] = x->reg;
    /* a lower reason beside it sometimes (a g3 case that is also safety-related) */
    if (gr > 2 && rng_chance(r, 0.2) && (ri = draw_reason(g, x, gr - 1)) >= 0)
      x->fired[ri] = x->reg;
    if (rng_chance(r, 0.1) && (ri = draw_reason(g, x, gr)) >= 0)
      x->fired[ri] = x->reg;
    break;
  }
  /* group complaint: the subject's other customers within the rules' windows */
  if (x->inc) {
    const rule_t *same = &g->org.rules[R_SAME_SUBJECT], *sim = &g->org.rules[R_SIMILAR];
    int64_t n_same = 1, n_sim = 1;
    for (int i = 0; i < x->inc->used; i++) {
      n_same += x->inc->times[i] >= x->recv - same->days * DAY;
      n_sim += x->inc->times[i] >= x->recv - sim->days * DAY;
    }
    if (same->present && same->count > 0 && n_same >= same->count)
      x->fired[R_SAME_SUBJECT] = x->reg;
    if (sim->present && sim->count > 0 && n_sim >= sim->count)
      x->fired[R_SIMILAR] = x->reg;
  }
  /* repeat complainant: the same phone within the rule's window */
  if (x->rep && x->rep->used) {
    const rule_t *rep = &g->org.rules[R_REPEAT_CUSTOMER];
    int64_t n = 1;
    for (int i = 0; i < NELEM(x->rep->times); i++)
      n += x->rep->times[i] > 0 && x->rep->times[i] >= x->recv - rep->days * DAY;
    if (rep->present && rep->count > 0 && n >= rep->count)
      x->fired[R_REPEAT_CUSTOMER] = x->reg;
  }
  x->long_case = x->fired[R_OPEN30] != NONE;
  if (x->long_case)
    x->fired[R_OPEN30] = x->recv + g->org.rules[R_OPEN30].days * DAY + HOUR;

  /* what the reasons say about the case's own fields */
  for (int i = 0; i < R__COUNT; i++)
    if (x->fired[i] != NONE && reasons[i].flag >= 0)
      c->flags[reasons[i].flag] = 1;
  if (x->fired[R_VVIP] != NONE)
    c->c_vvip = c->c_vip = 1;
  const rule_t *unus = &g->org.rules[R_UNUSABLE];
  if (x->fired[R_UNUSABLE] != NONE)
    c->unusable_days = (unus->days > 0 ? unus->days : 7) + 1 + (int64_t)rng_below(r, 40);
  else if ((x->is->traits & T_UNUSABLE) && rng_chance(r, 0.35))
    c->unusable_days =
        1 + (int64_t)rng_below(r, (uint32_t)(unus->present && unus->days > 0 ? unus->days : 7));
  slot_set(x, 'U', "%" PRId64, c->unusable_days == NONE ? 3 : c->unusable_days);
}

/* The loss threshold of the major-loss rule (cents), or 5,000,000 (¥50,000). */
static int64_t major_loss_cents(const gen *g) {
  const rule_t *ml = &g->org.rules[R_MAJOR_LOSS];
  return ml->present && ml->amount > 0 ? ml->amount : 5000000;
}

/* ---- the customer's words ---------------------------------------------------------------------
 */

static void choose_demands(gen *g, cctx *x, gcase *c) {
  rng *r = &g->r;
  unsigned all = x->is->demands ? x->is->demands : D_EXPLANATION;
  int bits[9] = {0}, n = 0;
  for (int i = 0; i < 9; i++)
    if (all & (1u << i))
      bits[n++] = i;
  unsigned chosen = 1u << bits[rng_below(r, (uint32_t)n)];
  for (int i = 0; i < n; i++)
    if (rng_chance(r, 0.3))
      chosen |= 1u << bits[i];
  x->demands = chosen;
  tbuf b;
  tb_init(&b, c->demands, sizeof c->demands);
  tb_add(&b, "[");
  for (int i = 0, k = 0; i < 9; i++)
    if (chosen & (1u << i))
      tb_fmt(&b, "%s\"%s\"", k++ ? "," : "", demand_codes[i]);
  tb_add(&b, "]");

  /* the claim: above the major-loss threshold only when that rule gives the grade */
  int64_t major = major_loss_cents(g);
  if (x->fired[R_MAJOR_LOSS] != NONE)
    c->claimed = (major + (int64_t)rng_range(r, 1, 50) * major / 10) / 10000 * 10000;
  else if ((chosen & (D_COMPENSATION | D_REFUND)) && rng_chance(r, 0.4) && x->cost > 0)
    c->claimed = x->cost * (int64_t)rng_range(r, 100, 250) / 100 / 1000 * 1000;
  if (c->claimed != NONE && x->fired[R_MAJOR_LOSS] == NONE && c->claimed > major * 9 / 10)
    c->claimed = major * 9 / 10;
  if (c->claimed == 0)
    c->claimed = NONE;
  char j[48];
  yuan_cn(c->claimed != NONE ? c->claimed : x->cost, j, sizeof j);
  slot_set(x, 'J', "%s", j);
}

static int first_demand(unsigned d) {
  for (int i = 0; i < 9; i++)
    if (d & (1u << i))
      return i;
  return 7;
}

/* Title, description (2-6 sentences) and demand detail. */
static void compose(gen *g, cctx *x, gcase *c) {
  rng *r = &g->r;
  const issue *is = x->is;
  tbuf b;
  int fd = first_demand(x->demands);

  /* title */
  tb_init(&b, c->title, sizeof c->title);
  if (x->fired[R_REPEAT_CUSTOMER] != NONE && rng_chance(r, 0.5))
    tb_add(&b, "再次投诉：");
  expand(&b, is->title, x);
  if (rng_chance(r, 0.5))
    tb_fmt(&b, "，%s", demand_titles[fd]);

  /* description: the scene, the problem, what the reasons say, then (while under six
   * sentences) more of the problem, the demand, history, feelings, a phone number */
  const char *reason_s[R__COUNT];
  int nreason = 0;
  for (int i = 0; i < R__COUNT; i++) {
    const char *s = x->fired[i] == x->reg ? reason_sentence(i, x->indi) : NULL;
    if (s && nreason < 3)
      reason_s[nreason++] = s;
  }
  int more1 = is->text[1] && rng_chance(r, 0.75), more2 = is->text[2] && rng_chance(r, 0.4);
  int demand = rng_chance(r, 0.85), hist = rng_chance(r, 0.4), emo = rng_chance(r, 0.35),
      phone = rng_chance(r, 0.15);
  int count = 2 + nreason;
  more1 &= count < 6, count += more1;
  demand &= count < 6, count += demand;
  more2 &= count < 6, count += more2;
  hist &= count < 6, count += hist;
  emo &= count < 6, count += emo;
  phone &= count < 6;

  tb_init(&b, c->description, sizeof c->description);
  if (c->external)
    tb_fmt(&b, "（%s转办）", g->org.chans[x->chan].name);
  expand(&b, x->ind->openings[rng_below(r, (uint32_t)x->ind->nopenings)], x);
  expand(&b, is->text[0], x);
  if (more1)
    expand(&b, is->text[1], x);
  if (more2)
    expand(&b, is->text[2], x);
  if (hist)
    expand(&b,
           (is->traits & T_PRODUCT) && rng_chance(r, 0.5) ? PICK(r, history_product_sentences)
                                                          : PICK(r, history_sentences),
           x);
  for (int i = 0; i < nreason; i++)
    expand(&b, reason_s[i], x);
  if (emo)
    tb_add(&b, PICK(r, emotion_sentences));
  if (demand) {
    tb_add(&b, PICK(r, demand_openers));
    for (int i = 0, k = 0; i < 9; i++)
      if (x->demands & (1u << i))
        tb_fmt(&b, "%s%s", k++ ? "，并" : "", demand_phrases[i][rng_below(r, 3)]);
    if (c->claimed != NONE)
      tb_fmt(&b, "，共计%s", slot(x, 'J'));
    tb_add(&b, "。");
  }
  if (phone)
    expand(&b, PICK(r, contact_sentences), x);

  /* demand detail */
  if (rng_chance(r, 0.6)) {
    tb_init(&b, c->demand_detail, sizeof c->demand_detail);
    tb_add(&b, "要求");
    for (int i = 0, k = 0; i < 9; i++)
      if (x->demands & (1u << i))
        tb_fmt(&b, "%s%s", k++ ? "；" : "", demand_phrases[i][rng_below(r, 3)]);
    if (c->claimed != NONE)
      tb_fmt(&b, "。索赔金额%s", slot(x, 'J'));
    tb_add(&b, "。");
  }

  /* what the customer seems to want underneath (投诉心理) */
  if (rng_chance(r, 0.25)) {
    static const char *const tags[] = {"respect",     "vent",      "compensation", "balance",
                                       "recognition", "expertise", "revenge"};
    unsigned t = 0;
    if (x->demands & (D_COMPENSATION | D_REFUND))
      t |= 1u << 2;
    if (x->demands & D_APOLOGY)
      t |= 1u << 0;
    if (emo)
      t |= 1u << 1;
    t |= 1u << rng_below(r, rng_chance(r, 0.9) ? 5 : 7);
    tb_init(&b, c->psychology, sizeof c->psychology);
    tb_add(&b, "[");
    for (int i = 0, k = 0; i < 7; i++)
      if (t & (1u << i))
        tb_fmt(&b, "%s\"%s\"", k++ ? "," : "", tags[i]);
    tb_add(&b, "]");
  }
}

/* ---- the lifecycle, replayed -------------------------------------------------------------------
 */

enum {
  EV_ACCEPT,
  EV_ASSIGN,
  EV_SUSPEND,
  EV_RESUME,
  EV_PROPOSE,
  EV_APPROVE,
  EV_RESOLVE,
  EV_FOLLOW_UP,
  EV_CLOSE,
  EV_REJECT,
  EV_WITHDRAW
};

typedef struct {
  int64_t at;
  int kind;
  int arg; /* follow-up: satisfaction; close: 1 when the follow-up was waived */
} event;

/* The lifecycle's action names (core/lifecycle.c), which are the clocks' events. */
static const char *const event_names[] = {"accept",  "assign",  "suspend", "resume",
                                          "propose", "approve", "resolve", "follow_up",
                                          "close",   "reject",  "withdraw"};
_Static_assert(sizeof event_names / sizeof event_names[0] == EV_WITHDRAW + 1,
               "one name per event kind");

/* Notes a moment for the clocks (sla_replay). */
static void moment_add(cctx *x, int64_t at, const char *name, int level) {
  if (x->nmom >= MAX_MOMENTS) {
    x->nmom = MAX_MOMENTS + 1; /* too many: the case is refused (sla_replay) */
    return;
  }
  x->mom[x->nmom] = (sla_moment){at, x->nmom, name, level};
  x->nmom++;
}

#define MAX_EVENTS 20

/* Done in office hours: everything but the customer's withdrawal and the end of a hold;
 * a g3/g4 case is accepted and assigned at night too (the duty manager, DOMAIN §3). */
static int is_office_event(int kind, int level) {
  if (level >= 3 && (kind == EV_ACCEPT || kind == EV_ASSIGN))
    return 0;
  return kind != EV_RESUME && kind != EV_WITHDRAW;
}

/* The case's whole life as planned from its registration (some of it after the end, and
 * so never happening here). Returns the number of events. */
static int plan_events(gen *g, cctx *x, event *ev, int level) {
  rng *r = &g->r;
  double off[MAX_EVENTS];
  int kind[MAX_EVENTS], arg[MAX_EVENTS], n = 0;
  double t = 0, f = level <= 1 ? 1.0 : level == 2 ? 1.5 : level == 3 ? 2.2 : 3.0;
  int resume_at = -1, resolve_at = -1;
#define ADD(k, dt, a) (t += (dt), off[n] = t, kind[n] = (k), arg[n] = (a), n++)
  ADD(EV_ACCEPT, (double)rng_range(r, 2 * MINUTE, 2 * HOUR) / f, 0); /* g3: 4 h, g4: 2 h */
  double reject_p = (x->is->traits & T_INVALID) ? 0.35 : 0.055;
  if (rng_chance(r, reject_p)) {
    if (rng_chance(r, 0.5)) {
      ADD(EV_ASSIGN, (double)rng_range(r, 10 * MINUTE, 8 * HOUR), 0);
      ADD(EV_REJECT, (double)rng_range(r, 4 * HOUR, 4 * DAY), 0);
    } else {
      ADD(EV_REJECT, (double)rng_range(r, HOUR, 3 * DAY), 0);
    }
  } else {
    /* against the clocks (clock_limits): a solution within 24 hours of the assignment, the
     * approval within 4 (2 for g4), the follow-up within 24 hours of the resolution; most
     * are in time, a few per cent are not, and a night in between makes more of them late */
    ADD(EV_ASSIGN, (double)rng_range(r, 10 * MINUTE, 8 * HOUR) * sqrt(f), 0);
    ADD(EV_PROPOSE, fmax(30.0 * MINUTE, rng_lognormal(r, 6.0 * HOUR, 0.65)), 0);
    ADD(EV_APPROVE, fmax(10.0 * MINUTE, rng_lognormal(r, HOUR / sqrt(f), 0.8)), 0);
    /* on hold (未了事宜: parts on order, a test report) once the solution is approved */
    if (rng_chance(r, 0.05) || (x->long_case && rng_chance(r, 0.5))) {
      ADD(EV_SUSPEND, (double)rng_range(r, 2 * HOUR, 2 * DAY), 0);
      resume_at = n;
      ADD(EV_RESUME, rng_lognormal(r, 5.0 * DAY, 0.6), 0);
    }
    /* the resolution, against its clock (5, 10, 15, 30 working days: about 7, 14, 21 and
     * 42 days): most in time, 5-10 % late; a 12315 referral sooner (its platform wants the
     * result within 10 working days) */
    static const double resolve_median_h[] = {0, 46, 110, 190, 260};
    double median = resolve_median_h[level < 1 ? 1 : level > 4 ? 4 : level] * HOUR;
    if (!strcmp(g->org.chans[x->chan].code, "regulator_12315") && median > 80.0 * HOUR)
      median = 80.0 * HOUR;
    resolve_at = n;
    ADD(EV_RESOLVE, fmax(30.0 * MINUTE, rng_lognormal(r, median, 0.7)), 0);
    int reopen = rng_chance(r, 0.03);
    if (reopen) { /* dissatisfied at the follow-up: reopened */
      ADD(EV_FOLLOW_UP, fmax(HOUR, rng_lognormal(r, 4.0 * HOUR, 0.8)), 1 + (int)rng_below(r, 2));
      ADD(EV_PROPOSE, rng_lognormal(r, 30.0 * HOUR, 0.7), 0);
      ADD(EV_APPROVE, fmax(10.0 * MINUTE, rng_lognormal(r, HOUR, 0.8)), 0);
      ADD(EV_RESOLVE, rng_lognormal(r, 36.0 * HOUR, 0.8), 0);
    }
    if (!reopen && rng_chance(r, 0.04)) { /* closed without a follow-up, with the reason */
      ADD(EV_CLOSE, (double)rng_range(r, HOUR, 30 * HOUR), 1);
    } else {
      double u = rng_unit(r);
      int score = u < 0.55 ? 5 : u < 0.85 ? 4 : 3;
      ADD(EV_FOLLOW_UP, fmax(HOUR, rng_lognormal(r, 4.0 * HOUR, 0.8)), score);
      ADD(EV_CLOSE, (double)rng_range(r, 5 * MINUTE, 3 * HOUR), 0);
    }
    if (rng_chance(r, 0.02)) { /* withdrawn part of the way */
      double w = t * (0.1 + 0.7 * rng_unit(r));
      while (n > 1 && off[n - 1] >= w)
        n--;
      t = w;
      off[n] = w, kind[n] = EV_WITHDRAW, arg[n] = 0, n++;
      resume_at = resume_at < n ? resume_at : -1;
      resolve_at = resolve_at < n ? resolve_at : -1;
    }
  }
#undef ADD
  /* fit the life into the time the rules allow: under 30 days, or past them when the case
   * is meant to be a long one (then the wait is in the suspension or the resolution) */
  double gap = (double)(x->reg - x->recv);
  const rule_t *open = &g->org.rules[R_OPEN30];
  double days = (double)(open->days > 0 ? open->days : 30);
  if (x->long_case) {
    double target = (days + 2 + rng_unit(r) * 88) * DAY - gap;
    int k = resume_at >= 0 ? resume_at : resolve_at;
    if (target > t && k >= 0)
      for (int i = k; i < n; i++)
        off[i] += target - t;
  } else {
    double cap = (days - 1.5) * DAY - gap;
    if (t > cap)
      for (int i = 0; i < n; i++)
        off[i] *= cap / t;
  }
  /* an action moved out of the night moves the ones after it too (the work starts in the
   * morning, it is not squeezed into a minute), by up to 12 hours in all so that the
   * 30-day margin above holds */
  int64_t shift = 0;
  for (int i = 0; i < n; i++) {
    int64_t at = x->reg + (int64_t)off[i] + shift;
    if (is_office_event(kind[i], level)) {
      int64_t moved = kind[i] == EV_PROPOSE ? desk_time(r, at) : office_time(r, at);
      if (shift + (moved - at) <= 12 * HOUR)
        shift += moved - at;
      at = moved;
    }
    if (i > 0 && at <= ev[i - 1].at)
      at = ev[i - 1].at + MINUTE;
    ev[i].at = at, ev[i].kind = kind[i], ev[i].arg = arg[i];
  }
  return n;
}

/* A reason and when it fired, for grade_reasons in the order they fired. */
typedef struct {
  int64_t at;
  int sort;
  int reason; /* R__COUNT: the reopening's own step up */
} fired_t;

static int fired_cmp(const void *a, const void *b) {
  const fired_t *x = a, *y = b;
  if (x->at != y->at)
    return x->at < y->at ? -1 : 1;
  return x->sort < y->sort ? -1 : x->sort > y->sort;
}

typedef struct {
  fired_t f[R__COUNT + 2];
  int n, next;
  int level;
  tbuf json;
  int entries;
} grading;

/* Applies the reasons that fired up to t: the grade rises, their entries are written. */
static void grading_until(gen *g, grading *gr, int64_t t) {
  while (gr->next < gr->n && gr->f[gr->next].at <= t) {
    const fired_t *f = &gr->f[gr->next++];
    const rule_t *rule = &g->org.rules[f->reason];
    if (rule->grade > gr->level) {
      gr->level = rule->grade;
      moment_add(&g->x, f->at, NULL, gr->level); /* the open clocks follow the grade */
    }
    tb_fmt(&gr->json, "%s%s", gr->entries++ ? "," : "", rule->json);
  }
}

/* The reopening: one grade up, and the rule of a repeat after handling. */
static void grading_reopen(gen *g, grading *gr, int64_t t) {
  grading_until(g, gr, t);
  gr->level = gr->level < 4 ? gr->level + 1 : 4;
  tb_fmt(&gr->json, "%s{\"rule\":\"reopened\",\"grade\":\"g%d\",\"text\":\"%s\"}",
         gr->entries++ ? "," : "", gr->level,
         "重新打开的投诉至少上调一级 (reopened: at least one grade up)");
  const rule_t *rep = &g->org.rules[R_REPEAT_HANDLING];
  if (rep->present) {
    if (rep->grade > gr->level)
      gr->level = rep->grade;
    tb_fmt(&gr->json, ",%s", rep->json);
    gr->entries++;
  }
  moment_add(&g->x, t, NULL, gr->level);
}

static const char *solution_type_of(int demand) {
  static const char *const map[] = {"refund",  "return",      "exchange",
                                    "repair",  "discount",    "compensation",
                                    "apology", "explanation", "free_service"};
  return map[demand];
}

static int loss_of_type(const char *type) {
  if (!strcmp(type, "refund"))
    return LS_REFUND;
  if (!strcmp(type, "compensation"))
    return LS_COMPENSATION;
  if (!strcmp(type, "discount"))
    return LS_DISCOUNT;
  if (!strcmp(type, "repair"))
    return LS_REPAIR;
  if (!strcmp(type, "return") || !strcmp(type, "exchange") || !strcmp(type, "reship"))
    return LS_GOODS;
  if (!strcmp(type, "gift") || !strcmp(type, "free_service"))
    return LS_GIFT;
  return -1;
}

static void solution_desc(gen *g, cctx *x, const char *type, int64_t amount, char *out,
                          size_t outsz) {
  char y[48];
  yuan_cn(amount, y, sizeof y);
  if (!strcmp(type, "refund"))
    snprintf(out, outsz, "退还%s", y);
  else if (!strcmp(type, "return"))
    snprintf(out, outsz, "办理退货，全额退款%s", y);
  else if (!strcmp(type, "exchange"))
    snprintf(out, outsz, "更换同型号新品（%s）", slot(x, 'M'));
  else if (!strcmp(type, "repair"))
    snprintf(out, outsz, "免费维修，更换%s", slot(x, 'Y'));
  else if (!strcmp(type, "discount"))
    snprintf(out, outsz, "本次费用优惠%s", y);
  else if (!strcmp(type, "compensation"))
    snprintf(out, outsz, "赔偿误工费、交通费等共计%s", y);
  else if (!strcmp(type, "gift"))
    snprintf(out, outsz, "赠送价值%s的礼品", y);
  else if (!strcmp(type, "free_service"))
    snprintf(out, outsz, "%s",
             x->indi == IND_CAR ? "赠送两次免费保养" : "提供一次免费上门检测服务");
  else if (!strcmp(type, "apology"))
    snprintf(out, outsz, "由%s负责人向客户当面致歉",
             x->dept >= 0 ? g->org.units[x->dept].name : "门店");
  else
    snprintf(out, outsz, "向客户说明原因：%s", x->is->finding);
}

/* The items of one proposal: what the first demand asks, sometimes an apology and a gift,
 * now and then two alternatives (A: money, B: a service) for the customer to choose. */
static void make_solutions(gen *g, cctx *x, gcase *c, int64_t proposal, int64_t at, const char *by,
                           int64_t paid) {
  rng *r = &g->r;
  /* all a case books stays under the major-loss threshold unless that rule graded it:
   * 70 % for the first proposal, a quarter of that for a second, gifts and freight */
  int64_t cap = major_loss_cents(g) * 7 / 10, cost = x->cost;
  if (x->fired[R_MAJOR_LOSS] != NONE && c->claimed != NONE)
    cost = c->claimed * (int64_t)rng_range(r, 30, 90) / 100;
  else if (cost > cap)
    cost = cap;
  if (proposal > 1) { /* after a reopening: a top-up and an apology, not the remedy again */
    if (c->nsolutions + 2 > MAX_SOLUTIONS)
      return;
    g_solution *s = &c->solutions[c->nsolutions++];
    s->proposal = proposal, s->at = at, s->by = by, s->type = "compensation", s->option = NULL;
    s->amount = (cost / 4 > 5000 ? cost / 4 : 5000) / 100 * 100;
    solution_desc(g, x, s->type, s->amount, s->desc, sizeof s->desc);
    s = &c->solutions[c->nsolutions++];
    s->proposal = proposal, s->at = at, s->by = by, s->type = "apology", s->amount = 0,
    s->option = NULL;
    solution_desc(g, x, s->type, 0, s->desc, sizeof s->desc);
    return;
  }
  const char *type = solution_type_of(first_demand(x->demands));
  if (rng_chance(r, 0.3) && x->fired[R_MAJOR_LOSS] == NONE) /* explained, no money */
    type = rng_chance(r, 0.5) ? "explanation" : "apology";
  int64_t amount = !strcmp(type, "return")                                      ? paid
                   : !strcmp(type, "exchange")                                  ? paid / 2
                   : (!strcmp(type, "apology") || !strcmp(type, "explanation")) ? 0
                                                                                : cost;
  if (amount > cap && x->fired[R_MAJOR_LOSS] == NONE)
    amount = cap;
  if (c->nsolutions + 4 > MAX_SOLUTIONS)
    return;
  int options = amount > 0 && (amount * 12 / 10 <= cap || x->fired[R_MAJOR_LOSS] != NONE) &&
                rng_chance(r, 0.08);
  g_solution *s = &c->solutions[c->nsolutions++];
  s->proposal = proposal, s->at = at, s->by = by, s->type = type, s->amount = amount / 100 * 100;
  s->option = options ? "A" : NULL;
  solution_desc(g, x, type, s->amount, s->desc, sizeof s->desc);
  if (options) {
    s = &c->solutions[c->nsolutions++];
    s->proposal = proposal, s->at = at, s->by = by, s->type = "free_service", s->option = "B";
    s->amount = amount * 12 / 10 / 100 * 100;
    solution_desc(g, x, s->type, s->amount, s->desc, sizeof s->desc);
  }
  if (strcmp(type, "apology") && rng_chance(r, 0.35)) {
    s = &c->solutions[c->nsolutions++];
    s->proposal = proposal, s->at = at, s->by = by, s->type = "apology", s->amount = 0,
    s->option = NULL;
    solution_desc(g, x, s->type, 0, s->desc, sizeof s->desc);
  }
  if (rng_chance(r, 0.1)) {
    s = &c->solutions[c->nsolutions++];
    s->proposal = proposal, s->at = at, s->by = by, s->type = "gift", s->option = NULL;
    s->amount = (int64_t)rng_range(r, 5, 30) * 1000;
    solution_desc(g, x, s->type, s->amount, s->desc, sizeof s->desc);
  }
}

static void add_note(gcase *c, int64_t at, const char *author, const char *tpl, const cctx *x) {
  if (c->nnotes >= MAX_NOTES || !author)
    return;
  g_note *n = &c->notes[c->nnotes++];
  n->at = at;
  n->author = author;
  EXPAND_INTO(n->text, tpl, x);
}

static void add_contact(gcase *c, int64_t at, const char *by, const char *method, const char *dir,
                        int reached, const char *tpl, const cctx *x) {
  if (c->ncontacts >= MAX_CONTACTS || !by)
    return;
  g_contact *k = &c->contacts[c->ncontacts++];
  k->at = at, k->by = by, k->method = method, k->direction = dir, k->reached = reached;
  EXPAND_INTO(k->summary, tpl, x);
}

static int64_t before(int64_t want, int64_t limit) {
  return want < limit ? want : limit - MINUTE;
}

/* Replays the planned life up to the end (g->t_end), setting the columns as
 * src/core/lifecycle.c does and writing the notes, contacts, solutions, promises,
 * improvement actions and penalties along the way. */
static void replay(gen *g, cctx *x, gcase *c, event *ev, int n) {
  rng *r = &g->r;
  grading gr;
  int64_t paid = c->s_amount_paid != NONE ? c->s_amount_paid : x->cost * 2;
  int64_t raised_at = NONE, last = x->reg;
  int handler = -1;
  const char *owner = c->owner;
  int64_t proposal = 0;
  const char *chosen = NULL;
  memset(&gr, 0, sizeof gr);
  tb_init(&gr.json, c->grade_reasons, sizeof c->grade_reasons);
  tb_add(&gr.json, "[");
  gr.level = 1;

  /* the customer calls again (raised_twice) while the case is open, before the end */
  if (x->fired[R_RAISED] == x->reg) {
    int64_t open_until = g->t_end;
    for (int i = 0; i < n; i++)
      if (ev[i].kind == EV_CLOSE || ev[i].kind == EV_REJECT || ev[i].kind == EV_WITHDRAW ||
          ev[i].kind == EV_RESOLVE) {
        open_until = ev[i].at < open_until ? ev[i].at : open_until;
        break;
      }
    if (open_until - x->reg > 40 * MINUTE) {
      raised_at =
          x->reg + 20 * MINUTE +
          (int64_t)((double)(open_until - x->reg - 30 * MINUTE) * (0.1 + 0.5 * rng_unit(r)));
      x->fired[R_RAISED] = raised_at;
      static const char *const calls[] = {
          "客户再次来电催促处理进度，表示之前反映的问题一直没人处理，情绪较激动。",
          "客户到店询问处理结果，对处理进度很不满意，要求尽快给出方案。",
          "客户第二次来电反映同一问题，要求主管出面处理。"};
      int visit = rng_chance(r, 0.3);
      add_contact(c, raised_at, owner, visit ? "visit" : "phone", "inbound", 1,
                  calls[visit ? 1 : rng_chance(r, 0.5) * 2], x);
    } else {
      x->fired[R_RAISED] = NONE;
    }
  }
  for (int i = 0; i < R__COUNT; i++)
    if (x->fired[i] != NONE && x->fired[i] <= g->t_end) {
      gr.f[gr.n].at = x->fired[i];
      gr.f[gr.n].sort = g->org.rules[i].sort;
      gr.f[gr.n].reason = i;
      gr.n++;
    }
  qsort(gr.f, (size_t)gr.n, sizeof gr.f[0], fired_cmp);
  grading_until(g, &gr, x->reg);
  x->level0 = gr.level; /* the clocks start at this grade; later changes are moments */
  x->nmom = 0;
  x->handler_u = -1;

  c->status = "received";
  for (int i = 0; i < n && ev[i].at <= g->t_end; i++) {
    int64_t at = ev[i].at, next = i + 1 < n ? ev[i + 1].at : at + DAY;
    grading_until(g, &gr, at);
    last = at;
    moment_add(x, at, event_names[ev[i].kind], 0);
    switch (ev[i].kind) {
    case EV_ACCEPT:
      c->accepted_at = at;
      c->status = "accepted";
      break;
    case EV_ASSIGN: {
      handler = -1;
      if (x->dept >= 0)
        handler = user_in(g, g->org.handlers, g->org.nhandlers, g->org.units[x->dept].id);
      else
        handler = pick_user(g, g->org.handlers, g->org.nhandlers);
      c->handler = username(g, handler);
      x->handler_u = handler;
      c->assigned_at = at;
      c->status = "investigating";
      if (rng_chance(r, 0.3))
        add_note(c, at, owner, "已转{O}相关负责人及责任部门调查处理，请经办人尽快联系客户。", x);
      /* the handler's first contact (clock first_contact: 24 hours, 4 for g3, 1 for g4):
       * the graver the case, the sooner the call; in office hours */
      if (rng_chance(r, 0.985)) {
        static const double median_h[] = {0, 3.0, 2.0, 0.8, 0.25};
        double dt = fmax(5.0 * MINUTE, rng_lognormal(r, median_h[gr.level] * HOUR, 0.85));
        int64_t t = at + (int64_t)dt;
        t = before(gr.level >= 3 ? t : office_time(r, t), next);
        if (t <= g->t_end && t > at) {
          int reached = rng_chance(r, 0.88);
          static const char *const reach[] = {
              "电话联系客户，说明投诉已受理并转责任部门处理，客户表示理解。",
              "电话联系{c}核实情况，约定{E}之前给出答复。", "上门拜访{c}，当面查看问题并致歉。"};
          int k = (int)rng_below(r, 3);
          add_contact(c, t, c->handler ? c->handler : owner,
                      reached ? (k == 2 ? "visit" : "phone") : "phone", "outbound", reached,
                      reached ? reach[k] : "致电客户未接通，已发短信告知受理情况和处理时限。", x);
          /* not reached: most handlers try again within hours, before the case ends */
          int64_t end_at = g->t_end;
          for (int j = i + 1; j < n; j++)
            if (ev[j].kind == EV_RESOLVE || ev[j].kind == EV_CLOSE || ev[j].kind == EV_REJECT ||
                ev[j].kind == EV_WITHDRAW) {
              end_at = ev[j].at < end_at ? ev[j].at : end_at;
              break;
            }
          int64_t t2 = before(
              office_time(r, t + (int64_t)fmax(20.0 * MINUTE, rng_lognormal(r, 2.5 * HOUR, 0.8))),
              end_at);
          if (!reached && rng_chance(r, 0.9) && t2 > t && t2 <= g->t_end)
            add_contact(c, t2, c->handler ? c->handler : owner, "phone", "outbound", 1,
                        "再次致电{c}，已接通，说明受理情况和处理时限，客户表示理解。", x);
        }
      }
      /* a site visit was needed (clock site_visit: 2 working days, 1 for g4): the handler
       * goes before proposing a solution, mostly in time */
      if (c->site_visit && rng_chance(r, 0.93)) {
        int64_t t = before(
            office_time(r, at + (int64_t)fmax(30.0 * MINUTE, rng_lognormal(r, 5.0 * HOUR, 0.7))),
            next);
        if (t > at && t <= g->t_end)
          add_contact(c, t, c->handler ? c->handler : owner, "visit", "outbound", 1,
                      "上门勘查：{T}到现场查看{p}情况并拍照取证，当面向{c}说明后续处理安排。", x);
      }
      if (rng_chance(r, 0.35)) { /* cause and responsibility already recorded */
        c->root_cause = rng_chance(r, 0.8) ? x->is->root : PICK(r, root_causes);
        c->service_stage = stage_of(g, x->is);
      }
      if (rng_chance(r, 0.12) && c->npromises < MAX_PROMISES) {
        g_promise *p = &c->promises[c->npromises++];
        char d[48];
        p->at = at + HOUR;
        p->by = c->handler ? c->handler : owner;
        p->due = p->at + (int64_t)rng_range(r, 2, 5) * DAY;
        date_cn(r, p->due, p->at, d, sizeof d);
        snprintf(p->text, sizeof p->text, "%s前给客户答复处理结果", d);
        p->kept = p->settled = NONE;
        if (p->due <= g->t_end) {
          p->kept = rng_chance(r, 0.8);
          p->settled = p->kept ? p->due - (int64_t)rng_range(r, HOUR, DAY) : p->due + HOUR;
          if (p->settled <= p->at)
            p->settled = p->at + HOUR;
        }
      }
      break;
    }
    case EV_SUSPEND: {
      char d[16];
      c->pending_from = c->status;
      snprintf(c->pending_reason, sizeof c->pending_reason, "%s", PICK(r, pending_reasons));
      date_iso(at + (int64_t)rng_range(r, 7, 30) * DAY, d);
      snprintf(c->pending_remind_on, sizeof c->pending_remind_on, "%s", d);
      c->status = "pending";
      char tpl[400];
      if (FMT(tpl, "转为未了事宜：%s，已告知客户，下次提醒日%s。", c->pending_reason, d))
        add_note(c, at, c->handler ? c->handler : owner, tpl, x);
      break;
    }
    case EV_RESUME:
      c->status = c->pending_from ? c->pending_from : "investigating";
      c->pending_from = NULL;
      c->pending_reason[0] = c->pending_remind_on[0] = '\0';
      break;
    case EV_PROPOSE: {
      const char *by = c->handler ? c->handler : owner;
      proposal++;
      c->proposal_no = proposal;
      c->consent = NONE;
      c->chosen_option = NULL;
      c->status = "proposed";
      if (!c->root_cause)
        c->root_cause = rng_chance(r, 0.8) ? x->is->root : PICK(r, root_causes);
      if (!c->service_stage)
        c->service_stage = stage_of(g, x->is);
      if (!c->responsibility) {
        const char *rc = c->root_cause;
        c->responsibility = !strcmp(rc, "supplier")    ? "supplier"
                            : !strcmp(rc, "logistics") ? (rng_chance(r, 0.6) ? "logistics" : "ours")
                            : !strcmp(rc, "customer")
                                ? (rng_chance(r, 0.6) ? "customer" : "customer_ours")
                            : !strcmp(rc, "material") && rng_chance(r, 0.5) ? "supplier"
                            : rng_chance(r, 0.93)                           ? "ours"
                                                                            : "third_party";
        c->validity = !strncmp(c->responsibility, "customer", 8) || rng_chance(r, 0.15)
                          ? "partly_valid"
                          : "valid";
        c->nature = "complaint";
      }
      if (proposal == 1 && rng_chance(r, 0.6)) {
        char tpl[600];
        if (FMT(tpl, "经{T}检测核实：%s。", x->is->finding))
          add_note(c, at - (int64_t)rng_range(r, 10 * MINUTE, HOUR), by, tpl, x);
      }
      make_solutions(g, x, c, proposal, at, by, paid);
      break;
    }
    case EV_APPROVE:
      c->status = "approved";
      break;
    case EV_RESOLVE: {
      int options = 0;
      for (int k = 0; k < c->nsolutions; k++)
        options |= c->solutions[k].proposal == proposal && c->solutions[k].option;
      chosen = options ? (rng_chance(r, 0.6) ? "A" : "B") : NULL;
      c->consent = 1;
      c->chosen_option = chosen;
      c->resolved_at = at;
      c->fu_due_at = at + 24 * HOUR;
      c->status = "resolved";
      /* losses booked from the accepted proposal (ts_solutions_book) */
      int goods = 0;
      for (int k = 0; k < c->nsolutions; k++) {
        const g_solution *s = &c->solutions[k];
        int li = loss_of_type(s->type);
        if (s->proposal != proposal || li < 0 || s->amount <= 0 ||
            (s->option && (!chosen || strcmp(s->option, chosen))))
          continue;
        c->loss[li] = (c->loss[li] == NONE ? 0 : c->loss[li]) + s->amount;
        goods |= li == LS_GOODS;
      }
      if (goods && rng_chance(r, 0.4)) /* freight both ways, entered afterwards */
        c->loss[LS_FREIGHT] = (int64_t)rng_range(r, 15, 60) * 100;
      if (rng_chance(r, 0.02))
        c->loss[LS_OTHER] = (int64_t)rng_range(r, 50, 500) * 100;
      for (int k = 0; k < LS__COUNT; k++)
        if (c->loss[k] != NONE && c->loss[k] > 0)
          c->attributed_to = c->responsibility;
      if (rng_chance(r, 0.4)) {
        char tpl[700];
        const char *desc = "";
        for (int k = 0; k < c->nsolutions; k++)
          if (c->solutions[k].proposal == proposal &&
              (!c->solutions[k].option || (chosen && !strcmp(c->solutions[k].option, chosen)))) {
            desc = c->solutions[k].desc;
            break;
          }
        if (FMT(tpl, "向客户说明处理方案：%s，客户同意。", desc))
          add_contact(c, at - (int64_t)rng_range(r, 10 * MINUTE, 2 * HOUR),
                      c->handler ? c->handler : owner, rng_chance(r, 0.7) ? "phone" : "wechat",
                      "outbound", 1, tpl, x);
      }
      break;
    }
    case EV_FOLLOW_UP: {
      int sat = ev[i].arg;
      c->satisfaction = sat;
      c->fu_at = at;
      c->fu_by = owner;
      c->fu_method = PICK(r, fu_methods);
      snprintf(c->fu_comment, sizeof c->fu_comment, "%s", fu_comments[sat][rng_below(r, 2)]);
      if (sat <= 2) { /* dissatisfied: the case opens again (DOMAIN §7) */
        c->reopen_count++;
        c->closed_at = c->resolved_at = c->fu_due_at = c->fu_at = NONE;
        c->fu_by = c->fu_method = NULL;
        c->fu_comment[0] = c->fu_waived[0] = '\0';
        c->status = "investigating";
        grading_reopen(g, &gr, at);
        moment_add(x, at, "reopen", 0);
      }
      break;
    }
    case EV_CLOSE: {
      tbuf b;
      const char *desc = "";
      for (int k = 0; k < c->nsolutions; k++)
        if (c->solutions[k].proposal == proposal &&
            (!c->solutions[k].option || (chosen && !strcmp(c->solutions[k].option, chosen)))) {
          desc = c->solutions[k].desc;
          break;
        }
      tb_init(&b, c->summary, sizeof c->summary);
      tb_add(&b, "经调查，");
      expand(&b, x->is->finding, x);
      tb_fmt(&b, "。已按方案%s，客户对处理结果表示%s。", desc, PICK(r, consent_words));
      if (ev[i].arg) {
        snprintf(c->fu_waived, sizeof c->fu_waived, "%s", PICK(r, fu_waived_reasons));
      }
      if (gr.level >= 2 || rng_chance(r, 0.25)) {
        const char *stage = named_name(g->org.stages, g->org.nstages, c->service_stage);
        int rc_i = 0;
        for (int k = 0; k < NELEM(root_causes); k++)
          if (c->root_cause && !strcmp(root_causes[k], c->root_cause))
            rc_i = k;
        snprintf(c->lessons, sizeof c->lessons,
                 "%s%s环节暴露出%"
                 "s方面的问题。已组织相关人员学习服务规范，并将此类问题纳入月度质量分析。",
                 stage[0] ? stage : "", stage[0] ? "" : "服务", root_cause_zh[rc_i]);
      }
      /* improvement actions: one at least from g2 up (the close requires it) */
      int nimp = gr.level >= 2 ? 1 + rng_chance(r, 0.3) : rng_chance(r, 0.1);
      for (int k = 0; k < nimp && c->nimprovements < MAX_IMPROVEMENTS; k++) {
        static const char *const kinds[] = {"training", "process", "rule", "other"};
        static const char *const descs[] = {
            "组织{O}相关员工开展服务规范和业务技能培训", "修订相关环节作业流程，增加复核节点",
            "完善此类投诉的考核办法并纳入绩效", "对同批次{p}开展排查，跟踪同类问题"};
        int kk = (int)rng_below(r, 4);
        g_improvement *im = &c->improvements[c->nimprovements++];
        int64_t due = at + (int64_t)rng_range(r, 14, 60) * DAY;
        im->kind = kinds[kk];
        EXPAND_INTO(im->desc, descs[kk], x);
        im->owner = x->manager >= 0 ? username(g, x->manager) : owner;
        date_iso(due, im->due);
        im->by = c->handler ? c->handler : owner;
        im->at = at - (int64_t)rng_range(r, 10 * MINUTE, 90 * MINUTE); /* just before the close */
        im->done_at = NONE;
        im->status = "open";
        if (due - 7 * DAY <= g->t_end && rng_chance(r, 0.8)) {
          im->status = "done";
          im->done_at = office_time(r, due - (int64_t)rng_range(r, 1, 7) * DAY);
          if (im->done_at <= at)
            im->done_at = at + DAY;
          if (im->done_at > g->t_end)
            im->status = "open", im->done_at = NONE;
        } else if (rng_chance(r, 0.03)) {
          im->status = "cancelled";
        }
      }
      /* penalties for the people responsible (问责), when the fault is ours */
      if (gr.level >= 2 && c->responsibility && !strcmp(c->responsibility, "ours") &&
          rng_chance(r, 0.35)) {
        static const char *const pkinds[] = {"notice", "fine", "performance_pay", "hr_review"};
        g_penalty *p = &c->penalties[c->npenalties++];
        const char *role = x->ind->roles[rng_below(r, 3)];
        if (!FMT(p->person, "%s%s（%s）", surname_pick(r),
                 rng_chance(r, 0.55) ? PICK(r, given_male) : PICK(r, given_female), role))
          snprintf(p->person, sizeof p->person, "%s", role);
        double u = rng_unit(r);
        p->kind = pkinds[u < 0.4 ? 0 : u < 0.75 ? 1 : u < 0.97 ? 2 : 3];
        p->amount = !strcmp(p->kind, "fine") ? (int64_t)rng_range(r, 1, 10) * 10000 : NONE;
        p->share = !strcmp(p->kind, "performance_pay") ? (int64_t)rng_range(r, 5, 20) : NONE;
        if (!FMT(p->reason, "对“%s”负有直接责任", c->title))
          snprintf(p->reason, sizeof p->reason, "对本投诉负有直接责任");
        p->by = x->manager >= 0 ? username(g, x->manager) : owner;
        p->at = office_time(r, at + (int64_t)rng_range(r, HOUR, 3 * DAY));
        p->approved_by = p->executed_by = NULL;
        p->approved_at = p->executed_at = NONE;
        p->status = "proposed";
        if (p->at > g->t_end) {
          c->npenalties--;
        } else {
          int64_t ap = office_time(r, p->at + (int64_t)rng_range(r, HOUR, 5 * DAY));
          int64_t ex = office_time(r, ap + (int64_t)rng_range(r, DAY, 30 * DAY));
          const char *approver = x->supervisor >= 0 ? username(g, x->supervisor) : NULL;
          /* decided within days, executed with a month's pay; a few approved ones are
           * never carried out and stay on the report's not-executed list for good */
          if (approver && ap <= g->t_end) {
            if (rng_chance(r, 0.9)) {
              p->status = "approved", p->approved_by = approver, p->approved_at = ap;
              if (ex <= g->t_end && rng_chance(r, 0.97))
                p->status = "executed", p->executed_by = p->by, p->executed_at = ex;
            } else {
              p->status = "cancelled"; /* not upheld */
            }
          }
        }
      }
      c->closed_at = at;
      c->status = "closed";
      break;
    }
    case EV_REJECT: {
      const char *why = x->is->invalid ? x->is->invalid : "misunderstanding";
      if (rng_chance(r, 0.15))
        why = reply_of_invalid[rng_below(r, NELEM(reply_of_invalid))][0];
      c->validity = "invalid";
      c->invalid_reason = why;
      for (int k = 0; k < NELEM(reply_of_invalid); k++)
        if (!strcmp(reply_of_invalid[k][0], why))
          snprintf(c->reply, sizeof c->reply, "%s", reply_of_invalid[k][1]);
      c->nature = !strcmp(why, "beyond_reasonable")  ? "abnormal"
                  : !strcmp(why, "misunderstanding") ? "request"
                  : rng_chance(r, 0.5)               ? "complaint"
                                                     : NULL;
      c->closed_at = at;
      c->status = "rejected";
      break;
    }
    case EV_WITHDRAW:
      snprintf(c->withdraw_reason, sizeof c->withdraw_reason, "%s", PICK(r, withdraw_reasons));
      c->closed_at = at;
      c->pending_from = NULL;
      c->pending_reason[0] = c->pending_remind_on[0] = '\0';
      c->status = "withdrawn";
      break;
    }
  }
  /* still pending: the monthly reminder (the 4th, DOMAIN §5) has moved the date on */
  if (!strcmp(c->status, "pending")) {
    char today[16];
    date_iso(g->t_end, today);
    if (strcmp(c->pending_remind_on, today) < 0) {
      int y, m, d;
      local_date(g->t_end, &y, &m, &d);
      snprintf(c->pending_remind_on, sizeof c->pending_remind_on, "%04d-%02d-04",
               (m == 12 ? y + 1 : y) % 10000, (m == 12 ? 1 : m + 1) % 100);
    }
  }
  grading_until(g, &gr, g->t_end);
  tb_add(&gr.json, "]");
  if (!gr.entries || gr.json.full)
    c->grade_reasons[0] = '\0';
  snprintf(c->grade, sizeof c->grade, "g%d", gr.level);
  c->escalation_tier = gr.level;

  /* updated: the last change, a contact or note included */
  for (int i = 0; i < c->ncontacts; i++)
    last = c->contacts[i].at > last && c->contacts[i].at <= g->t_end ? c->contacts[i].at : last;
  c->updated_at = last;
}

/* ---- the clocks ------------------------------------------------------------------------------ */

/* By time; at one instant a change of grade first (the server regrades a case's clocks
 * before it applies the events of the action that changed the grade), then as noted. */
static int moment_cmp(const void *a, const void *b) {
  const sla_moment *p = a, *q = b;
  if (p->at != q->at)
    return p->at < q->at ? -1 : 1;
  if (!p->event != !q->event)
    return p->event ? 1 : -1;
  return p->order < q->order ? -1 : p->order > q->order;
}

#define TIER_ROLES (TS_ROLE_SUPERVISOR | TS_ROLE_DEPT_MANAGER | TS_ROLE_GENERAL_MANAGER)

/* The unit a case is escalated to at its level-th breach, as the server's breach finds it
 * (svc/sla.c on_breach): level units above its department (else its outlet), then the
 * first unit from there up where a supervisor, department manager or general manager
 * works. NONE when the case has neither. */
static int64_t escalation_unit(const gen *g, int64_t base, int64_t level) {
  const org *o = &g->org;
  int u = base == NONE ? -1 : unit_by_id(o, base);
  if (u < 0)
    return NONE;
  for (int64_t i = 0; i < level && o->units[u].parent; i++) {
    int p = unit_by_id(o, o->units[u].parent);
    if (p < 0)
      break;
    u = p;
  }
  int64_t up = o->units[u].id;
  for (int k = u; k >= 0; k = o->units[k].parent ? unit_by_id(o, o->units[k].parent) : -1)
    for (int i = 0; i < o->nusers; i++)
      if (o->users[i].unit == o->units[k].id && (o->users[i].roles & TIER_ROLES))
        return o->units[k].id;
  return up;
}

/* The case's clocks as the server would have left them at the end of --end (see the top
 * of the file): the registration's events, then the moments noted by the replay and the
 * outbound contacts, in time order, the scheduler run up to each one and to the end.
 * Fills c->clocks, c->delays and c->sla_clocks; a breach marks the case overdue and
 * escalated, as the server's breach does. TS_ERR_TOO_LARGE if a case had more moments or
 * clocks than the arrays hold (a bug in the tables). */
static int sla_replay(gen *g, cctx *x, gcase *c) {
  const ts_sla_rules *rules = &g->sla;
  ts_sla_ctx sx = {rules->defs, rules->ndefs, &rules->cal, rules->warn_pct, c->channel, x->level0};
  ts_clock *k = c->clocks;
  int n = 0, rc, breaches = 0;
  int64_t reg = c->registered_at, last_breach = NONE;
  for (int i = 0; i < c->ncontacts; i++) {
    const g_contact *ct = &c->contacts[i];
    if (strcmp(ct->direction, "outbound") || ct->at > g->t_end)
      continue;
    moment_add(x, ct->at, ct->reached ? "contact" : "unreachable", 0);
    if (ct->reached && !strcmp(ct->method, "visit"))
      moment_add(x, ct->at, "visit", 0);
  }
  if (x->nmom > MAX_MOMENTS)
    return TS_ERR_TOO_LARGE;
  qsort(x->mom, (size_t)x->nmom, sizeof x->mom[0], moment_cmp);

  /* the registration (svc/svc.c): received, register, a site visit needed from the start,
   * and the acknowledgement letter to a customer who gave an e-mail address */
  rc = ts_sla_event(&sx, "received", c->received_at, reg, k, &n, MAX_CLOCKS);
  if (!rc)
    rc = ts_sla_event(&sx, "register", reg, reg, k, &n, MAX_CLOCKS);
  if (!rc && c->site_visit)
    rc = ts_sla_event(&sx, "site_visit", reg, reg, k, &n, MAX_CLOCKS);
  if (!rc && c->c_email[0] && rules->auto_ack)
    rc = ts_sla_event(&sx, "letter:acknowledgement", reg, reg, k, &n, MAX_CLOCKS);
  for (int i = 0; i < x->nmom && !rc; i++) {
    const sla_moment *m = &x->mom[i];
    int64_t at = m->at < reg ? reg : m->at;
    if (at > g->t_end)
      break;
    for (int j = 0; j < n; j++)
      ts_sla_advance(&k[j], at); /* the scheduler, up to this moment */
    if (m->event) {
      rc = ts_sla_event(&sx, m->event, at, at, k, &n, MAX_CLOCKS);
    } else {
      sx.grade = m->level;
      rc = ts_sla_regrade(&sx, k, n, at);
    }
  }
  if (rc)
    return rc == TS_ERR_INVALID && n >= MAX_CLOCKS ? TS_ERR_TOO_LARGE : rc;
  for (int j = 0; j < n; j++)
    ts_sla_advance(&k[j], g->t_end);

  /* the rows: states for migration 11's summary, delays with their holders */
  tbuf b;
  tb_init(&b, c->sla_clocks, sizeof c->sla_clocks);
  for (int j = 0; j < n; j++) {
    static const char state_letter[] = "rpmb"; /* TS_CLK_RUNNING .. TS_CLK_BREACHED */
    k[j].fire = 0;
    k[j].changed = 0;
    tb_fmt(&b, "%s%s:%c", j ? " " : "", k[j].name, state_letter[k[j].state & 3]);
    if (k[j].state != TS_CLK_BREACHED)
      continue;
    /* the holder when the scheduler saw the breach (svc/sla.c find_holder): the handler
     * for a handler's clock once there is one, else the owner; nobody for a department's */
    g_delay *d = &c->delays[j];
    const ts_clock_def *def = ts_sla_def(&sx, k[j].name);
    int who = -1;
    d->recorded_at = k[j].breached_at > reg ? k[j].breached_at : reg;
    if (def && !strcmp(def->holder, "handler") && x->handler_u >= 0 && c->assigned_at != NONE &&
        c->assigned_at <= d->recorded_at)
      who = x->handler_u;
    if (who < 0 && (!def || strcmp(def->holder, "dept")))
      who = x->owner_u;
    d->holder = who >= 0 ? username(g, who) : "";
    d->unit = who >= 0 ? g->org.users[who].unit : 0;
    if (!d->unit)
      d->unit = c->dept_id != NONE ? c->dept_id : c->outlet_id != NONE ? c->outlet_id : 0;
    breaches++;
    last_breach =
        d->recorded_at > last_breach || last_breach == NONE ? d->recorded_at : last_breach;
  }
  if (b.full)
    return TS_ERR_TOO_LARGE;
  c->nclocks = n;
  if (breaches) { /* overdue, one tier up per breach (svc/sla.c on_breach) */
    c->overdue = 1;
    c->sla_level = breaches;
    c->escalated_to = escalation_unit(g, c->dept_id != NONE ? c->dept_id : c->outlet_id, breaches);
    if (last_breach > c->updated_at)
      c->updated_at = last_breach;
  }
  return TS_OK;
}

/* ---- one case, start to finish --------------------------------------------------------------- */

/* Receipt before registration, against the registration clock (1 hour): minutes on the
 * phone or at the counter; forms, mail and what a regulator passes on mostly within the
 * hour, else hours later (sent at night, a backlog); letters within the hour of arriving,
 * or days when they lay unopened. */
static int64_t receipt_delay(gen *g, const chan_t *ch) {
  rng *r = &g->r;
  int late = 0;
  if (ch->external)
    late = rng_chance(r, 0.08);
  else if (!strcmp(ch->code, "letter"))
    late = rng_chance(r, 0.4);
  else if (!strcmp(ch->code, "web") || !strcmp(ch->code, "email") ||
           !strcmp(ch->code, "social_media"))
    late = rng_chance(r, 0.12);
  else
    return rng_range(r, MINUTE, 20 * MINUTE);
  if (!late)
    return rng_range(r, 5 * MINUTE, 55 * MINUTE);
  return !strcmp(ch->code, "letter") ? rng_range(r, 2 * HOUR, 2 * DAY)
                                     : rng_range(r, HOUR + MINUTE, 14 * HOUR);
}

static int month_index(const gen *g, int64_t t) {
  int y, m, d;
  local_date(t, &y, &m, &d);
  return (y - g->first_y) * 12 + (m - g->first_m);
}

/* Makes the case registered at reg (ids and numbers in order of registration). */
static int gen_case(gen *g, int64_t reg) {
  rng *r = &g->r;
  gcase *c = g->c;
  cctx *x = &g->x;
  event ev[MAX_EVENTS];
  int y, m, d;

  case_reset(c);
  memset(x->slot, 0, sizeof x->slot);
  x->inc = NULL;
  x->rep = NULL;
  x->reg = reg;

  /* a group complaint's case, a repeat complainant, or anyone */
  for (int i = 0; i < g->ninc && !x->inc; i++) {
    incident *in = &g->inc[i];
    if (reg >= in->start && reg < in->end && in->used < in->size && rng_chance(r, in->p))
      x->inc = in;
  }
  if (!x->inc && g->nrep && rng_chance(r, 0.05)) {
    double u = rng_unit(r);
    x->rep = &g->rep[(int)(u * u * g->nrep)];
  }
  if (x->inc) {
    x->outlet = x->inc->outlet;
    x->indi = x->inc->indi;
  } else if (x->rep && x->rep->used) {
    x->outlet = x->rep->outlet;
    x->indi = x->rep->indi;
  } else {
    x->outlet = pick_outlet(g);
    x->indi = outlet_industry(g, x->outlet);
  }
  x->ind = &industries[x->indi];
  local_date(reg, &y, &m, &d);
  x->is = &x->ind->issues[x->inc ? x->inc->issue : pick_issue(g, x->ind, m)];
  int pi = x->inc ? x->inc->product : pick_product(g, x->ind, x->is, 0);
  x->pr = &x->ind->products[pi >= 0 ? pi : 0];
  x->ci = &cities[g->org.units[x->outlet].city];

  /* channel, receipt */
  x->chan = pick_channel(g, x->indi, reg);
  const chan_t *ch = &g->org.chans[x->chan];
  c->channel = ch->code;
  c->external = ch->external;
  int64_t floor_t = month_start(y, m);
  x->recv = reg - receipt_delay(g, ch);
  if (x->recv < floor_t)
    x->recv = floor_t + (reg - floor_t) / 2;
  c->received_at = x->recv;
  c->registered_at = reg;

  /* who and where */
  const unit_t *out = &g->org.units[x->outlet];
  int hotline = c->external || !strcmp(ch->code, "phone");
  int owner = (hotline && g->org.nagents_hq && rng_chance(r, 0.6))
                  ? pick_user(g, g->org.agents_hq, g->org.nagents_hq)
              : out->agent >= 0 ? out->agent
                                : pick_user(g, g->org.agents, g->org.nagents);
  if (owner < 0)
    owner = 0; /* no agents at all: the first user registers everything */
  c->owner = username(g, owner);
  x->owner_u = owner;
  c->outlet_id = out->id;
  x->dept = unit_by_code(&g->org, x->is->dept, UK_DEPARTMENT);
  if (x->dept < 0)
    x->dept = unit_by_code(&g->org, x->ind->dept, UK_DEPARTMENT);
  for (int i = 0; i < g->org.nunits && x->dept < 0; i++)
    if (g->org.units[i].kind == UK_DEPARTMENT)
      x->dept = i;
  c->dept_id = x->dept >= 0 ? g->org.units[x->dept].id : NONE;
  x->manager =
      x->dept >= 0 ? user_in(g, g->org.managers, g->org.nmanagers, g->org.units[x->dept].id) : -1;
  if (x->manager < 0)
    x->manager = pick_user(g, g->org.gms, g->org.ngms);
  x->supervisor = user_in(g, g->org.supervisors, g->org.nsupervisors, out->parent);
  c->category = category_of(g, x->is);

  make_complainant(g, x, c);
  make_subject(g, x, c);
  if (x->rep && !x->rep->used) { /* this customer will be back (used from the next case on) */
    x->rep->outlet = x->outlet;
    x->rep->indi = x->indi;
    memcpy(x->rep->name, c->c_name, sizeof x->rep->name);
    memcpy(x->rep->phone, c->c_phone, sizeof x->rep->phone);
    memcpy(x->rep->plate, c->s_plate, sizeof x->rep->plate);
    memcpy(x->rep->vin, c->s_vin, sizeof x->rep->vin);
  }
  choose_reasons(g, x, c);
  choose_demands(g, x, c);
  compose(g, x, c);

  int level = 1;
  for (int i = 0; i < R__COUNT; i++)
    if (x->fired[i] == reg && g->org.rules[i].grade > level)
      level = g->org.rules[i].grade;
  int nev = plan_events(g, x, ev, level);
  replay(g, x, c, ev, nev);
  int rc = sla_replay(g, x, c);
  if (rc)
    return rc;

  /* ~3 % write in traditional characters, ~2 % type full-width letters and digits */
  double u = rng_unit(r);
  int spell = u < 0.03 ? SPELL_TRAD : u < 0.05 ? SPELL_FULLWIDTH : SPELL_PLAIN;
  if (spell != SPELL_PLAIN && (respell(c->title, sizeof c->title, spell) ||
                               respell(c->description, sizeof c->description, spell) ||
                               respell(c->demand_detail, sizeof c->demand_detail, spell)))
    return TS_ERR_TOO_LARGE;

  /* the number: the month's next serial */
  int mi = month_index(g, reg);
  if (mi < 0 || mi >= GEN_MAX_MONTHS)
    return TS_ERR_INVALID;
  g->counter[mi]++;
  g->dirty[mi] = 1;
  rc = ts_caseno_format(GEN_PREFIX, y, m, g->counter[mi], c->case_no, sizeof c->case_no);
  if (rc)
    return rc;
  c->id = g->next_id++;

  /* remember for the group complaint and the repeater */
  if (x->inc && x->inc->used < NELEM(x->inc->times))
    x->inc->times[x->inc->used++] = x->recv;
  if (x->rep) {
    x->rep->used = 1;
    memmove(&x->rep->times[1], &x->rep->times[0], sizeof x->rep->times - sizeof x->rep->times[0]);
    x->rep->times[0] = x->recv;
  }
  return TS_OK;
}

/* ---- writing ----------------------------------------------------------------------------------
 */

/* The columns written, in bind order. */
/* clang-format off */
#define CASE_COLUMNS(X)                                                                      \
  X(ID, "id") X(CASE_NO, "case_no") X(STATUS, "status") X(GRADE, "grade")                    \
  X(GRADE_REASONS, "grade_reasons") X(CHANNEL, "channel") X(EXTERNAL, "external")            \
  X(CATEGORY, "category") X(VALIDITY, "validity") X(NATURE, "nature") X(TITLE, "title")      \
  X(C_NAME, "c_name") X(C_PHONE, "c_phone") X(C_EMAIL, "c_email")                            \
  X(C_CUSTOMER_ID, "c_customer_id") X(C_VIP, "c_vip") X(C_VVIP, "c_vvip")                    \
  X(C_ADDRESS, "c_address") X(C_CONTACT_PREF, "c_contact_pref") X(S_PRODUCT, "s_product")    \
  X(S_SKU, "s_sku") X(S_BATCH, "s_batch") X(S_ORDER_NO, "s_order_no") X(S_PLATE, "s_plate")  \
  X(S_VIN, "s_vin") X(S_OUTLET, "s_outlet") X(S_EMPLOYEE, "s_employee")                      \
  X(S_DELIVERY_DATE, "s_delivery_date") X(S_QUANTITY, "s_quantity")                          \
  X(S_AMOUNT_PAID, "s_amount_paid_cents") X(DESCRIPTION, "description") X(DEMANDS, "demands") \
  X(DEMAND_DETAIL, "demand_detail") X(CLAIMED, "claimed_cents")                              \
  X(UNUSABLE_DAYS, "unusable_days") X(FL_INJURY, "f_injury") X(FL_FIRE, "f_fire")            \
  X(FL_ACCIDENT, "f_accident") X(FL_PROPERTY, "f_property_damage")                           \
  X(FL_SAFETY, "f_safety_related") X(FL_MEDIA_EXPOSURE, "f_media_exposure")                  \
  X(FL_MEDIA_THREAT, "f_media_threat") X(FL_REGULATOR_THREAT, "f_regulator_threat")          \
  X(FL_LAWSUIT_THREAT, "f_lawsuit_threat") X(FL_LAWSUIT_FILED, "f_lawsuit_filed")            \
  X(FL_REGULATOR_INVESTIGATION, "f_regulator_investigation")                                 \
  X(FL_UNAUTHORISED_PROMISE, "f_unauthorised_promise") X(FL_REWORK, "f_rework")              \
  X(FL_FREQUENT_FAILURE, "f_frequent_failure") X(OWNER, "owner") X(OUTLET_ID, "outlet_id")   \
  X(DEPT_ID, "dept_id") X(HANDLER, "handler") X(RECEIVED_AT, "received_at")                  \
  X(REGISTERED_AT, "registered_at") X(UPDATED_AT, "updated_at") X(OVERDUE, "overdue")        \
  X(REOPEN_COUNT, "reopen_count") X(SATISFACTION, "satisfaction")                            \
  X(INVALID_REASON, "invalid_reason") X(REPLY, "reply_to_customer")                          \
  X(PENDING_FROM, "pending_from") X(PENDING_REASON, "pending_reason")                        \
  X(PENDING_REMIND_ON, "pending_remind_on") X(WITHDRAW_REASON, "withdraw_reason")            \
  X(PROPOSAL_NO, "proposal_no") X(CONSENT, "customer_consent")                               \
  X(CHOSEN_OPTION, "chosen_option") X(SUMMARY, "summary") X(LESSONS, "lessons")              \
  X(ACCEPTED_AT, "accepted_at") X(ASSIGNED_AT, "assigned_at") X(RESOLVED_AT, "resolved_at")  \
  X(CLOSED_AT, "closed_at") X(FU_DUE_AT, "fu_due_at") X(FU_AT, "fu_at") X(FU_BY, "fu_by")     \
  X(FU_METHOD, "fu_method") X(FU_COMMENT, "fu_comment") X(FU_WAIVED, "fu_waived_reason")     \
  X(ESCALATION_TIER, "escalation_tier") X(ESCALATED_TO, "escalated_to")                      \
  X(SLA_LEVEL, "sla_level")                                                                  \
  X(SITE_VISIT, "site_visit_needed") X(SUBJECT_KEY, "subject_key")                           \
  X(ROOT_CAUSE, "root_cause") X(SERVICE_STAGE, "service_stage")                              \
  X(RESPONSIBILITY, "responsibility") X(PSYCHOLOGY, "psychology")                            \
  X(L_COMPENSATION, "l_compensation_cents") X(L_REFUND, "l_refund_cents")                    \
  X(L_DISCOUNT, "l_discount_cents") X(L_REPAIR, "l_repair_cents") X(L_GOODS, "l_goods_cents") \
  X(L_FREIGHT, "l_freight_cents") X(L_GIFT, "l_gift_cents") X(L_OTHER, "l_other_cents")       \
  X(L_ATTRIBUTED_TO, "l_attributed_to")

/* clang-format on */

#define CC_ENUM(id, name) CC_##id,
enum { CASE_COLUMNS(CC_ENUM) CC__COUNT };
#undef CC_ENUM
#define CC_NAME(id, name) name,
static const char *const case_columns[CC__COUNT] = {CASE_COLUMNS(CC_NAME)};
#undef CC_NAME

/* Binders by parameter number (1-based); "" and NONE stay NULL. Their results are or-ed:
 * nonzero when any bind failed. */
static int bt(sqlite3_stmt *st, int i, const char *s) {
  return s && *s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) : SQLITE_OK;
}

static int bi(sqlite3_stmt *st, int i, int64_t v) {
  return v == NONE ? SQLITE_OK : sqlite3_bind_int64(st, i, v);
}

/* Steps an INSERT once and makes the statement ready for the next row. */
static int step_done(gen *g, sqlite3_stmt *st, int bound, const char *what) {
  int r = bound == SQLITE_OK ? sqlite3_step(st) : bound;
  int rc = TS_OK;
  if (r != SQLITE_DONE) {
    fprintf(stderr, "tousu-gen: %s of %s: %s\n", what, g->c->case_no, sqlite3_errmsg(g->db));
    rc = TS_ERR_STORE;
  }
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc;
}

/* The case's own rows first, under the id it will have (see the top of the file), then
 * the case: its insert trigger indexes the whole document once. */
static int insert_case(gen *g) {
  const gcase *c = g->c;
  sqlite3_stmt *st;
  int rc = TS_OK, b;
  for (int i = 0; i < c->npromises && !rc; i++) {
    const g_promise *p = &c->promises[i];
    st = g->st_promise;
    b = bi(st, 1, c->id) | bi(st, 2, p->at) | bt(st, 3, p->by) | bt(st, 4, p->text) |
        bi(st, 5, p->due) | bi(st, 6, p->kept) | bi(st, 7, p->settled);
    rc = step_done(g, st, b, "promise");
  }
  for (int i = 0; i < c->nnotes && !rc; i++) {
    const g_note *n = &c->notes[i];
    st = g->st_note;
    b = bi(st, 1, c->id) | bi(st, 2, n->at) | bt(st, 3, n->author) | bt(st, 4, n->text);
    rc = step_done(g, st, b, "note");
  }
  for (int i = 0; i < c->ncontacts && !rc; i++) {
    const g_contact *k = &c->contacts[i];
    st = g->st_contact;
    b = bi(st, 1, c->id) | bi(st, 2, k->at) | bt(st, 3, k->by) | bt(st, 4, k->method) |
        bt(st, 5, k->direction) | bt(st, 6, k->summary) | bi(st, 7, k->reached);
    rc = step_done(g, st, b, "contact");
  }
  for (int i = 0; i < c->nsolutions && !rc; i++) {
    const g_solution *s = &c->solutions[i];
    st = g->st_solution;
    b = bi(st, 1, c->id) | bi(st, 2, s->proposal) |
        sqlite3_bind_text(st, 3, s->option ? s->option : "", -1, SQLITE_STATIC) |
        bt(st, 4, s->type) | bi(st, 5, s->amount) | bt(st, 6, s->desc) | bt(st, 7, s->by) |
        bi(st, 8, s->at);
    rc = step_done(g, st, b, "solution");
  }
  for (int i = 0; i < c->nimprovements && !rc; i++) {
    const g_improvement *m = &c->improvements[i];
    st = g->st_improvement;
    b = bi(st, 1, c->id) | bt(st, 2, m->kind) | bt(st, 3, m->desc) | bt(st, 4, m->owner) |
        bt(st, 5, m->due) | bt(st, 6, m->status) | bt(st, 7, m->by) | bi(st, 8, m->at) |
        bi(st, 9, m->done_at);
    rc = step_done(g, st, b, "improvement");
  }
  for (int i = 0; i < c->npenalties && !rc; i++) {
    const g_penalty *p = &c->penalties[i];
    st = g->st_penalty;
    b = bi(st, 1, c->id) | bt(st, 2, p->person) | bt(st, 3, p->kind) | bi(st, 4, p->amount) |
        bi(st, 5, p->share) | bt(st, 6, p->reason) | bt(st, 7, p->status) | bt(st, 8, p->by) |
        bi(st, 9, p->at) | bt(st, 10, p->approved_by) | bi(st, 11, p->approved_at) |
        bt(st, 12, p->executed_by) | bi(st, 13, p->executed_at);
    rc = step_done(g, st, b, "penalty");
  }
  for (int i = 0; i < c->nclocks && !rc; i++) {
    const ts_clock *k = &c->clocks[i];
    static const char *const states[] = {"running", "paused", "met", "breached"};
    st = g->st_clock;
    b = bi(st, 1, c->id) | bt(st, 2, k->name) | bi(st, 3, k->seq) |
        bt(st, 4, states[k->state & 3]) | bi(st, 5, k->working) | bi(st, 6, k->unreachable) |
        bi(st, 7, k->warned) | bi(st, 8, k->duration) | bi(st, 9, k->used) |
        bi(st, 10, k->started_at) | bi(st, 11, k->seg_start) |
        bi(st, 12, k->warn_at ? k->warn_at : NONE) | bi(st, 13, k->due_at ? k->due_at : NONE) |
        bi(st, 14, ts_sla_next_at(k) ? ts_sla_next_at(k) : NONE) |
        bi(st, 15, k->stopped_at ? k->stopped_at : NONE) |
        bi(st, 16, k->breached_at ? k->breached_at : NONE);
    if ((rc = step_done(g, st, b, "clock")) || k->state != TS_CLK_BREACHED)
      continue;
    const g_delay *d = &c->delays[i];
    st = g->st_delay;
    b = bi(st, 1, c->id) | bi(st, 2, sqlite3_last_insert_rowid(g->db)) | bt(st, 3, k->name) |
        sqlite3_bind_text(st, 4, d->holder, -1, SQLITE_STATIC) |
        bi(st, 5, d->unit ? d->unit : NONE) | bi(st, 6, k->due_at) | bi(st, 7, k->breached_at) |
        bi(st, 8, d->recorded_at);
    rc = step_done(g, st, b, "delay");
  }
  if (rc)
    return rc;

  st = g->st_case;
#define T(col, v) bt(st, CC_##col + 1, (v))
#define I(col, v) bi(st, CC_##col + 1, (v))
  b = I(ID, c->id) | T(CASE_NO, c->case_no) | T(STATUS, c->status) | T(GRADE, c->grade) |
      T(GRADE_REASONS, c->grade_reasons) | T(CHANNEL, c->channel) | I(EXTERNAL, c->external) |
      T(CATEGORY, c->category) | T(VALIDITY, c->validity) | T(NATURE, c->nature) |
      T(TITLE, c->title) | T(C_NAME, c->c_name) | T(C_PHONE, c->c_phone) | T(C_EMAIL, c->c_email) |
      T(C_CUSTOMER_ID, c->c_customer_id) | I(C_VIP, c->c_vip) | I(C_VVIP, c->c_vvip) |
      T(C_ADDRESS, c->c_address) | T(C_CONTACT_PREF, c->c_contact_pref) |
      T(S_PRODUCT, c->s_product) | T(S_SKU, c->s_sku) | T(S_BATCH, c->s_batch) |
      T(S_ORDER_NO, c->s_order_no) | T(S_PLATE, c->s_plate) | T(S_VIN, c->s_vin) |
      T(S_OUTLET, c->s_outlet) | T(S_EMPLOYEE, c->s_employee) |
      T(S_DELIVERY_DATE, c->s_delivery_date) | I(S_QUANTITY, c->s_quantity) |
      I(S_AMOUNT_PAID, c->s_amount_paid) | T(DESCRIPTION, c->description) | T(DEMANDS, c->demands) |
      T(DEMAND_DETAIL, c->demand_detail) | I(CLAIMED, c->claimed) |
      I(UNUSABLE_DAYS, c->unusable_days) | T(OWNER, c->owner) | I(OUTLET_ID, c->outlet_id) |
      I(DEPT_ID, c->dept_id) | T(HANDLER, c->handler) | I(RECEIVED_AT, c->received_at) |
      I(REGISTERED_AT, c->registered_at) | I(UPDATED_AT, c->updated_at) | I(OVERDUE, c->overdue) |
      I(REOPEN_COUNT, c->reopen_count) | I(SATISFACTION, c->satisfaction) |
      T(INVALID_REASON, c->invalid_reason) | T(REPLY, c->reply) | T(PENDING_FROM, c->pending_from) |
      T(PENDING_REASON, c->pending_reason) | T(PENDING_REMIND_ON, c->pending_remind_on) |
      T(WITHDRAW_REASON, c->withdraw_reason) | I(PROPOSAL_NO, c->proposal_no) |
      I(CONSENT, c->consent) | T(CHOSEN_OPTION, c->chosen_option) | T(SUMMARY, c->summary) |
      T(LESSONS, c->lessons) | I(ACCEPTED_AT, c->accepted_at) | I(ASSIGNED_AT, c->assigned_at) |
      I(RESOLVED_AT, c->resolved_at) | I(CLOSED_AT, c->closed_at) | I(FU_DUE_AT, c->fu_due_at) |
      I(FU_AT, c->fu_at) | T(FU_BY, c->fu_by) | T(FU_METHOD, c->fu_method) |
      T(FU_COMMENT, c->fu_comment) | T(FU_WAIVED, c->fu_waived) |
      I(ESCALATION_TIER, c->escalation_tier) | I(ESCALATED_TO, c->escalated_to) |
      I(SLA_LEVEL, c->sla_level) | I(SITE_VISIT, c->site_visit) | T(SUBJECT_KEY, c->subject_key) |
      T(ROOT_CAUSE, c->root_cause) | T(SERVICE_STAGE, c->service_stage) |
      T(RESPONSIBILITY, c->responsibility) | T(PSYCHOLOGY, c->psychology) |
      T(L_ATTRIBUTED_TO, c->attributed_to);
#undef T
#undef I
  for (int f = 0; f < F__COUNT; f++)
    b |= bi(st, CC_FL_INJURY + f + 1, c->flags[f]);
  for (int l = 0; l < LS__COUNT; l++)
    b |= bi(st, CC_L_COMPENSATION + l + 1, c->loss[l]);
  if (g->sla_col) /* what migration 11's triggers would have written, had the case been there */
    b |= bt(st, CC__COUNT + 1, c->sla_clocks);
  return step_done(g, st, b, "case");
}

static int prepare(gen *g, sqlite3_stmt **st, const char *sql) {
  if (sqlite3_prepare_v3(g->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK) {
    fprintf(stderr, "tousu-gen: %s: %s\n", sql, sqlite3_errmsg(g->db));
    return TS_ERR_STORE;
  }
  return TS_OK;
}

static int statements_prepare(gen *g) {
  char sql[4096];
  tbuf b;
  int rc;
  tb_init(&b, sql, sizeof sql);
  tb_add(&b, "INSERT INTO cases(");
  for (int i = 0; i < CC__COUNT; i++)
    tb_fmt(&b, "%s%s", i ? "," : "", case_columns[i]);
  if (g->sla_col)
    tb_add(&b, ",sla_clocks");
  tb_add(&b, ") VALUES (");
  for (int i = 0; i < CC__COUNT + g->sla_col; i++)
    tb_add(&b, i ? ",?" : "?");
  tb_add(&b, ")");
  for (int f = 0; f < F__COUNT; f++) /* the flags are bound by position: check the order */
    if (strcmp(case_columns[CC_FL_INJURY + f], flag_columns[f]))
      return TS_ERR_INVALID;
  if (b.full)
    return TS_ERR_TOO_LARGE;
  if ((rc = prepare(g, &g->st_case, sql)) ||
      (rc = prepare(g, &g->st_note,
                    "INSERT INTO case_notes(case_id, at, author, text) VALUES (?,?,?,?)")) ||
      (rc = prepare(g, &g->st_contact,
                    "INSERT INTO case_contacts(case_id, at, by_user, method, direction, "
                    "summary, reached) VALUES (?,?,?,?,?,?,?)")) ||
      (rc = prepare(g, &g->st_solution,
                    "INSERT INTO case_solutions(case_id, proposal_no, option, type, "
                    "amount_cents, description, proposed_by, proposed_at) "
                    "VALUES (?,?,?,?,?,?,?,?)")) ||
      (rc = prepare(g, &g->st_improvement,
                    "INSERT INTO case_improvements(case_id, kind, description, owner, "
                    "due_on, status, created_by, created_at, done_at) "
                    "VALUES (?,?,?,?,?,?,?,?,?)")) ||
      (rc = prepare(g, &g->st_penalty,
                    "INSERT INTO case_penalties(case_id, person, kind, amount_cents, "
                    "share_pct, reason, status, proposed_by, proposed_at, approved_by, "
                    "approved_at, executed_by, executed_at) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")) ||
      (rc = prepare(g, &g->st_promise,
                    "INSERT INTO case_promises(case_id, created_at, by_user, promise, "
                    "due_at, kept, settled_at) VALUES (?,?,?,?,?,?,?)")) ||
      (rc = prepare(g, &g->st_clock,
                    "INSERT INTO case_clocks(case_id, name, seq, state, working, unreachable, "
                    "warned, duration, used, started_at, seg_start, warn_at, due_at, next_at, "
                    "stopped_at, breached_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")) ||
      (rc = prepare(g, &g->st_delay,
                    "INSERT INTO case_delays(case_id, clock_id, clock, holder, unit_id, due_at, "
                    "breached_at, recorded_at) VALUES (?,?,?,?,?,?,?,?)")) ||
      (rc = prepare(g, &g->st_counter,
                    "INSERT INTO case_counters(period, last) VALUES (?, ?) "
                    "ON CONFLICT(period) DO UPDATE SET last = excluded.last")))
    return rc;
  return TS_OK;
}

static void statements_finalize(gen *g) {
  sqlite3_finalize(g->st_case);
  sqlite3_finalize(g->st_note);
  sqlite3_finalize(g->st_contact);
  sqlite3_finalize(g->st_solution);
  sqlite3_finalize(g->st_improvement);
  sqlite3_finalize(g->st_penalty);
  sqlite3_finalize(g->st_promise);
  sqlite3_finalize(g->st_counter);
  sqlite3_finalize(g->st_clock);
  sqlite3_finalize(g->st_delay);
}

/* Writes the month counters that moved since the last commit. */
static int counters_write(gen *g) {
  for (int i = 0; i < g->o.months; i++) {
    char period[TS_CASENO_MAX];
    int y = g->first_y + (g->first_m - 1 + i) / 12, m = (g->first_m - 1 + i) % 12 + 1, rc;
    if (!g->dirty[i])
      continue;
    if ((rc = ts_caseno_period(GEN_PREFIX, y, m, period, sizeof period)))
      return rc;
    int b = sqlite3_bind_text(g->st_counter, 1, period, -1, SQLITE_TRANSIENT) |
            sqlite3_bind_int64(g->st_counter, 2, g->counter[i]);
    if ((rc = step_done(g, g->st_counter, b, "counter")))
      return rc;
    g->dirty[i] = 0;
  }
  return TS_OK;
}

static int exec_sql(sqlite3 *db, const char *sql) {
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
    fprintf(stderr, "tousu-gen: %s: %s\n", sql, err ? err : sqlite3_errmsg(db));
    sqlite3_free(err);
    return TS_ERR_STORE;
  }
  return TS_OK;
}

/* ---- when complaints arrive ------------------------------------------------------------------ */

/* Relative volume by hour of the day (local): working hours, a lunch dip, quiet nights. */
static const double hour_weight[24] = {0.05, 0.03, 0.02, 0.02, 0.02, 0.03, 0.08, 0.25,
                                       0.70, 1.30, 1.50, 1.40, 0.90, 1.10, 1.40, 1.45,
                                       1.35, 1.10, 0.70, 0.60, 0.55, 0.45, 0.30, 0.12};
/* By day of the week, Sunday first: Mondays bring the weekend's problems. */
static const double weekday_weight[7] = {0.62, 1.15, 1.06, 1.02, 1.00, 0.97, 0.72};
/* By month: the Spring Festival lull, 618 and summer (air conditioners), Double 11. */
static const double month_weight[12] = {1.00, 0.82, 1.02, 0.98, 1.03, 1.10,
                                        1.12, 1.10, 1.00, 0.97, 1.15, 1.05};

static double day_weight(const gen *g, int64_t day) {
  int y, m, d;
  int wd = (int)(((day % 7) + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
  double w = weekday_weight[wd];
  int64_t k = day - g->org.cal_first;
  if (k >= 0 && k < g->org.ncal && g->org.cal[k] >= 0)
    w = g->org.cal[k] ? 1.0 : 0.55; /* a make-up working day, or a public holiday */
  civil_from_days(day, &y, &m, &d);
  if (m == 11 && d >= 11 && d <= 15)
    w *= d == 11 ? 1.6 : 1.3; /* after Double 11 */
  if (m == 6 && d >= 18 && d <= 20)
    w *= 1.3; /* after 618 */
  return w;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

/* n registration times in month mi, sorted. *out is malloc'd; free() it. */
static int month_times(gen *g, int mi, int64_t n, int64_t **out) {
  int y = g->first_y + (g->first_m - 1 + mi) / 12, m = (g->first_m - 1 + mi) % 12 + 1;
  int64_t d0 = ts_days_from_civil(y, m, 1);
  int64_t d1 = ts_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1);
  int nslots = (int)(d1 - d0) * 24;
  double cum[31 * 24];
  double total = 0;
  int64_t *t = malloc((size_t)(n > 0 ? n : 1) * sizeof *t);
  if (!t)
    return TS_ERR_NOMEM;
  for (int s = 0; s < nslots; s++) {
    total += day_weight(g, d0 + s / 24) * hour_weight[s % 24];
    cum[s] = total;
  }
  for (int64_t i = 0; i < n; i++) {
    double u = rng_unit(&g->r) * total;
    int lo = 0, hi = nslots - 1;
    while (lo < hi) {
      int mid = (lo + hi) / 2;
      if (cum[mid] > u)
        hi = mid;
      else
        lo = mid + 1;
    }
    t[i] = day_start(d0 + lo / 24) + (lo % 24) * HOUR + (int64_t)rng_below(&g->r, 3600);
  }
  qsort(t, (size_t)n, sizeof *t, cmp_i64);
  *out = t;
  return TS_OK;
}

/* Cases per month: a gentle growth (15 % a year) times the season times the month's days;
 * the counts add up to N exactly (largest remainders). */
static int month_counts(gen *g, int64_t *counts) {
  double w[GEN_MAX_MONTHS], total = 0, frac[GEN_MAX_MONTHS];
  int64_t given = 0;
  for (int i = 0; i < g->o.months; i++) {
    int y = g->first_y + (g->first_m - 1 + i) / 12, m = (g->first_m - 1 + i) % 12 + 1;
    int64_t days = ts_days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) -
                   ts_days_from_civil(y, m, 1);
    w[i] = (1.0 + 0.15 * i / 12.0) * month_weight[m - 1] * (double)days;
    total += w[i];
  }
  for (int i = 0; i < g->o.months; i++) {
    double exact = (double)g->o.ncases * w[i] / total;
    counts[i] = (int64_t)exact;
    frac[i] = exact - (double)counts[i];
    given += counts[i];
  }
  while (given < g->o.ncases) {
    int best = 0;
    for (int i = 1; i < g->o.months; i++)
      if (frac[i] > frac[best])
        best = i;
    counts[best]++;
    frac[best] = -1;
    given++;
  }
  return TS_OK;
}

/* Group complaints: one for every 25,000 cases (none below 5,000): a batch of a product
 * from appliances, digital, cosmetics or office supplies, 20-80 cases within 10-30 days. */
static int incidents_init(gen *g) {
  static const int kinds[] = {IND_APPL, IND_APPL, IND_APPL,   IND_APPL, IND_DIGI,
                              IND_DIGI, IND_DIGI, IND_RETAIL, IND_ECOM};
  int k = g->o.ncases >= 5000 ? (int)(g->o.ncases / 25000 > 0 ? g->o.ncases / 25000 : 1) : 0;
  double period_days = (double)(g->t_end - g->t_first) / DAY;
  if (k > 4000)
    k = 4000;
  if (!k)
    return TS_OK;
  if (!(g->inc = calloc((size_t)k, sizeof *g->inc)))
    return TS_ERR_NOMEM;
  for (int tries = 0; g->ninc < k && tries < k * 20; tries++) {
    incident *in = &g->inc[g->ninc];
    int indi = PICK(&g->r, kinds);
    const industry *ind = &industries[indi];
    double w[64] = {0}, sum = 0;
    int n = g->org.noutlets < 64 ? g->org.noutlets : 64; /* the outlets it can happen at */
    for (int i = 0; i < n; i++) {
      const unit_t *u = &g->org.units[g->org.outlets[i]];
      w[i] = (u->ind_a == indi || u->ind_b == indi) ? u->weight : 0;
      sum += w[i];
    }
    if (sum <= 0)
      continue;
    int oi = rng_weighted(&g->r, w, n);
    int is = (int)rng_below(&g->r, (uint32_t)ind->nissues);
    if (!(ind->issues[is].traits & T_PRODUCT))
      continue;
    int pi = pick_product(g, ind, &ind->issues[is], 1);
    if (pi < 0)
      continue;
    const product *pr = &ind->products[pi];
    int64_t window = (int64_t)rng_range(&g->r, 10, 30) * DAY;
    if (g->t_end - g->t_first <= window)
      window = (g->t_end - g->t_first) / 2;
    in->indi = indi;
    in->issue = is;
    in->product = pi;
    in->outlet = g->org.outlets[oi];
    in->start = g->t_first + (int64_t)(rng_unit(&g->r) * (double)(g->t_end - g->t_first - window));
    in->end = in->start + window;
    in->size = (int)rng_range(&g->r, 20, 80);
    double expected = (double)g->o.ncases * ((double)window / DAY) / period_days;
    in->p = expected > 0 ? (double)in->size / expected : 1;
    if (in->p > 0.5)
      in->p = 0.5;
    int y, m, d;
    local_date(in->start - (int64_t)rng_range(&g->r, 20, 120) * DAY, &y, &m, &d);
    snprintf(in->batch, sizeof in->batch, "%s-%02d%02d-%04u", pr->code, y % 100, m,
             rng_below(&g->r, 10000));
    g->ninc++;
  }
  return TS_OK;
}

/* ---- the run ------------------------------------------------------------------------------------
 */

static double seconds_since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int row_counter(sqlite3_stmt *st, void *arg) {
  gen *g = arg;
  int y, m;
  int64_t last = sqlite3_column_int64(st, 1);
  const char *period = col_text(st, 0);
  size_t pl = strlen(GEN_PREFIX);
  if (strncmp(period, GEN_PREFIX, pl) || sscanf(period + pl, "%4d%2d", &y, &m) != 2)
    return TS_OK;
  int mi = (y - g->first_y) * 12 + (m - g->first_m);
  if (mi >= 0 && mi < g->o.months)
    g->counter[mi] = last;
  return TS_OK;
}

static int row_sla_col(sqlite3_stmt *st, void *arg) {
  gen *g = arg;
  if (!strcmp(col_text(st, 1), "sla_clocks"))
    g->sla_col = 1;
  return TS_OK;
}

typedef struct {
  char (*names)[128];
  int n, max;
} trigger_list;

static int row_trigger(sqlite3_stmt *st, void *arg) {
  trigger_list *t = arg;
  if (t->n < t->max)
    snprintf(t->names[t->n++], 128, "%.127s", col_text(st, 0));
  return TS_OK;
}

/* --no-fts: drops the triggers that keep the full-text index (migration 10) in step. */
static int fts_triggers_drop(gen *g) {
  char names[64][128], sql[192];
  trigger_list t = {names, 0, 64};
  int rc = each_row(g->db,
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND (name LIKE "
                    "'case\\_fts\\_%' ESCAPE '\\' OR name LIKE 'writeup\\_fts\\_%' ESCAPE '\\') "
                    "ORDER BY name",
                    row_trigger, &t);
  for (int i = 0; i < t.n && !rc; i++) {
    snprintf(sql, sizeof sql, "DROP TRIGGER \"%.127s\"", names[i]);
    rc = exec_sql(g->db, sql);
  }
  if (!rc)
    fprintf(stderr,
            "tousu-gen: warning: --no-fts dropped %d full-text triggers from %s for good: its "
            "search index stays empty until `tousu search rebuild` and misses later changes\n",
            t.n, g->o.db_path);
  return rc;
}

static int row_max_id(sqlite3_stmt *st, void *arg) {
  gen *g = arg;
  g->next_id = sqlite3_column_int64(st, 0) + 1;
  return TS_OK;
}

static int generate(gen *g) {
  int64_t counts[GEN_MAX_MONTHS];
  int64_t *times = NULL;
  int64_t done = 0, in_tx = 0;
  struct timespec t0;
  double last_report = 0;
  int rc;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if ((rc = month_counts(g, counts)) || (rc = exec_sql(g->db, "BEGIN")))
    return rc;
  for (int mi = 0; mi < g->o.months && !rc; mi++) {
    if ((rc = month_times(g, mi, counts[mi], &times)))
      break;
    for (int64_t i = 0; i < counts[mi] && !rc; i++) {
      if ((rc = gen_case(g, times[i])) || (rc = insert_case(g)))
        break;
      done++;
      if (++in_tx >= g->o.batch) {
        if ((rc = counters_write(g)) || (rc = exec_sql(g->db, "COMMIT")) ||
            (rc = exec_sql(g->db, "BEGIN")))
          break;
        in_tx = 0;
        double s = seconds_since(&t0);
        if (s - last_report >= 2.0) {
          int y = g->first_y + (g->first_m - 1 + mi) / 12, m = (g->first_m - 1 + mi) % 12 + 1;
          fprintf(stderr, "tousu-gen: %" PRId64 "/%" PRId64 " cases (%04d-%02d), %.0f cases/s\n",
                  done, g->o.ncases, y, m, (double)done / s);
          last_report = s;
        }
      }
    }
    free(times);
    times = NULL;
  }
  if (!rc && !(rc = counters_write(g)))
    rc = exec_sql(g->db, "COMMIT");
  if (rc) {
    exec_sql(g->db, "ROLLBACK");
    return rc;
  }
  double s = seconds_since(&t0);
  fprintf(stderr, "tousu-gen: %" PRId64 " cases in %.1f s: %.0f cases/s\n", done, s,
          s > 0 ? (double)done / s : 0);
  return TS_OK;
}

/* Asia/Shanghai for the calendar's arithmetic (the rest of this file assumes it too). */
static int32_t gen_utc_offset(void *ctx, int64_t utc) {
  (void)ctx, (void)utc;
  return GEN_TZ_OFFSET;
}

/* Creates the database through the store (migrations), loads the demo organisation,
 * users and categories unless they are there, and reads the clock rules and calendar into
 * *sla (the caller frees them with ts_sla_rules_free). */
static int store_prepare(const char *path, ts_sla_rules *sla) {
  ts_store_opts so = {.path = path, .readers = 1, .max_batch = 0, .readonly = 0};
  ts_store *s = NULL;
  FILE *devnull = NULL;
  int rc = ts_store_open(&so, &s);
  if (rc) {
    fprintf(stderr, "tousu-gen: cannot open %s (%s)\n", path, ts_err_code(rc));
    return rc;
  }
  if (!(devnull = fopen("/dev/null", "w"))) {
    rc = TS_ERR_STORE;
    goto out;
  }
  rc = ts_demo_load(s, GEN_PREFIX, devnull);
  if (rc == TS_ERR_CONFLICT) {
    rc = TS_OK; /* already loaded */
  } else if (rc) {
    fprintf(stderr, "tousu-gen: loading the demo organisation failed (%s)\n", ts_err_code(rc));
  } else {
    fprintf(stderr,
            "tousu-gen: demo organisation, users and cases loaded (passwords: docs/demo.md)\n");
  }
  if (!rc && (rc = ts_store_sla_rules(s, sla)))
    fprintf(stderr, "tousu-gen: cannot read the clock rules (%s)\n", ts_err_code(rc));
  if (!rc)
    sla->cal.utc_offset = gen_utc_offset;
out:
  if (devnull)
    fclose(devnull);
  ts_store_close(s);
  return rc;
}

static const char usage[] =
    "usage: tousu-gen --db FILE --cases N [--months M (24)] [--end YYYY-MM (2026-10)]\n"
    "                 [--seed S (1)] [--batch B (10000)] [--no-fts]\n"
    "Fills a tousu database with N generated complaint cases received over the M months\n"
    "ending with --end (see bench/README.md). The database is created if missing.\n"
    "--no-fts drops the file's full-text triggers first (for good: the search index stays\n"
    "empty until `tousu search rebuild`, and misses later changes; benchmark files only).\n";

static int parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out) {
  char *end = NULL;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno || !end || *end || end == s || v < lo || v > hi)
    return TS_ERR_INVALID;
  *out = v;
  return TS_OK;
}

static int parse_args(int argc, char **argv, gen_opts *o) {
  int64_t v;
  o->db_path = NULL;
  o->ncases = -1;
  o->months = 24;
  o->end_y = 2026;
  o->end_m = 10;
  o->seed = 1;
  o->batch = 10000;
  o->no_fts = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(usage, stdout);
      return -1;
    }
    if (!strcmp(a, "--no-fts")) {
      o->no_fts = 1;
      continue;
    }
    if (!val)
      goto bad;
    i++;
    if (!strcmp(a, "--db")) {
      o->db_path = val;
    } else if (!strcmp(a, "--cases")) {
      if (parse_i64(val, 1, GEN_MAX_CASES, &v))
        goto bad;
      o->ncases = v;
    } else if (!strcmp(a, "--months")) {
      if (parse_i64(val, 1, GEN_MAX_MONTHS, &v))
        goto bad;
      o->months = (int)v;
    } else if (!strcmp(a, "--end")) {
      int64_t y, m;
      char ys[8], ms[4];
      if (strlen(val) != 7 || val[4] != '-')
        goto bad;
      memcpy(ys, val, 4), ys[4] = '\0';
      memcpy(ms, val + 5, 2), ms[2] = '\0';
      if (parse_i64(ys, 1990, 2200, &y) || parse_i64(ms, 1, 12, &m))
        goto bad;
      o->end_y = (int)y, o->end_m = (int)m;
    } else if (!strcmp(a, "--seed")) {
      char *end = NULL;
      errno = 0;
      unsigned long long s = strtoull(val, &end, 10);
      if (errno || !end || *end || end == val)
        goto bad;
      o->seed = s;
    } else if (!strcmp(a, "--batch")) {
      if (parse_i64(val, 1, 10000000, &v))
        goto bad;
      o->batch = (int)v;
    } else {
      goto bad;
    }
  }
  if (!o->db_path || o->ncases < 0)
    goto bad;
  return TS_OK;
bad:
  fputs(usage, stderr);
  return TS_ERR_INVALID;
}

int main(int argc, char **argv) {
  gen g;
  int rc;
  struct stat sb;
  memset(&g, 0, sizeof g);
  if ((rc = parse_args(argc, argv, &g.o)))
    return rc < 0 ? 0 : 2;
  ts_log_set_level(TS_LOG_WARN); /* not the migrations' progress */
  if (ts_time_set_zone("Asia/Shanghai") || ts_password_init(1) || trad_init()) {
    fprintf(stderr, "tousu-gen: cannot start (time zone, libsodium or tables)\n");
    return 1;
  }
  g.r.s = g.o.seed;
  g.first_y = g.o.end_y - (g.o.months - 1 + 12 - g.o.end_m) / 12;
  g.first_m = ((g.o.end_m - 1 - (g.o.months - 1)) % 12 + 12) % 12 + 1;
  g.t_first = month_start(g.first_y, g.first_m);
  g.t_end = month_start(g.o.end_m == 12 ? g.o.end_y + 1 : g.o.end_y,
                        g.o.end_m == 12 ? 1 : g.o.end_m + 1) -
            1;

  if ((rc = store_prepare(g.o.db_path, &g.sla)))
    return 1;
  if (sqlite3_open_v2(g.o.db_path, &g.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
      SQLITE_OK) {
    fprintf(stderr, "tousu-gen: cannot open %s: %s\n", g.o.db_path,
            g.db ? sqlite3_errmsg(g.db) : "no memory");
    rc = TS_ERR_STORE;
    goto out;
  }
  /* the triggers of migration 10 need the tokenizer "tousu" and tousu_digits() */
  if ((rc = ts_fts_register(g.db)) ||
      (rc = exec_sql(g.db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;"
                           " PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;"
                           " PRAGMA foreign_keys = OFF;")))
    goto out;
  if (g.o.no_fts && (rc = fts_triggers_drop(&g)))
    goto out;
  int64_t first_day = local_day(g.t_first);
  if ((rc = each_row(g.db, "PRAGMA table_info(cases)", row_sla_col, &g)) ||
      (rc = org_load(g.db, &g.org, first_day, (int)(local_day(g.t_end) - first_day + 1))) ||
      (rc = each_row(g.db, "SELECT coalesce(max(id), 0) FROM cases", row_max_id, &g)) ||
      (rc = each_row(g.db, "SELECT period, last FROM case_counters", row_counter, &g)) ||
      (rc = statements_prepare(&g)))
    goto out;
  if (!(g.c = malloc(sizeof *g.c))) {
    rc = TS_ERR_NOMEM;
    goto out;
  }
  g.nrep = (int)(g.o.ncases / 40 > 16 ? g.o.ncases / 40 : 16);
  if (!(g.rep = calloc((size_t)g.nrep, sizeof *g.rep))) {
    rc = TS_ERR_NOMEM;
    goto out;
  }
  if ((rc = incidents_init(&g)))
    goto out;
  fprintf(stderr,
          "tousu-gen: %" PRId64 " cases, %04d-%02d to %04d-%02d, seed %" PRIu64
          ", %d group complaints%s\n",
          g.o.ncases, g.first_y, g.first_m, g.o.end_y, g.o.end_m, g.o.seed, g.ninc,
          g.sla_col ? ", cases.sla_clocks written" : "");
  if ((rc = generate(&g)))
    goto out;
  rc = exec_sql(g.db, "PRAGMA wal_checkpoint(TRUNCATE)");
out:
  statements_finalize(&g);
  if (g.db && sqlite3_close(g.db) != SQLITE_OK) {
    fprintf(stderr, "tousu-gen: closing: %s\n", sqlite3_errmsg(g.db));
    rc = rc ? rc : TS_ERR_STORE;
  }
  if (!rc && stat(g.o.db_path, &sb) == 0)
    fprintf(stderr, "tousu-gen: %s: %.1f MiB\n", g.o.db_path, (double)sb.st_size / 1048576.0);
  org_free(&g.org);
  ts_sla_rules_free(&g.sla);
  free(g.c);
  free(g.rep);
  free(g.inc);
  return rc ? 1 : 0;
}

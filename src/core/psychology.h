/* Customer psychology (投诉心理, DOMAIN §8): the tags a handler may put on a case, and the
 * short handling advice shown for each, in Chinese and English, written from seeds 002
 * and 004. Pure data. */
#ifndef TS_PSYCHOLOGY_H
#define TS_PSYCHOLOGY_H

typedef struct {
  const char *tag;       /* "respect", "vent", "compensation", "balance", "recognition",
                            "expertise", "revenge" (the values of ts_enum_psychology) */
  const char *name_zh;   /* 求尊重 ... */
  const char *name_en;
  const char *advice_zh; /* 2-4 sentences of concrete handling advice */
  const char *advice_en;
} ts_psychology;

extern const ts_psychology ts_psychologies[];
extern const int ts_psychologies_count;

/* The entry for a tag, or NULL. */
const ts_psychology *ts_psychology_find(const char *tag);

#endif

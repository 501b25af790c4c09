/* spelling.c — the spelling words of a window, counted (spelling.h).
 *
 * An open-addressing table of {hash, word, count} whose words live in one
 * arena: counting a word costs a probe and, on a hit, one memcmp, and
 * nothing is allocated per word (a std::unordered_map<std::string,
 * unsigned> was 4% of the indexer's CPU on DICE + SQuAD-it).
 */
#include "spelling.h"

#include <stdlib.h>
#include <string.h>

typedef struct slot {
  uint64_t hash;  /* the word's cr_fnv1a64 */
  size_t off;     /* where the word's bytes start in the arena */
  uint32_t len;   /* their length */
  unsigned count; /* documents holding the word; 0: the slot is empty */
} slot;

struct cr_spelling {
  slot *slots; /* cap of them, a power of two, at most half full */
  size_t cap;  /* slots */
  size_t n;    /* words counted */
  char *arena; /* the words' bytes, end to end */
  size_t used; /* bytes of arena in use */
  size_t room; /* bytes of arena allocated */
  size_t docs; /* documents closed in the window */
};

cr_spelling *cr_spelling_new(void) { return calloc(1, sizeof(cr_spelling)); }

void cr_spelling_free(cr_spelling *sp) {
  if (!sp) return;
  free(sp->slots);
  free(sp->arena);
  free(sp);
}

static size_t index_of(uint64_t h, size_t mask) {
  return (size_t)((h * 0x9e3779b97f4a7c15ULL) >> 32) & mask;
}

static int grow(cr_spelling *sp) {
  size_t cap = sp->cap ? 2 * sp->cap : 4096;
  slot *bigger = calloc(cap, sizeof *bigger);
  if (!bigger) return -1;
  for (size_t i = 0; i < sp->cap; i++) {
    if (!sp->slots[i].count) continue;
    size_t k = index_of(sp->slots[i].hash, cap - 1);
    while (bigger[k].count)
      k = (k + 1) & (cap - 1);
    bigger[k] = sp->slots[i];
  }
  free(sp->slots);
  sp->slots = bigger;
  sp->cap = cap;
  return 0;
}

/* Room for len more bytes in the arena. */
static int reserve(cr_spelling *sp, size_t len) {
  if (sp->used + len <= sp->room) return 0;
  size_t room = sp->room ? sp->room : 65536;
  while (room < sp->used + len)
    room *= 2;
  char *a = realloc(sp->arena, room);
  if (!a) return -1;
  sp->arena = a;
  sp->room = room;
  return 0;
}

int cr_spelling_add(cr_spelling *sp, const char *word, size_t len, uint64_t h) {
  if (2 * (sp->n + 1) > sp->cap && grow(sp) != 0) return -1;
  size_t mask = sp->cap - 1;
  for (size_t k = index_of(h, mask);; k = (k + 1) & mask) {
    slot *s = &sp->slots[k];
    if (s->count == 0) {
      if (reserve(sp, len) != 0) return -1;
      memcpy(sp->arena + sp->used, word, len);
      *s = (slot){h, sp->used, (uint32_t)len, 1};
      sp->used += len;
      sp->n++;
      return 0;
    }
    if (s->hash == h && s->len == len &&
        memcmp(sp->arena + s->off, word, len) == 0) {
      s->count++;
      return 0;
    }
  }
}

void cr_spelling_end_doc(cr_spelling *sp) { sp->docs++; }

bool cr_spelling_full(const cr_spelling *sp) {
  return sp->n >= CR_SPELLING_WINDOW_MAX_WORDS;
}

bool cr_spelling_next(const cr_spelling *sp, size_t *cursor, const char **word,
                      size_t *len, unsigned *count) {
  unsigned min_docs = sp->docs > CR_COMMIT_EVERY ? CR_SPELLING_MIN_DOCS_WIDE
                                                 : CR_SPELLING_MIN_DOCS;
  for (; *cursor < sp->cap; ++*cursor) {
    const slot *s = &sp->slots[*cursor];
    if (s->count < min_docs) continue; /* empty, or too rare */
    *word = sp->arena + s->off;
    *len = s->len;
    *count = s->count;
    ++*cursor;
    return true;
  }
  return false;
}

void cr_spelling_clear(cr_spelling *sp) {
  if (sp->slots) memset(sp->slots, 0, sp->cap * sizeof *sp->slots);
  sp->n = 0;
  sp->used = 0;
  sp->docs = 0;
}

/* ---- The searcher's policy (spelling.h) --------------------------------- */

static bool plenty(const cr_suggest_case *c) {
  return c->matches > CR_SUGGEST_FEW_MATCHES;
}

bool cr_suggest_candidate(const cr_suggest_case *c) {
  if (!plenty(c)) return c->word_tf <= CR_SUGGEST_RARE;
  if (c->word_tf == 0) return true;
  return c->word_tf <= CR_SUGGEST_TINY && c->name_tf == 0 &&
         c->word_bytes >= CR_SUGGEST_LONG;
}

unsigned cr_suggest_max_edits(const cr_suggest_case *c) {
  if (!cr_suggest_candidate(c)) return 0;
  if (plenty(c)) return 1;
  return c->word_bytes < CR_SUGGEST_LONG ? 1 : 2;
}

bool cr_suggest_accept(const cr_suggest_case *c, uint32_t correction_tf) {
  if (!cr_suggest_candidate(c)) return false;
  uint64_t tf = correction_tf;
  if (plenty(c)) {
    uint64_t base = c->word_tf ? c->word_tf : 1;
    return tf >= CR_SUGGEST_PLENTY_GAIN * base;
  }
  return tf >= CR_SUGGEST_MIN && tf >= (uint64_t)CR_SUGGEST_GAIN * c->word_tf;
}

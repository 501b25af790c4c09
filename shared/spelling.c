/* spelling.c — the spelling words of a window, counted (spelling.h).
 *
 * A cr_hmap (hmap.h) from each word's hash to {where its bytes are, their
 * length, its count}, the words in one arena: counting a word costs a
 * probe and, on a hit, one memcmp, and nothing is allocated per word (a
 * std::unordered_map<std::string, unsigned> was 4% of the indexer's CPU
 * on DICE + SQuAD-it).
 */
#include "spelling.h"

#include <stdlib.h>
#include <string.h>

#include "hmap.h"

typedef struct word_count {
  size_t off;     /* where the word's bytes start in the arena */
  uint32_t len;   /* their length */
  unsigned count; /* documents holding the word */
} word_count;

struct cr_spelling {
  cr_hmap words; /* cr_fnv1a64 of a word -> word_count */
  char *arena;   /* the words' bytes, end to end */
  size_t used;   /* bytes of arena in use */
  size_t room;   /* bytes of arena allocated */
  size_t docs;   /* documents closed in the window */
};

cr_spelling *cr_spelling_new(void) {
  cr_spelling *sp = calloc(1, sizeof(cr_spelling));
  if (sp) cr_hmap_init(&sp->words, sizeof(word_count), 4096);
  return sp;
}

void cr_spelling_free(cr_spelling *sp) {
  if (!sp) return;
  cr_hmap_free(&sp->words);
  free(sp->arena);
  free(sp);
}

/* The word being counted, for cr_hmap's comparison of equal hashes. */
typedef struct word_key {
  const cr_spelling *sp;
  const char *word;
  size_t len;
} word_key;

static bool same_word(const void *value, const void *ctx) {
  const word_count *w = value;
  const word_key *k = ctx;
  return w->len == k->len &&
         memcmp(k->sp->arena + w->off, k->word, k->len) == 0;
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
  word_key key = {sp, word, len};
  word_count *w = cr_hmap_get(&sp->words, h, same_word, &key);
  if (w) {
    w->count++;
    return 0;
  }
  bool added;
  if (reserve(sp, len) != 0 ||
      !(w = cr_hmap_put(&sp->words, h, same_word, &key, &added)))
    return -1;
  memcpy(sp->arena + sp->used, word, len);
  *w = (word_count){sp->used, (uint32_t)len, 1};
  sp->used += len;
  return 0;
}

void cr_spelling_end_doc(cr_spelling *sp) { sp->docs++; }

bool cr_spelling_full(const cr_spelling *sp) {
  return cr_hmap_count(&sp->words) >= CR_SPELLING_WINDOW_MAX_WORDS;
}

bool cr_spelling_next(const cr_spelling *sp, size_t *cursor, const char **word,
                      size_t *len, unsigned *count) {
  unsigned min_docs = sp->docs > CR_COMMIT_EVERY ? CR_SPELLING_MIN_DOCS_WIDE
                                                 : CR_SPELLING_MIN_DOCS;
  void *value;
  while (cr_hmap_next(&sp->words, cursor, NULL, &value)) {
    const word_count *w = value;
    if (w->count < min_docs) continue; /* too rare */
    *word = sp->arena + w->off;
    *len = w->len;
    *count = w->count;
    return true;
  }
  return false;
}

void cr_spelling_clear(cr_spelling *sp) {
  cr_hmap_clear(&sp->words);
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

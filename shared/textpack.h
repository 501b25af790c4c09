/* textpack.h — the stored article text, compressed with zstd.
 *
 * News articles are short and repeat the same phrasing, so compressing
 * each one on its own gains little; a dictionary trained on the archive's
 * own text gives zstd that shared context. On DICE (21.3 MB of text) the
 * document data went from 11.7 MB (Xapian's zlib) to about 7.7 MB.
 *
 * An index holds at most one dictionary, in its metadata under
 * CR_META_TEXTDICT, trained when the index is built (cr_textdict_train)
 * and never changed, so every text stays readable. Each text is one zstd
 * frame that names its dictionary (or none, for an index built from too
 * little text to train one).
 */
#ifndef CRONACA_TEXTPACK_H
#define CRONACA_TEXTPACK_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CR_META_TEXTDICT "cronaca:textdict"

/* Dictionaries are trained on about this much text (the first articles);
 * less than CR_TEXTDICT_MIN_SAMPLE is not worth a dictionary. */
#define CR_TEXTDICT_SAMPLE (2u << 20)
#define CR_TEXTDICT_MIN_SAMPLE (256u << 10)

/* A dictionary, immutable once loaded: shared by every thread. */
typedef struct cr_textdict cr_textdict;

/* Trains a dictionary on n texts. Returns a malloc'd dictionary (its size
 * in *len), or NULL when the sample is too small or too uniform to give
 * one (then texts are stored without a dictionary: not an error). */
void *cr_textdict_train(const char *const *texts, const size_t *lens, size_t n,
                        size_t *len);

/* What a loaded dictionary is for. Digesting it for compression builds
 * tables of hundreds of kB (megabytes at higher levels): page faults that
 * a process which only reads texts, the searcher, never needs. */
typedef enum cr_textdict_use {
  CR_TEXTDICT_UNPACK, /* decompression only */
  CR_TEXTDICT_PACK    /* compression too */
} cr_textdict_use;

/* Loads a dictionary's bytes (as trained, or read from the metadata) for
 * use. NULL with err filled if they are not a zstd dictionary. */
cr_textdict *cr_textdict_load(const void *bytes, size_t len,
                              cr_textdict_use use, cr_error *err);
void cr_textdict_free(cr_textdict *d);

/* The dictionary's bytes, for storing in the metadata. */
const void *cr_textdict_bytes(const cr_textdict *d, size_t *len);

/* Compression and decompression state for one thread. dict may be NULL
 * (no dictionary) and must outlive the packer. */
typedef struct cr_textpack cr_textpack;
cr_textpack *cr_textpack_new(const cr_textdict *dict);
void cr_textpack_free(cr_textpack *p);

/* Lets p also unpack frames made with dict, for a reader of several
 * indexes (shards) built with dictionaries of their own. dict must
 * outlive p. 0, or -1 if memory ran out. */
int cr_textpack_also(cr_textpack *p, const cr_textdict *dict);

/* The id zstd gave the dictionary, named in each frame packed with it. */
unsigned cr_textdict_id(const cr_textdict *d);

/* A text longer than this is packed as two frames: its head (these bytes,
 * less the start of a character cut at the end) and the rest, each with
 * the dictionary. A page without snippets reads a derived title from the
 * head alone: inflating whole texts was 15% of its instructions at 12k
 * articles. The second frame costs about 10 bytes a text. */
#define CR_TEXT_HEAD_BYTES 256

/* Compresses text into a buffer owned by p, valid until p's next call.
 * NULL if memory ran out, or if p's dictionary was loaded with
 * CR_TEXTDICT_UNPACK. */
const char *cr_text_pack(cr_textpack *p, const char *text, size_t len,
                         size_t *out_len);

/* Decompresses what cr_text_pack made into a buffer owned by p, valid
 * until p's next call, NUL-terminated. NULL with err filled
 * (CR_E_CORRUPT) if the data is damaged or needs another dictionary. */
const char *cr_text_unpack(cr_textpack *p, const char *data, size_t len,
                           size_t *out_len, cr_error *err);

/* As cr_text_unpack, but only the head: the whole text if it was packed
 * in one frame (an index written before CR_TEXT_HEAD_BYTES, or a short
 * text), *whole saying which. */
const char *cr_text_unpack_head(cr_textpack *p, const char *data, size_t len,
                                size_t *out_len, bool *whole, cr_error *err);

#ifdef __cplusplus
}
#endif
#endif

/* xapian_c.cc — the C API over Xapian declared in xapian_c.h.
 *
 * The project's only C++. Every extern "C" entry point runs its body
 * inside guard(), which turns any exception into a cr_error, so no C++
 * exception ever unwinds through C frames.
 */
#include "xapian_c.h"

#include <xapian.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <memory>
#include <new>
#include <string>
#include <unordered_set>
#include <vector>

#include "hash.h"

/* Distinct spelling words held before they are handed to Xapian. */
constexpr size_t SPELLING_WINDOW_MAX_WORDS = 1000000;
/* The indexer's commits in update mode hold this many articles. */
constexpr size_t SPELLING_WIDE_WINDOW = 5000;

/* Spelling words counted over a window: an open-addressing table of
 * {hash, word, count} whose words live in one arena. Counting a word
 * costs a probe and, on a hit, one memcmp; nothing is allocated per word
 * (a std::unordered_map<std::string, unsigned> here was 4% of the
 * indexer's CPU on DICE + SQuAD-it). */
class SpellingCounter {
public:
  size_t size() const { return n_; }

  /* Counts one more document holding word[0..len), whose hash is h. */
  void add(const char *word, size_t len, uint64_t h) {
    if (2 * (n_ + 1) > slots_.size()) grow();
    size_t mask = slots_.size() - 1;
    for (size_t k = index_of(h, mask);; k = (k + 1) & mask) {
      Slot &s = slots_[k];
      if (s.count == 0) {
        s.hash = h;
        s.off = arena_.size();
        s.len = static_cast<uint32_t>(len);
        s.count = 1;
        arena_.append(word, len);
        n_++;
        return;
      }
      if (s.hash == h && s.len == len &&
          std::memcmp(arena_.data() + s.off, word, len) == 0) {
        s.count++;
        return;
      }
    }
  }

  /* Calls f(word, count) for every word counted. */
  template <typename F> void for_each(F f) const {
    for (const Slot &s : slots_)
      if (s.count) f(std::string(arena_, s.off, s.len), s.count);
  }

  void clear() {
    std::fill(slots_.begin(), slots_.end(), Slot{});
    arena_.clear();
    n_ = 0;
  }

private:
  struct Slot {
    uint64_t hash;  /* the word's cr_fnv1a64 */
    size_t off;     /* where the word's bytes start in arena_ */
    uint32_t len;   /* their length */
    unsigned count; /* documents holding the word; 0: the slot is empty */
  };

  static size_t index_of(uint64_t h, size_t mask) {
    return static_cast<size_t>((h * 0x9e3779b97f4a7c15ULL) >> 32) & mask;
  }

  void grow() {
    std::vector<Slot> bigger(slots_.empty() ? 4096 : 2 * slots_.size());
    size_t mask = bigger.size() - 1;
    for (const Slot &s : slots_) {
      if (!s.count) continue;
      size_t k = index_of(s.hash, mask);
      while (bigger[k].count)
        k = (k + 1) & mask;
      bigger[k] = s;
    }
    slots_.swap(bigger);
  }

  std::vector<Slot> slots_; /* a power of two, at most half full */
  std::string arena_;       /* the words' bytes, end to end */
  size_t n_ = 0;            /* words counted */
};

/* The spelling words of one document, end to end in one buffer (kept
 * across documents, so adding a word allocates nothing). */
struct SpellingWord {
  uint64_t hash; /* cr_fnv1a64 of the word */
  size_t off;    /* where its bytes start in the buffer */
  size_t len;
};

struct cr_wdb {
  Xapian::WritableDatabase db;
  std::string path;
  /* Spelling words of the documents written since the last flush, with
   * the number of documents holding each: Xapian's add_spelling is costly
   * per call (a fifth of the indexer's CPU on DICE when words were handed
   * over at each of a shard's commits), so each word is handed over once
   * per window rather than once per document. */
  SpellingCounter spelling;
  size_t spelling_docs;   /* documents counted in the window */
  bool spelling_at_close; /* the window is the whole session (or a cap) */

  /* Words in fewer than 2 documents of the window are left out: they are
   * as likely to be typos as words, and would make the spelling data big.
   * A window longer than a commit's (SPELLING_WIDE_WINDOW documents) asks
   * for 3, which keeps the data the size per-commit windows gave (on
   * DICE, 1.2 MB). */
  void flush_spelling() {
    unsigned min_docs = spelling_docs > SPELLING_WIDE_WINDOW ? 3 : 2;
    spelling.for_each([&](const std::string &word, unsigned count) {
      if (count >= min_docs) db.add_spelling(word, count);
    });
    spelling.clear();
    spelling_docs = 0;
  }
  void count_spelling(const std::string &bytes,
                      const std::vector<SpellingWord> &words) {
    spelling_docs++;
    for (const SpellingWord &w : words)
      spelling.add(bytes.data() + w.off, w.len, w.hash);
    /* Bounds memory on a huge archive: the window closes early. */
    if (spelling.size() >= SPELLING_WINDOW_MAX_WORDS) flush_spelling();
  }
};

struct cr_rdb {
  Xapian::Database db;
  std::string paths; /* for messages: the paths as given, comma-separated */
};

struct cr_doc {
  Xapian::Document doc;
  /* Spelling words, added to the index with the doc: */
  std::string spelling_bytes;         /* their bytes, end to end */
  std::vector<SpellingWord> spelling; /* where each is in them */
};

struct cr_query {
  Xapian::Query q;
};

struct cr_mset {
  Xapian::Enquire enquire;
  Xapian::MSet mset;
  /* Per-hit copies of data and values, so pointers handed to C stay valid
   * until cr_mset_free. */
  std::vector<std::unique_ptr<std::string>> data;
  /* A deque: push_back keeps the pointers already handed out. */
  std::deque<std::string> value_scratch;
  std::vector<std::unique_ptr<Xapian::ValueCountMatchSpy>> spies;
  /* With count_once_slot: the one spy the matcher calls, which hands each
   * article once to the spies above. */
  std::unique_ptr<Xapian::MatchSpy> once;

  explicit cr_mset(const Xapian::Database &db) : enquire(db) {}
};

namespace {

/* Maps a Xapian exception class to our error code. Xapian::Error has no
 * virtual functions, so the class is known by its type name. */
int code_of(const Xapian::Error &e) {
  static const struct {
    const char *type;
    int code;
  } codes[] = {
      {"DatabaseLockError", CR_E_LOCKED},
      {"DatabaseModifiedError", CR_E_MODIFIED},
      {"DatabaseNotFoundError", CR_E_NOT_FOUND},
      {"DatabaseOpeningError", CR_E_NOT_FOUND},
      {"DatabaseVersionError", CR_E_NOT_FOUND},
      {"DatabaseCorruptError", CR_E_CORRUPT},
      {"NetworkError", CR_E_NETWORK},
      {"NetworkTimeoutError", CR_E_NETWORK},
      {"InvalidArgumentError", CR_E_INVALID},
      {"DatabaseError", CR_E_IO},
      {"DatabaseCreateError", CR_E_IO},
      {"UnimplementedError", CR_E_UNSUPPORTED},
  };
  for (const auto &c : codes)
    if (std::strcmp(e.get_type(), c.type) == 0) return c.code;
  return CR_E_GENERIC;
}

/* A remote shard's failure, naming the server: Xapian's context reads
 * "remote:tcp(HOST:PORT)" or "remote:prog(COMMAND)". */
std::string describe_network(const Xapian::Error &e) {
  std::string where = e.get_context();
  size_t open = where.find('('), close = where.rfind(')');
  if (open != std::string::npos && close != std::string::npos && close > open)
    where = where.substr(open + 1, close - open - 1);
  std::string out = (where.empty() ? std::string("a remote shard")
                                   : "remote shard " + where) +
                    ": " + e.get_msg();
  const char *why = e.get_error_string();
  if (why && *why) out += std::string(" (") + why + ")";
  out += "; is xapian-tcpsrv (or xapian-progsrv) serving it there?";
  return out;
}

/* Runs f; on any exception fills err with what was being done (`what`)
 * and returns false. */
template <typename F> bool guard(cr_error *err, const std::string &what, F f) {
  try {
    f();
    return true;
  } catch (const Xapian::Error &e) {
    if (code_of(e) == CR_E_NETWORK) {
      cr_error_set(err, CR_E_NETWORK, "%s: %s", what.c_str(),
                   describe_network(e).c_str());
      return false;
    }
    std::string msg = e.get_msg();
    if (!e.get_context().empty()) msg += " (" + e.get_context() + ")";
    /* The system's reason ("No space left on device") says what to fix. */
    if (e.get_error_string()) msg += std::string(": ") + e.get_error_string();
    cr_error_set(err, code_of(e), "%s: %s: %s", what.c_str(), e.get_type(),
                 msg.c_str());
  } catch (const std::bad_alloc &) {
    cr_error_set(err, CR_E_NOMEM, "%s: out of memory", what.c_str());
  } catch (const std::exception &e) {
    cr_error_set(err, CR_E_GENERIC, "%s: %s", what.c_str(), e.what());
  } catch (...) {
    cr_error_set(err, CR_E_GENERIC, "%s: unknown error", what.c_str());
  }
  return false;
}

/* A malloc'd, NUL-terminated copy for C (which frees it with free). */
char *copy_out(const std::string &s, size_t *len) {
  char *out = static_cast<char *>(std::malloc(s.size() + 1));
  if (!out) return nullptr;
  std::memcpy(out, s.data(), s.size());
  out[s.size()] = '\0';
  if (len) *len = s.size();
  return out;
}

cr_query *wrap(const Xapian::Query &q) {
  try {
    return new cr_query{q};
  } catch (...) {
    return nullptr;
  }
}

Xapian::Query::op op_of(int op) {
  switch (op) {
  case CR_OP_AND:
    return Xapian::Query::OP_AND;
  case CR_OP_OR:
    return Xapian::Query::OP_OR;
  case CR_OP_AND_NOT:
    return Xapian::Query::OP_AND_NOT;
  case CR_OP_FILTER:
    return Xapian::Query::OP_FILTER;
  case CR_OP_AND_MAYBE:
    return Xapian::Query::OP_AND_MAYBE;
  case CR_OP_PHRASE:
    return Xapian::Query::OP_PHRASE;
  case CR_OP_NEAR:
    return Xapian::Query::OP_NEAR;
  case CR_OP_SYNONYM:
    return Xapian::Query::OP_SYNONYM;
  case CR_OP_ELITE_SET:
    return Xapian::Query::OP_ELITE_SET;
  default:
    return Xapian::Query::OP_OR;
  }
}

} // namespace

extern "C" {

/* ---- Writing ---------------------------------------------------------- */

cr_wdb *cr_wdb_open(const char *path, int flags, cr_error *err) {
  cr_wdb *out = nullptr;
  guard(err, std::string("cannot open index '") + path + "' for writing", [&] {
    int action = Xapian::DB_CREATE_OR_OPEN;
    switch (flags & 0xf) {
    case CR_WDB_CREATE_OR_OVERWRITE:
      action = Xapian::DB_CREATE_OR_OVERWRITE;
      break;
    case CR_WDB_OPEN:
      action = Xapian::DB_OPEN;
      break;
    default:
      break;
    }
    if (flags & CR_WDB_NO_SYNC) action |= Xapian::DB_NO_SYNC;
    if (flags & CR_WDB_DANGEROUS) action |= Xapian::DB_DANGEROUS;
    action |= Xapian::DB_BACKEND_GLASS;
    out = new cr_wdb{Xapian::WritableDatabase(path, action),
                     path,
                     {},
                     0,
                     (flags & CR_WDB_SPELLING_AT_CLOSE) != 0};
  });
  return out;
}

int cr_wdb_close(cr_wdb *db, cr_error *err) {
  if (!db) return 0;
  bool ok = guard(err, "cannot close index '" + db->path + "'", [&] {
    db->flush_spelling();
    db->db.close();
  });
  delete db;
  return ok ? 0 : -1;
}

int cr_wdb_commit(cr_wdb *db, cr_error *err) {
  return guard(err, "cannot commit index '" + db->path + "'",
               [&] {
                 if (!db->spelling_at_close) db->flush_spelling();
                 db->db.commit();
               })
             ? 0
             : -1;
}

int cr_wdb_begin_transaction(cr_wdb *db, cr_error *err) {
  return guard(err, "cannot begin a transaction on '" + db->path + "'",
               [&] { db->db.begin_transaction(true); })
             ? 0
             : -1;
}

int cr_wdb_commit_transaction(cr_wdb *db, cr_error *err) {
  return guard(err, "cannot commit a transaction on '" + db->path + "'",
               [&] {
                 db->flush_spelling();
                 db->db.commit_transaction();
               })
             ? 0
             : -1;
}

int cr_wdb_cancel_transaction(cr_wdb *db, cr_error *err) {
  return guard(err, "cannot cancel a transaction on '" + db->path + "'",
               [&] {
                 db->spelling.clear();
                 db->db.cancel_transaction();
               })
             ? 0
             : -1;
}

int cr_wdb_replace(cr_wdb *db, const char *id_term, const cr_doc *doc,
                   cr_error *err) {
  return guard(err, std::string("cannot add document '") + id_term + "'",
               [&] {
                 db->db.replace_document(id_term, doc->doc);
                 db->count_spelling(doc->spelling_bytes, doc->spelling);
               })
             ? 0
             : -1;
}

int cr_wdb_delete(cr_wdb *db, const char *term, cr_error *err) {
  return guard(err, std::string("cannot delete documents '") + term + "'",
               [&] { db->db.delete_document(term); })
             ? 0
             : -1;
}

int cr_wdb_delete_doc(cr_wdb *db, cr_docid id, cr_error *err) {
  return guard(err, "cannot delete document " + std::to_string(id),
               [&] { db->db.delete_document(id); })
             ? 0
             : -1;
}

int cr_wdb_doc_has_term(cr_wdb *db, cr_docid id, const char *term,
                        cr_error *err) {
  bool has = false;
  bool ok = guard(err, "cannot read document " + std::to_string(id), [&] {
    auto t = db->db.termlist_begin(id);
    t.skip_to(term);
    has = t != db->db.termlist_end(id) && *t == term;
  });
  return ok ? has : -1;
}

int cr_wdb_docs_with(cr_wdb *db, const char *term, const char *prefix,
                     cr_doc_term_fn fn, void *ctx, cr_error *err) {
  int rc = 0;
  bool ok =
      guard(err, std::string("cannot list documents '") + term + "'", [&] {
        std::string want(prefix);
        for (auto p = db->db.postlist_begin(term);
             p != db->db.postlist_end(term) && rc == 0; ++p) {
          auto t = db->db.termlist_begin(*p);
          t.skip_to(want);
          std::string found;
          if (t != db->db.termlist_end(*p) &&
              (*t).compare(0, want.size(), want) == 0)
            found = *t;
          rc = fn(*p, found.data(), found.size(), ctx);
        }
      });
  return ok ? rc : -1;
}

uint32_t cr_wdb_doccount(cr_wdb *db) {
  uint32_t n = 0;
  guard(nullptr, "", [&] { n = db->db.get_doccount(); });
  return n;
}

uint32_t cr_wdb_termfreq(cr_wdb *db, const char *term) {
  uint32_t n = 0;
  guard(nullptr, "", [&] { n = db->db.get_termfreq(term); });
  return n;
}

int cr_wdb_set_metadata(cr_wdb *db, const char *key, const char *value,
                        size_t len, cr_error *err) {
  return guard(err, std::string("cannot set metadata '") + key + "'",
               [&] { db->db.set_metadata(key, std::string(value, len)); })
             ? 0
             : -1;
}

char *cr_wdb_get_metadata(cr_wdb *db, const char *key, size_t *len) {
  char *out = nullptr;
  *len = 0;
  guard(nullptr, "", [&] {
    std::string v = db->db.get_metadata(key);
    if (!v.empty()) out = copy_out(v, len); /* empty means absent */
  });
  return out;
}

int cr_wdb_metadata_keys(cr_wdb *db, const char *prefix, cr_key_fn fn,
                         void *ctx) {
  int rc = 0;
  guard(nullptr, "", [&] {
    for (auto it = db->db.metadata_keys_begin(prefix);
         it != db->db.metadata_keys_end(prefix); ++it) {
      const std::string &k = *it;
      if ((rc = fn(k.c_str(), k.size(), ctx)) != 0) break;
    }
  });
  return rc;
}

int cr_wdb_add_spelling(cr_wdb *db, const char *word, unsigned freq_inc,
                        cr_error *err) {
  return guard(err, std::string("cannot add spelling '") + word + "'",
               [&] { db->db.add_spelling(word, freq_inc); })
             ? 0
             : -1;
}

extern "C++" {
namespace {
template <typename DB>
int for_each_value(DB &db, unsigned slot, cr_value_fn fn, void *ctx) {
  int rc = 0;
  bool ok = guard(nullptr, "", [&] {
    for (auto it = db.valuestream_begin(slot); it != db.valuestream_end(slot);
         ++it) {
      const std::string &v = *it;
      if ((rc = fn(it.get_docid(), v.data(), v.size(), ctx)) != 0) break;
    }
  });
  return ok ? rc : -1;
}

/* One value of one document, copied out; NULL when empty or on error. */
template <typename DB>
char *doc_value(DB &db, cr_docid id, unsigned slot, size_t *len) {
  char *out = nullptr;
  *len = 0;
  guard(nullptr, "", [&] {
    std::string v = db.get_document(id).get_value(slot);
    if (!v.empty()) out = copy_out(v, len);
  });
  return out;
}
} // namespace
} // extern "C++"

int cr_wdb_values(cr_wdb *db, unsigned slot, cr_value_fn fn, void *ctx) {
  return for_each_value(db->db, slot, fn, ctx);
}

char *cr_wdb_doc_value(cr_wdb *db, cr_docid id, unsigned slot, size_t *len) {
  return doc_value(db->db, id, slot, len);
}

int cr_wdb_set_doc_value(cr_wdb *db, cr_docid id, unsigned slot,
                         const char *value, size_t len, cr_error *err) {
  return guard(err,
               "cannot update document " + std::to_string(id) + " of '" +
                   db->path + "'",
               [&] {
                 Xapian::Document doc = db->db.get_document(id);
                 if (len)
                   doc.add_value(slot, std::string(value, len));
                 else
                   doc.remove_value(slot);
                 db->db.replace_document(id, doc);
               })
             ? 0
             : -1;
}

int cr_compact(const char *const *sources, size_t n_sources, const char *dest,
               cr_error *err) {
  return guard(err, std::string("cannot compact into '") + dest + "'",
               [&] {
                 Xapian::Database all;
                 for (size_t i = 0; i < n_sources; i++)
                   all.add_database(Xapian::Database(sources[i]));
                 /* FULL, not FULLER: on DICE FULLER's index is 1.8 MB
                  * larger (its value chunks split across blocks). */
                 all.compact(dest, Xapian::DBCOMPACT_MULTIPASS |
                                       Xapian::Compactor::FULL |
                                       Xapian::DB_BACKEND_GLASS);
               })
             ? 0
             : -1;
}

/* ---- Documents -------------------------------------------------------- */

cr_doc *cr_doc_new(void) {
  try {
    return new cr_doc;
  } catch (...) {
    return nullptr;
  }
}

void cr_doc_free(cr_doc *doc) { delete doc; }

void cr_doc_clear(cr_doc *doc) {
  guard(nullptr, "", [&] {
    doc->doc = Xapian::Document();
    doc->spelling_bytes.clear();
    doc->spelling.clear();
  });
}

int cr_doc_add_posting(cr_doc *doc, const char *term, size_t len,
                       uint32_t position, uint32_t wdf_inc) {
  return guard(nullptr, "",
               [&] {
                 doc->doc.add_posting(std::string(term, len), position,
                                      wdf_inc);
               })
             ? 0
             : -1;
}

int cr_doc_add_term(cr_doc *doc, const char *term, size_t len,
                    uint32_t wdf_inc) {
  return guard(nullptr, "",
               [&] { doc->doc.add_term(std::string(term, len), wdf_inc); })
             ? 0
             : -1;
}

int cr_doc_set_value(cr_doc *doc, unsigned slot, const char *value,
                     size_t len) {
  return guard(nullptr, "",
               [&] { doc->doc.add_value(slot, std::string(value, len)); })
             ? 0
             : -1;
}

int cr_doc_add_spelling(cr_doc *doc, const char *word, size_t len) {
  return guard(nullptr, "",
               [&] {
                 doc->spelling.push_back(SpellingWord{
                     cr_fnv1a64(word, len), doc->spelling_bytes.size(), len});
                 doc->spelling_bytes.append(word, len);
               })
             ? 0
             : -1;
}

int cr_doc_set_data(cr_doc *doc, const char *data, size_t len) {
  return guard(nullptr, "", [&] { doc->doc.set_data(std::string(data, len)); })
             ? 0
             : -1;
}

/* ---- Reading ---------------------------------------------------------- */

cr_rdb *cr_rdb_open(const char *const *paths, size_t n_paths, cr_error *err) {
  cr_rdb *out = nullptr;
  std::string names;
  for (size_t i = 0; i < n_paths; i++)
    names += (i ? ", " : "") + std::string(paths[i]);
  for (size_t i = 0; i < n_paths; i++) {
    bool ok =
        guard(err, std::string("cannot open index '") + paths[i] + "'", [&] {
          if (!out) out = new cr_rdb{Xapian::Database(), names};
          out->db.add_database(Xapian::Database(paths[i]));
        });
    if (!ok) {
      delete out;
      return nullptr;
    }
  }
  if (!out) cr_error_set(err, CR_E_INVALID, "no index given");
  return out;
}

void cr_rdb_close(cr_rdb *db) { delete db; }

int cr_rdb_reopen(cr_rdb *db, cr_error *err) {
  return guard(err, "cannot reopen index '" + db->paths + "'",
               [&] { db->db.reopen(); })
             ? 0
             : -1;
}

uint32_t cr_rdb_doccount(cr_rdb *db) {
  uint32_t n = 0;
  guard(nullptr, "", [&] { n = db->db.get_doccount(); });
  return n;
}

uint32_t cr_rdb_termfreq(cr_rdb *db, const char *term) {
  uint32_t n = 0;
  guard(nullptr, "", [&] { n = db->db.get_termfreq(term); });
  return n;
}

char *cr_rdb_get_metadata(cr_rdb *db, const char *key, size_t *len) {
  char *out = nullptr;
  *len = 0;
  guard(nullptr, "", [&] {
    std::string v = db->db.get_metadata(key);
    if (!v.empty()) out = copy_out(v, len); /* empty means absent */
  });
  return out;
}

size_t cr_rdb_shard_count(cr_rdb *db) { return db->db.size(); }

char *cr_rdb_shard_metadata(cr_rdb *db, size_t k, const char *key,
                            size_t *len) {
  char *out = nullptr;
  *len = 0;
  guard(nullptr, "", [&] {
    if (k >= db->db.size()) return;
    /* Xapian 1.4 reads metadata from the first shard only. A handle made
     * from one shard's internals (public in 1.4's header, though marked
     * internal) reads that shard's, local or remote. */
    Xapian::Database one(db->db.internal[k].get());
    std::string v = one.get_metadata(key);
    if (!v.empty()) out = copy_out(v, len);
  });
  return out;
}

char *cr_rdb_document_data(cr_rdb *db, cr_docid id, size_t *len,
                           cr_error *err) {
  char *out = nullptr;
  if (len) *len = 0;
  guard(err, "cannot read document " + std::to_string(id),
        [&] { out = copy_out(db->db.get_document(id).get_data(), len); });
  return out;
}

int cr_rdb_values(cr_rdb *db, unsigned slot, cr_value_fn fn, void *ctx) {
  return for_each_value(db->db, slot, fn, ctx);
}

char *cr_rdb_doc_value(cr_rdb *db, cr_docid id, unsigned slot, size_t *len) {
  return doc_value(db->db, id, slot, len);
}

cr_docid cr_rdb_docid_of(cr_rdb *db, const char *term) {
  cr_docid id = 0;
  guard(nullptr, "", [&] {
    auto it = db->db.postlist_begin(term);
    if (it != db->db.postlist_end(term)) id = *it;
  });
  return id;
}

long cr_rdb_positions(cr_rdb *db, cr_docid id, const char *term, uint32_t *out,
                      size_t cap, cr_error *err) {
  long n = 0;
  bool ok = guard(
      err, "cannot read positions in document " + std::to_string(id), [&] {
        auto end = db->db.positionlist_end(id, term);
        for (auto it = db->db.positionlist_begin(id, term); it != end;
             ++it, ++n)
          if (static_cast<size_t>(n) < cap) out[n] = *it;
      });
  return ok ? n : -1;
}

int cr_rdb_doc_has_terms(cr_rdb *db, cr_docid id, const char *const *terms,
                         size_t n, bool *has, cr_error *err) {
  for (size_t i = 0; i < n; i++)
    has[i] = false;
  return guard(err, "cannot read the terms of document " + std::to_string(id),
               [&] {
                 /* skip_to moves forward only: visit the terms in order. */
                 std::vector<size_t> order(n);
                 for (size_t i = 0; i < n; i++)
                   order[i] = i;
                 std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
                   return strcmp(terms[a], terms[b]) < 0;
                 });
                 auto end = db->db.termlist_end(id);
                 auto it = db->db.termlist_begin(id);
                 for (size_t k = 0; k < n && it != end; k++) {
                   it.skip_to(terms[order[k]]);
                   has[order[k]] = it != end && *it == terms[order[k]];
                 }
               })
             ? 0
             : -1;
}

extern "C++" namespace {
  /* Our prefixes are upper-case ASCII; the words of texts never are. */
  struct UnprefixedOnly : public Xapian::ExpandDecider {
    bool operator()(const std::string &term) const override {
      return !term.empty() && !(term[0] >= 'A' && term[0] <= 'Z');
    }
  };
} // namespace

int cr_rdb_expand(cr_rdb *db, const cr_docid *rset, size_t n_rset,
                  unsigned max_terms, cr_term_weight_fn fn, void *ctx,
                  cr_error *err) {
  int rc = 0;
  bool ok =
      guard(err, "cannot read similar terms from '" + db->paths + "'", [&] {
        Xapian::Enquire enquire(db->db);
        Xapian::RSet rs;
        for (size_t i = 0; i < n_rset; i++)
          rs.add_document(rset[i]);
        UnprefixedOnly decider;
        Xapian::ESet eset = enquire.get_eset(max_terms, rs, &decider);
        for (auto it = eset.begin(); it != eset.end(); ++it) {
          const std::string &t = *it;
          if ((rc = fn(t.data(), t.size(), it.get_weight(), ctx))) break;
        }
      });
  return ok ? rc : -1;
}

int cr_rdb_allterms(cr_rdb *db, const char *prefix, cr_key_fn fn, void *ctx) {
  int rc = 0;
  guard(nullptr, "", [&] {
    for (auto it = db->db.allterms_begin(prefix);
         it != db->db.allterms_end(prefix); ++it) {
      const std::string &t = *it;
      if ((rc = fn(t.c_str(), t.size(), ctx)) != 0) break;
    }
  });
  return rc;
}

int cr_rdb_value_freq(cr_rdb *db, unsigned slot, uint32_t *count,
                      cr_error *err) {
  *count = 0;
  return guard(err, "cannot read the values of '" + db->paths + "'",
               [&] { *count = db->db.get_value_freq(slot); })
             ? 0
             : -1;
}

char *cr_rdb_spelling_suggestion(cr_rdb *db, const char *word,
                                 unsigned max_edit_distance) {
  char *out = nullptr;
  guard(nullptr, "", [&] {
    std::string s = db->db.get_spelling_suggestion(word, max_edit_distance);
    if (!s.empty()) out = copy_out(s, nullptr);
  });
  return out;
}

/* ---- Queries ---------------------------------------------------------- */

cr_query *cr_query_term(const char *term, uint32_t wqf, uint32_t position) {
  cr_query *out = nullptr;
  guard(nullptr, "",
        [&] { out = wrap(Xapian::Query(term, wqf ? wqf : 1, position)); });
  return out;
}

cr_query *cr_query_combine(int op, cr_query *const *subs, size_t n,
                           unsigned window) {
  cr_query *out = nullptr;
  guard(nullptr, "", [&] {
    std::vector<Xapian::Query> qs;
    qs.reserve(n);
    for (size_t i = 0; i < n; i++)
      qs.push_back(subs[i]->q);
    Xapian::termcount param = window;
    out = wrap(Xapian::Query(op_of(op), qs.begin(), qs.end(), param));
  });
  return out;
}

cr_query *cr_query_value_range(unsigned slot, const char *lo, const char *hi) {
  cr_query *out = nullptr;
  guard(nullptr, "", [&] {
    if (lo && hi)
      out = wrap(Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, lo, hi));
    else if (lo)
      out = wrap(Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, lo));
    else if (hi)
      out = wrap(Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, hi));
    else
      out = wrap(Xapian::Query::MatchAll);
  });
  return out;
}

cr_query *cr_query_wildcard(const char *prefix, unsigned max_expansion) {
  cr_query *out = nullptr;
  guard(nullptr, "", [&] {
    /* With a limit, keep the most frequent expansions rather than fail;
     * MOST_FREQUENT treats 0 as "none", so no limit needs LIMIT_ERROR. */
    int limit = max_expansion ? Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT
                              : Xapian::Query::WILDCARD_LIMIT_ERROR;
    out = wrap(Xapian::Query(Xapian::Query::OP_WILDCARD, prefix, max_expansion,
                             limit, Xapian::Query::OP_SYNONYM));
  });
  return out;
}

extern "C++" namespace {
  /* The documents a C test keeps (cr_query_checked). The matcher asks
   * check() for documents the rest of the query already matched, so the
   * test runs on those alone: first the terms' positions, when given (a
   * phrase's stems must stand at the query's offsets: most candidates
   * fail there, for a few position reads), then the C test on the values.
   * next() and skip_to() (when this leads, which its estimate of every
   * document makes rare) test each document in turn. Xapian clones one
   * per database searched and calls init() with that database. */
  class CheckedSource : public Xapian::PostingSource {
  public:
    CheckedSource(const std::vector<std::string> &terms,
                  const std::vector<Xapian::termpos> &offsets,
                  unsigned text_slot, unsigned card_slot, cr_check_fn fn,
                  void *ctx)
        : terms_(terms), offsets_(offsets), text_slot_(text_slot),
          card_slot_(card_slot), fn_(fn), ctx_(ctx) {}

    CheckedSource *clone() const override {
      return new CheckedSource(terms_, offsets_, text_slot_, card_slot_, fn_,
                               ctx_);
    }
    void init(const Xapian::Database &db) override {
      db_ = db;
      all_ = db_.postlist_begin("");
      did_ = 0;
      text_ = db_.valuestream_begin(text_slot_);
      card_ = db_.valuestream_begin(card_slot_);
    }
    Xapian::doccount get_termfreq_min() const override { return 0; }
    Xapian::doccount get_termfreq_est() const override {
      return db_.get_doccount();
    }
    Xapian::doccount get_termfreq_max() const override {
      return db_.get_doccount();
    }
    void next(double) override { move_from(did_ + 1); }
    void skip_to(Xapian::docid did, double) override {
      if (did > did_) move_from(did);
    }
    bool check(Xapian::docid did, double) override {
      did_ = did;
      return keeps(did);
    }
    bool at_end() const override { return all_ == Xapian::PostingIterator(); }
    Xapian::docid get_docid() const override { return did_; }
    std::string get_description() const override { return "CheckedSource"; }

  private:
    /* Moves to the first document from did on that the test keeps. */
    void move_from(Xapian::docid did) {
      Xapian::PostingIterator end;
      for (all_.skip_to(did); all_ != end; ++all_)
        if (keeps(did_ = *all_)) return;
    }
    /* Whether every term stands at its offset from the first somewhere. */
    bool positions_align(Xapian::docid did) {
      if (terms_.size() < 2) return true;
      std::vector<Xapian::PositionIterator> its;
      its.reserve(terms_.size());
      for (const std::string &t : terms_) {
        its.push_back(db_.positionlist_begin(did, t));
        if (its.back() == db_.positionlist_end(did, t)) return false;
      }
      Xapian::PositionIterator end = Xapian::PositionIterator();
      for (; its[0] != end; ++its[0]) {
        Xapian::termpos start = *its[0] - offsets_[0];
        if (*its[0] < offsets_[0]) continue;
        bool all = true;
        for (size_t i = 1; i < terms_.size() && all; i++) {
          its[i].skip_to(start + offsets_[i]);
          if (its[i] == end) return false;
          all = *its[i] == start + offsets_[i];
        }
        if (all) return true;
      }
      return false;
    }
    bool keeps(Xapian::docid did) {
      if (!positions_align(did)) return false;
      std::string text, card;
      if (text_ != Xapian::ValueIterator() && text_.check(did) &&
          text_ != Xapian::ValueIterator() && text_.get_docid() == did)
        text = *text_;
      if (card_ != Xapian::ValueIterator() && card_.check(did) &&
          card_ != Xapian::ValueIterator() && card_.get_docid() == did)
        card = *card_;
      int rc = fn_(text.empty() ? nullptr : text.data(), text.size(),
                   card.empty() ? nullptr : card.data(), card.size(), ctx_);
      if (rc < 0) throw std::bad_alloc();
      return rc > 0;
    }

    std::vector<std::string> terms_;       /* positioned terms, or none */
    std::vector<Xapian::termpos> offsets_; /* each one's offset */
    unsigned text_slot_, card_slot_;
    cr_check_fn fn_;
    void *ctx_;
    Xapian::Database db_;
    Xapian::PostingIterator all_; /* every document, for next() */
    Xapian::docid did_ = 0;
    Xapian::ValueIterator text_, card_;
  };
} // namespace

cr_query *cr_query_checked(const char *const *terms, const uint32_t *offsets,
                           size_t n_terms, unsigned text_slot,
                           unsigned card_slot, cr_check_fn fn, void *ctx) {
  cr_query *out = nullptr;
  guard(nullptr, "", [&] {
    std::vector<std::string> t(terms, terms + n_terms);
    std::vector<Xapian::termpos> o(offsets, offsets + n_terms);
    /* release(): the query owns the source from here on. */
    std::unique_ptr<CheckedSource> src(
        new CheckedSource(t, o, text_slot, card_slot, fn, ctx));
    Xapian::Query q(src->release());
    src.release();
    out = wrap(q);
  });
  return out;
}

cr_query *cr_query_scale(const cr_query *q, double factor) {
  cr_query *out = nullptr;
  guard(nullptr, "", [&] {
    out = wrap(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor));
  });
  return out;
}

cr_query *cr_query_match_all(void) { return wrap(Xapian::Query::MatchAll); }

cr_query *cr_query_copy(const cr_query *q) { return wrap(q->q); }

void cr_query_free(cr_query *q) { delete q; }

bool cr_query_is_empty(const cr_query *q) { return !q || q->q.empty(); }

char *cr_query_describe(const cr_query *q) {
  char *out = nullptr;
  guard(nullptr, "", [&] { out = copy_out(q->q.get_description(), nullptr); });
  return out;
}

int cr_query_terms(const cr_query *q, cr_key_fn fn, void *ctx) {
  int rc = 0;
  guard(nullptr, "", [&] {
    for (auto it = q->q.get_unique_terms_begin();
         it != q->q.get_unique_terms_end(); ++it) {
      const std::string &t = *it;
      if ((rc = fn(t.c_str(), t.size(), ctx)) != 0) break;
    }
  });
  return rc;
}

/* ---- Searching -------------------------------------------------------- */

cr_bm25 cr_bm25_default(void) { return cr_bm25{1.0, 0.0, 1.0, 0.5, 0.5}; }

cr_search_opts cr_search_opts_default(void) {
  cr_search_opts o;
  o.bm25 = cr_bm25_default();
  o.offset = 0;
  o.count = 10;
  o.check_at_least = 0;
  o.sort_slot = -1;
  o.sort_descending = false;
  o.collapse_slot = -1;
  o.n_count_slots = 0;
  o.count_once_slot = -1;
  return o;
}

extern "C++" namespace {
  /* Hands each match to the value counters once per value of a slot:
   * copies of one article (the same card) in two databases count once. */
  class CountOnceSpy : public Xapian::MatchSpy {
  public:
    CountOnceSpy(
        unsigned slot,
        const std::vector<std::unique_ptr<Xapian::ValueCountMatchSpy>> &spies)
        : slot_(slot), spies_(spies) {}
    void operator()(const Xapian::Document &doc, double wt) override {
      std::string key = doc.get_value(slot_);
      if (!key.empty() &&
          !seen_.insert(cr_fnv1a64(key.data(), key.size())).second)
        return;
      for (const auto &s : spies_)
        (*s)(doc, wt);
    }

  private:
    unsigned slot_;
    const std::vector<std::unique_ptr<Xapian::ValueCountMatchSpy>> &spies_;
    std::unordered_set<uint64_t> seen_; /* hashes of the values met */
  };
} // namespace

cr_mset *cr_search(cr_rdb *db, const cr_query *q, const cr_search_opts *opts,
                   cr_error *err) {
  std::unique_ptr<cr_mset> m;
  bool ok = guard(err, "search failed on '" + db->paths + "'", [&] {
    m.reset(new cr_mset(db->db));
    m->enquire.set_query(q->q);
    const cr_bm25 &w = opts->bm25;
    m->enquire.set_weighting_scheme(
        Xapian::BM25Weight(w.k1, w.k2, w.k3, w.b, w.min_normlen));
    if (opts->sort_slot >= 0) {
      /* Xapian's "reverse" puts the largest value first. */
      m->enquire.set_sort_by_value_then_relevance(opts->sort_slot,
                                                  opts->sort_descending);
    } else {
      /* Ties in relevance may come in any order: lets the matcher stop
       * early more often. */
      m->enquire.set_docid_order(Xapian::Enquire::DONT_CARE);
    }
    if (opts->collapse_slot >= 0)
      m->enquire.set_collapse_key(opts->collapse_slot);
    for (unsigned k = 0; k < opts->n_count_slots && k < CR_MAX_COUNT_SLOTS;
         k++) {
      m->spies.emplace_back(
          new Xapian::ValueCountMatchSpy(opts->count_slots[k]));
      if (opts->count_once_slot < 0)
        m->enquire.add_matchspy(m->spies.back().get());
    }
    if (opts->count_once_slot >= 0 && !m->spies.empty()) {
      m->once.reset(new CountOnceSpy(
          static_cast<unsigned>(opts->count_once_slot), m->spies));
      m->enquire.add_matchspy(m->once.get());
    }
    m->mset =
        m->enquire.get_mset(opts->offset, opts->count, opts->check_at_least);
    m->data.resize(m->mset.size());
  });
  return ok ? m.release() : nullptr;
}

void cr_mset_free(cr_mset *m) { delete m; }

uint32_t cr_mset_size(const cr_mset *m) { return m->mset.size(); }

uint32_t cr_mset_matches_estimated(const cr_mset *m) {
  return m->mset.get_matches_estimated();
}

bool cr_mset_matches_exact(const cr_mset *m) {
  return m->mset.get_matches_lower_bound() == m->mset.get_matches_upper_bound();
}

uint32_t cr_mset_rank(const cr_mset *m, uint32_t i) {
  return m->mset[i].get_rank();
}

cr_docid cr_mset_docid(const cr_mset *m, uint32_t i) {
  cr_docid id = 0;
  guard(nullptr, "", [&] { id = *m->mset[i]; });
  return id;
}

uint32_t cr_mset_termfreq(const cr_mset *m, const char *term) {
  uint32_t n = 0;
  guard(nullptr, "", [&] { n = m->mset.get_termfreq(term); });
  return n;
}

double cr_mset_weight(const cr_mset *m, uint32_t i) {
  return m->mset[i].get_weight();
}

uint32_t cr_mset_collapse_count(const cr_mset *m, uint32_t i) {
  return m->mset[i].get_collapse_count();
}

const char *cr_mset_data(cr_mset *m, uint32_t i, size_t *len) {
  *len = 0;
  if (i >= m->data.size()) return nullptr;
  const char *out = nullptr;
  guard(nullptr, "", [&] {
    if (!m->data[i])
      m->data[i].reset(new std::string(m->mset[i].get_document().get_data()));
    out = m->data[i]->c_str();
    *len = m->data[i]->size();
  });
  return out;
}

const char *cr_mset_value(cr_mset *m, uint32_t i, unsigned slot, size_t *len) {
  *len = 0;
  if (i >= m->mset.size()) return nullptr;
  const char *out = nullptr;
  guard(nullptr, "", [&] {
    m->value_scratch.push_back(m->mset[i].get_document().get_value(slot));
    const std::string &v = m->value_scratch.back();
    if (v.empty()) {
      m->value_scratch.pop_back();
      return;
    }
    out = v.c_str();
    *len = v.size();
  });
  return out;
}

int cr_mset_value_counts(const cr_mset *m, unsigned k, cr_count_fn fn,
                         void *ctx) {
  if (k >= m->spies.size()) return 0;
  int rc = 0;
  guard(nullptr, "", [&] {
    const Xapian::ValueCountMatchSpy &spy = *m->spies[k];
    for (auto it = spy.values_begin(); it != spy.values_end(); ++it) {
      const std::string &v = *it;
      if ((rc = fn(v.data(), v.size(), it.get_termfreq(), ctx)) != 0) break;
    }
  });
  return rc;
}

int cr_mset_matching_terms(cr_mset *m, uint32_t i, cr_key_fn fn, void *ctx) {
  int rc = 0;
  guard(nullptr, "", [&] {
    Xapian::MSetIterator hit = m->mset[i];
    for (auto it = m->enquire.get_matching_terms_begin(hit);
         it != m->enquire.get_matching_terms_end(hit); ++it) {
      const std::string &t = *it;
      if ((rc = fn(t.c_str(), t.size(), ctx)) != 0) break;
    }
  });
  return rc;
}

/* ---- The last line of defence ------------------------------------------ */

extern "C++" namespace {
  /* The program named in the message (set once, before any thread). */
  const char **uncaught_program() {
    static const char *name = "cronaca";
    return &name;
  }

  [[noreturn]] void on_uncaught() {
    std::string what = "an unexpected error";
    if (std::current_exception()) {
      try {
        throw;
      } catch (const Xapian::Error &e) {
        what = e.get_msg();
        if (e.get_error_string())
          what += std::string(" (") + e.get_error_string() + ")";
      } catch (const std::bad_alloc &) {
        what = "out of memory";
      } catch (const std::exception &e) {
        what = e.what();
      } catch (...) {
      }
    }
    std::fprintf(stderr,
                 "%s: Xapian failed and could not recover: %s; the index "
                 "keeps what was committed before\n",
                 *uncaught_program(), what.c_str());
    std::_Exit(2);
  }
} // namespace

void cr_on_uncaught_exit(const char *program) {
  *uncaught_program() = program;
  std::set_terminate(on_uncaught);
}

/* ---- Inspecting a document being built (tests) ------------------------ */

/* Kept apart from the rest: it reads a document, never an index, and its
 * messages are built only in its own catch. */
int cr_doc_dump(const cr_doc *doc, const cr_doc_dumper *d, cr_error *err) {
  try {
    const Xapian::Document &xd = doc->doc;
    std::vector<uint32_t> positions;
    if (d->term)
      for (auto t = xd.termlist_begin(); t != xd.termlist_end(); ++t) {
        const std::string term = *t;
        positions.clear();
        for (auto p = t.positionlist_begin(); p != t.positionlist_end(); ++p)
          positions.push_back(*p);
        int rc = d->term(term.data(), term.size(), t.get_wdf(),
                         positions.data(), positions.size(), d->ctx);
        if (rc != 0) return rc;
      }
    if (d->value)
      for (auto v = xd.values_begin(); v != xd.values_end(); ++v) {
        const std::string value = *v;
        int rc = d->value(v.get_valueno(), value.data(), value.size(), d->ctx);
        if (rc != 0) return rc;
      }
    if (d->spelling)
      for (const SpellingWord &w : doc->spelling) {
        int rc = d->spelling(doc->spelling_bytes.data() + w.off, w.len, d->ctx);
        if (rc != 0) return rc;
      }
    return 0;
  } catch (const Xapian::Error &e) {
    cr_error_set(err, CR_E_GENERIC, "cannot list the document: %s: %s",
                 e.get_type(), e.get_msg().c_str());
  } catch (const std::bad_alloc &) {
    cr_error_set(err, CR_E_NOMEM, "cannot list the document: out of memory");
  } catch (...) {
    cr_error_set(err, CR_E_GENERIC, "cannot list the document: unknown error");
  }
  return -1;
}

} // extern "C"

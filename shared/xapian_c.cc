/* xapian_c.cc — the C API over Xapian declared in xapian_c.h.
 *
 * The project's only C++. Every extern "C" entry point is noexcept and
 * runs whatever can throw inside guard(), which turns any exception into
 * a cr_error (the message is formatted there, in fixed buffers), so no C++
 * exception ever unwinds through C frames. It translates only: which
 * words the spelling data learns is spelling.c's, which terms are words
 * the schema's.
 */
#include "xapian_c.h"

#include <xapian.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "hash.h"
#include "spelling.h"

/* The spelling words of one document, end to end in one buffer (kept
 * across documents, so adding a word allocates nothing). */
struct SpellingWord {
  uint64_t hash; /* cr_fnv1a64 of the word */
  size_t off;    /* where its bytes start in the buffer */
  size_t len;
};

/* A term's largest wdf among the documents a shard was given, and in how
 * many of them it was (counted up to 2: one document's wdf is its
 * collection frequency, which Xapian knows already). */
struct GatheredBound {
  Xapian::termcount top = 0;
  unsigned char docs = 0;
};

struct cr_wdf_bounds {
  std::unordered_map<std::string, GatheredBound> terms;
  std::string skip_prefix; /* terms not gathered (the ids: one each) */
  /* Past max_terms the table is dropped and the bounds are read from the
   * postings instead: memory stays bounded on any input. */
  size_t max_terms = 0;
  bool overflowed = false;

  void note(const Xapian::Document &doc) {
    if (overflowed) return;
    for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
      const std::string &term = *t;
      if (!skip_prefix.empty() &&
          term.compare(0, skip_prefix.size(), skip_prefix) == 0)
        continue;
      GatheredBound &g = terms[term];
      g.top = std::max(g.top, t.get_wdf());
      if (g.docs < 2) g.docs++;
    }
    if (terms.size() > max_terms) {
      overflowed = true;
      std::unordered_map<std::string, GatheredBound>().swap(terms);
    }
  }
};

struct cr_wdb {
  Xapian::WritableDatabase db;
  std::string path;
  /* Spelling words of the documents written since the last flush, with
   * the number of documents holding each (spelling.h says which are
   * learnt): each word is handed to Xapian once per window rather than
   * once per document. */
  cr_spelling *spelling;
  bool spelling_at_close; /* the window is the whole session (or a cap) */
  /* The index's stored term bounds (cr_wdb_store_wdf_bounds) were valid
   * when it was opened: each commit keeps them so, raising a bound that
   * a document written since exceeds and stamping the new revision.
   * (Deleting never makes a bound too low; a term without one keeps
   * Xapian's, which grows with the term.) */
  bool bounds_kept = false;
  std::unordered_map<std::string, Xapian::termcount> grown; /* largest
                                     wdf of each term written since */
  bool changed = false; /* something written since the last commit */
  cr_wdf_bounds *gathered = nullptr; /* notes every document written
                                        (cr_wdb_gather_bounds) */

  ~cr_wdb() { cr_spelling_free(spelling); }

  void note_bounds(const Xapian::Document &doc) {
    if (!bounds_kept) return;
    for (auto t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
      Xapian::termcount &top = grown[*t];
      top = std::max(top, t.get_wdf());
    }
  }
  /* Before a commit: the bounds raised where needed, and stamped (when
   * the commit makes a revision: something was written). */
  void keep_bounds() {
    bool stamp = bounds_kept && changed;
    changed = false;
    if (!stamp) return;
    const std::string prefix = CR_META_WDF_BOUND_PREFIX;
    for (const auto &g : grown) {
      std::string v = db.get_metadata(prefix + g.first);
      if (!v.empty() && std::strtoul(v.c_str(), nullptr, 10) < g.second)
        db.set_metadata(prefix + g.first, std::to_string(g.second));
    }
    grown.clear();
    db.set_metadata(CR_META_WDF_BOUNDS, std::to_string(db.get_revision() + 1));
  }

  void flush_spelling() {
    size_t cursor = 0, len;
    const char *word;
    unsigned count;
    while (cr_spelling_next(spelling, &cursor, &word, &len, &count)) {
      db.add_spelling(std::string(word, len), count);
      changed = true;
    }
    cr_spelling_clear(spelling);
  }
  void count_spelling(const std::string &bytes,
                      const std::vector<SpellingWord> &words) {
    for (const SpellingWord &w : words)
      if (cr_spelling_add(spelling, bytes.data() + w.off, w.len, w.hash) != 0)
        throw std::bad_alloc();
    cr_spelling_end_doc(spelling);
    if (cr_spelling_full(spelling)) flush_spelling();
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

/* A query's shape as the binding built it, for the searches that match
 * plain terms themselves (MaxScoreSource): Xapian 1.4 does not tell a
 * leaf's wqf or a scaling's factor back. */
struct Plan {
  enum Kind { TERM, OR, AND, AND_MAYBE, AND_NOT, FILTER, SCALE, OTHER };
  Kind kind = OTHER;
  std::string term;          /* TERM: the term (never "", MatchAll) */
  Xapian::termcount wqf = 1; /* TERM: its wqf */
  double factor = 1;         /* SCALE: the factor */
  std::vector<std::shared_ptr<const Plan>> subs; /* operators: subqueries */
  std::vector<Xapian::Query> qs; /* FILTER, AND_NOT: the same, as queries */
};

struct cr_query {
  Xapian::Query q;
  std::shared_ptr<const Plan> plan; /* NULL: a shape MaxScore leaves alone */
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
  /* A merge of searches run in threads (cr_mset_merge): the parts hold
   * the hits, hits says whose each one is; the fields above stay empty. */
  struct Hit {
    uint32_t part, index; /* parts[part]'s item index */
    uint32_t collapsed;   /* documents folded into it */
  };
  bool merged = false;
  std::vector<std::unique_ptr<cr_mset>> parts;
  std::vector<Hit> hits;
  uint32_t first = 0, lower = 0, estimated = 0, upper = 0;
  bool exact = false; /* estimated is the count, as one search would say */
  /* The databases searched, and the hits' documents cr_mset_fetch read
   * (each slot NULL until then). */
  Xapian::Database db;
  std::vector<std::unique_ptr<Xapian::Document>> docs;
  /* How cr_search ran it, for the matches cr_mset_fetch runs over the
   * same hits: */
  cr_bm25 bm25{};
  bool by_value = false;  /* sorted by a value first */
  int collapse_slot = -1; /* or the slot collapsed on */
  bool local = false;     /* every database searched is on this machine */
  /* What cr_mset_fetch and cr_mset_fetch_ids read of each hit without its
   * document: values by slot, and the matching terms. */
  struct Got {
    std::vector<std::pair<unsigned, std::string>> values;
    bool has_terms = false;
    std::vector<std::string> terms;
    const std::string *value(unsigned slot) const {
      for (const auto &v : values)
        if (v.first == slot) return &v.second;
      return nullptr;
    }
  };
  std::vector<Got> got;

  /* The query as the caller built it (the enquire's may be rewritten:
   * MaxScoreSource), whose terms the hits' matching terms are. */
  Xapian::Query query;
  /* Its terms' frequencies, as a MaxScore search read them (Xapian's
   * statistics then know none: they are the source's). */
  std::unordered_map<std::string, Xapian::doccount> tfs;

  explicit cr_mset(const Xapian::Database &d) : enquire(d), db(d) {}

  /* Hit i's value of slot when a bulk read brought it, else NULL. */
  const std::string *got_value(uint32_t i, unsigned slot) const {
    return i < got.size() ? got[i].value(slot) : nullptr;
  }

  /* Hit i's document: the one fetched, or read now. */
  Xapian::Document document(uint32_t i) const {
    if (i < docs.size() && docs[i]) return *docs[i];
    return mset[i].get_document();
  }
};

namespace {

/* Maps a Xapian exception class to our error code. Xapian::Error has no
 * virtual functions, so the class is known by its type name. */
int code_of(const Xapian::Error &e) noexcept {
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

/* What a call was doing, for its error message: a printf format and its
 * arguments (numbers and C strings), formatted only once the call has
 * failed. Nothing is allocated before the call's try, so a message can
 * never be the exception that escapes into C. */
template <typename... A> struct What {
  const char *fmt;
  std::tuple<A...> args;

  void format(char *buf, size_t n) const noexcept {
    if constexpr (sizeof...(A) == 0)
      std::snprintf(buf, n, "%s", fmt);
    else
      std::apply([&](A... a) { std::snprintf(buf, n, fmt, a...); }, args);
  }
};

template <typename... A> What<A...> what(const char *fmt, A... args) noexcept {
  static_assert(
      ((std::is_arithmetic<A>::value || std::is_same<A, const char *>::value ||
        std::is_same<A, char *>::value) &&
       ...),
      "an error message formats numbers and C strings only");
  return What<A...>{fmt, std::tuple<A...>(args...)};
}

/* Fills err from the exception being handled: what was being done, then
 * Xapian's account (a remote shard's failure names the server: Xapian's
 * context reads "remote:tcp(HOST:PORT)" or "remote:prog(COMMAND)"). Only
 * fixed buffers: this runs when memory may have run out. */
template <typename W> void fail(cr_error *err, const W &w) noexcept {
  if (!err) return;
  char doing[256];
  w.format(doing, sizeof doing);
  try {
    throw;
  } catch (const Xapian::Error &e) {
    int code = code_of(e);
    const char *sys = nullptr; /* the system's reason, "No space left..." */
    try {
      sys = e.get_error_string(); /* may build its string: may throw */
    } catch (...) {
    }
    const std::string &where = e.get_context();
    if (code == CR_E_NETWORK) {
      size_t open = where.find('('), close = where.rfind(')');
      const char *at = where.data();
      int at_len = static_cast<int>(where.size());
      if (open != std::string::npos && close != std::string::npos &&
          close > open) {
        at = where.data() + open + 1;
        at_len = static_cast<int>(close - open - 1);
      }
      bool why = sys && *sys;
      cr_error_set(err, CR_E_NETWORK,
                   "%s: %s%.*s: %s%s%s%s; is xapian-tcpsrv (or "
                   "xapian-progsrv) serving it there?",
                   doing, at_len ? "remote shard " : "a remote shard", at_len,
                   at, e.get_msg().c_str(), why ? " (" : "", why ? sys : "",
                   why ? ")" : "");
      return;
    }
    bool ctx = !where.empty();
    cr_error_set(err, code, "%s: %s: %s%s%s%s%s%s", doing, e.get_type(),
                 e.get_msg().c_str(), ctx ? " (" : "", where.c_str(),
                 ctx ? ")" : "", sys ? ": " : "", sys ? sys : "");
  } catch (const std::bad_alloc &) {
    cr_error_set(err, CR_E_NOMEM, "%s: out of memory", doing);
  } catch (const std::exception &e) {
    cr_error_set(err, CR_E_GENERIC, "%s: %s", doing, e.what());
  } catch (...) {
    cr_error_set(err, CR_E_GENERIC, "%s: unknown error", doing);
  }
}

/* Runs f; on any exception fills err with what was being done (w) and
 * Xapian's reason, and returns false. */
template <typename W, typename F>
bool guard(cr_error *err, const W &w, F &&f) noexcept {
  try {
    f();
    return true;
  } catch (...) {
    fail(err, w);
    return false;
  }
}

/* A malloc'd, NUL-terminated copy for C (which frees it with free). */
char *copy_out(const std::string &s, size_t *len) {
  char *out = static_cast<char *>(std::malloc(s.size() + 1));
  if (!out) throw std::bad_alloc();
  std::memcpy(out, s.data(), s.size());
  out[s.size()] = '\0';
  if (len) *len = s.size();
  return out;
}

/* Metadata and values: the empty string means absent. */
void copy_out_or_absent(const std::string &v, char **out, size_t *len) {
  if (!v.empty()) *out = copy_out(v, len);
}

cr_query *wrap(const Xapian::Query &q,
               std::shared_ptr<const Plan> plan = nullptr) {
  return new cr_query{q, std::move(plan)};
}

/* The plan of an operator over subs, or NULL for one MaxScore leaves to
 * Xapian. */
std::shared_ptr<const Plan> plan_of(Xapian::Query::op op, cr_query *const *subs,
                                    size_t n) {
  Plan::Kind kind;
  switch (op) {
  case Xapian::Query::OP_OR:
    kind = Plan::OR;
    break;
  case Xapian::Query::OP_AND:
    kind = Plan::AND;
    break;
  case Xapian::Query::OP_AND_MAYBE:
    kind = Plan::AND_MAYBE;
    break;
  case Xapian::Query::OP_AND_NOT:
    kind = Plan::AND_NOT;
    break;
  case Xapian::Query::OP_FILTER:
    kind = Plan::FILTER;
    break;
  default:
    return nullptr;
  }
  auto p = std::make_shared<Plan>();
  p->kind = kind;
  for (size_t i = 0; i < n; i++) {
    p->subs.push_back(subs[i]->plan);
    if (kind == Plan::FILTER || kind == Plan::AND_NOT)
      p->qs.push_back(subs[i]->q);
  }
  return p;
}

/* Every document, as a query of its own: Xapian::Query::MatchAll is one
 * static object whose reference count (not atomic) every copy changes,
 * and the searcher's threads parse at once (Xapian's query.h warns of
 * it: a count lost there frees it while still in use). An empty term is
 * the same query, with an internal of this thread's alone. */
Xapian::Query match_all() { return Xapian::Query(std::string()); }

/* Xapian's operator for op; false when op is none of enum cr_query_op. */
bool op_of(int op, Xapian::Query::op *out) noexcept {
  switch (op) {
  case CR_OP_AND:
    *out = Xapian::Query::OP_AND;
    return true;
  case CR_OP_OR:
    *out = Xapian::Query::OP_OR;
    return true;
  case CR_OP_AND_NOT:
    *out = Xapian::Query::OP_AND_NOT;
    return true;
  case CR_OP_FILTER:
    *out = Xapian::Query::OP_FILTER;
    return true;
  case CR_OP_AND_MAYBE:
    *out = Xapian::Query::OP_AND_MAYBE;
    return true;
  case CR_OP_PHRASE:
    *out = Xapian::Query::OP_PHRASE;
    return true;
  case CR_OP_NEAR:
    *out = Xapian::Query::OP_NEAR;
    return true;
  case CR_OP_SYNONYM:
    *out = Xapian::Query::OP_SYNONYM;
    return true;
  case CR_OP_ELITE_SET:
    *out = Xapian::Query::OP_ELITE_SET;
    return true;
  }
  return false;
}

/* Calls fn for each string [begin, end) yields, stopping at fn's first
 * non-zero return, which is returned (0 when fn never stopped). */
template <typename It>
int each_term(It it, const It &end, cr_key_fn fn, void *ctx) {
  for (; it != end; ++it) {
    const std::string &t = *it;
    if (int rc = fn(t.c_str(), t.size(), ctx)) return rc;
  }
  return 0;
}

/* The status of a call that ran body under guard: 0, or -1. */
template <typename W, typename F>
int status(cr_error *err, const W &w, F &&body) noexcept {
  return guard(err, w, body) ? 0 : -1;
}

/* The status of an iteration: fn's stopping value, or -1 on failure. */
template <typename W, typename F>
int iterate(cr_error *err, const W &w, F &&body) noexcept {
  int rc = 0;
  return guard(err, w, [&] { rc = body(); }) ? rc : -1;
}

} // namespace

extern "C" {

/* ---- Writing ---------------------------------------------------------- */

cr_wdb *cr_wdb_open(const char *path, int flags, cr_error *err) noexcept {
  cr_wdb *out = nullptr;
  guard(err, what("cannot open index '%s' for writing", path), [&] {
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
    std::unique_ptr<cr_wdb> db(
        new cr_wdb{Xapian::WritableDatabase(path, action),
                   path,
                   nullptr,
                   (flags & CR_WDB_SPELLING_AT_CLOSE) != 0,
                   false,
                   {}});
    if (!(db->spelling = cr_spelling_new())) throw std::bad_alloc();
    db->bounds_kept = db->db.get_metadata(CR_META_WDF_BOUNDS) ==
                      std::to_string(db->db.get_revision());
    out = db.release();
  });
  return out;
}

int cr_wdb_close(cr_wdb *db, cr_error *err) noexcept {
  if (!db) return 0;
  int rc = status(err, what("cannot close index '%s'", db->path.c_str()), [&] {
    db->flush_spelling();
    db->keep_bounds();
    db->db.close();
  });
  delete db;
  return rc;
}

int cr_wdb_commit(cr_wdb *db, cr_error *err) noexcept {
  return status(err, what("cannot commit index '%s'", db->path.c_str()), [&] {
    if (!db->spelling_at_close) db->flush_spelling();
    db->keep_bounds();
    db->db.commit();
  });
}

int cr_wdb_begin_transaction(cr_wdb *db, cr_error *err) noexcept {
  return status(
      err, what("cannot begin a transaction on '%s'", db->path.c_str()), [&] {
        /* A flushed transaction commits what came before. */
        db->keep_bounds();
        db->db.begin_transaction(true);
      });
}

int cr_wdb_commit_transaction(cr_wdb *db, cr_error *err) noexcept {
  return status(
      err, what("cannot commit a transaction on '%s'", db->path.c_str()), [&] {
        db->flush_spelling();
        db->keep_bounds();
        db->db.commit_transaction();
      });
}

int cr_wdb_cancel_transaction(cr_wdb *db, cr_error *err) noexcept {
  return status(
      err, what("cannot cancel a transaction on '%s'", db->path.c_str()), [&] {
        cr_spelling_clear(db->spelling);
        db->db.cancel_transaction();
        db->changed = false;
      });
}

int cr_wdb_replace(cr_wdb *db, const char *id_term, const cr_doc *doc,
                   cr_error *err) noexcept {
  return status(err, what("cannot add document '%s'", id_term), [&] {
    db->db.replace_document(id_term, doc->doc);
    db->changed = true;
    db->note_bounds(doc->doc);
    if (db->gathered) db->gathered->note(doc->doc);
    db->count_spelling(doc->spelling_bytes, doc->spelling);
  });
}

int cr_wdb_delete(cr_wdb *db, const char *term, cr_error *err) noexcept {
  return status(err, what("cannot delete documents '%s'", term), [&] {
    db->db.delete_document(term);
    db->changed = true;
  });
}

int cr_wdb_delete_doc(cr_wdb *db, cr_docid id, cr_error *err) noexcept {
  return status(err, what("cannot delete document %u", id), [&] {
    db->db.delete_document(id);
    db->changed = true;
  });
}

int cr_wdb_doc_has_term(cr_wdb *db, cr_docid id, const char *term,
                        cr_error *err) noexcept {
  bool has = false;
  bool ok = guard(err, what("cannot read document %u", id), [&] {
    auto t = db->db.termlist_begin(id);
    t.skip_to(term);
    has = t != db->db.termlist_end(id) && *t == term;
  });
  return ok ? has : -1;
}

int cr_wdb_docs_with(cr_wdb *db, const char *term, const char *prefix,
                     cr_doc_term_fn fn, void *ctx, cr_error *err) noexcept {
  return iterate(err, what("cannot list documents '%s'", term), [&] {
    std::string want(prefix);
    for (auto p = db->db.postlist_begin(term); p != db->db.postlist_end(term);
         ++p) {
      auto t = db->db.termlist_begin(*p);
      t.skip_to(want);
      std::string found;
      if (t != db->db.termlist_end(*p) &&
          (*t).compare(0, want.size(), want) == 0)
        found = *t;
      if (int rc = fn(*p, found.data(), found.size(), ctx)) return rc;
    }
    return 0;
  });
}

int cr_wdb_doccount(cr_wdb *db, uint32_t *out, cr_error *err) noexcept {
  *out = 0;
  return status(err,
                what("cannot count the documents of '%s'", db->path.c_str()),
                [&] { *out = db->db.get_doccount(); });
}

int cr_wdb_termfreq(cr_wdb *db, const char *term, uint32_t *out,
                    cr_error *err) noexcept {
  *out = 0;
  return status(err,
                what("cannot count the documents with '%s' in '%s'", term,
                     db->path.c_str()),
                [&] { *out = db->db.get_termfreq(term); });
}

int cr_wdb_set_metadata(cr_wdb *db, const char *key, const char *value,
                        size_t len, cr_error *err) noexcept {
  return status(err, what("cannot set metadata '%s'", key), [&] {
    db->db.set_metadata(key, std::string(value, len));
    db->changed = true;
  });
}

int cr_wdb_get_metadata(cr_wdb *db, const char *key, char **out, size_t *len,
                        cr_error *err) noexcept {
  *out = nullptr;
  *len = 0;
  return status(
      err, what("cannot read metadata '%s' of '%s'", key, db->path.c_str()),
      [&] { copy_out_or_absent(db->db.get_metadata(key), out, len); });
}

int cr_wdb_metadata_keys(cr_wdb *db, const char *prefix, cr_key_fn fn,
                         void *ctx, cr_error *err) noexcept {
  return iterate(
      err, what("cannot list the metadata of '%s'", db->path.c_str()), [&] {
        return each_term(db->db.metadata_keys_begin(prefix),
                         db->db.metadata_keys_end(prefix), fn, ctx);
      });
}

cr_wdf_bounds *cr_wdf_bounds_new(const char *skip_prefix,
                                 size_t max_terms) noexcept {
  try {
    std::unique_ptr<cr_wdf_bounds> b(new cr_wdf_bounds);
    b->skip_prefix = skip_prefix ? skip_prefix : "";
    b->max_terms = max_terms;
    return b.release();
  } catch (...) {
    return nullptr;
  }
}

void cr_wdf_bounds_free(cr_wdf_bounds *b) noexcept { delete b; }

void cr_wdb_gather_bounds(cr_wdb *db, cr_wdf_bounds *b) noexcept {
  db->gathered = b;
}

int cr_wdb_store_wdf_bounds(cr_wdb *db, cr_wdf_bounds *const *parts, size_t n,
                            cr_error *err) noexcept {
  return status(
      err, what("cannot store the term bounds of '%s'", db->path.c_str()), [&] {
        Xapian::WritableDatabase &w = db->db;
        const std::string prefix = CR_META_WDF_BOUND_PREFIX;
        std::vector<std::string> old;
        for (auto k = w.metadata_keys_begin(prefix);
             k != w.metadata_keys_end(prefix); ++k)
          old.push_back(*k);
        for (const std::string &k : old)
          w.set_metadata(k, "");
        bool gathered = n > 0;
        for (size_t i = 0; i < n; i++)
          if (parts[i]->overflowed) gathered = false;
        /* Each term in two documents or more, with its largest wdf. */
        std::vector<std::pair<std::string, Xapian::termcount>> bounds;
        if (gathered) {
          /* The other parts merged into the first, each emptied as it
           * goes: no second copy of every table. */
          auto &all = parts[0]->terms;
          for (size_t i = 1; i < n; i++) {
            for (const auto &t : parts[i]->terms) {
              GatheredBound &g = all[t.first];
              g.top = std::max(g.top, t.second.top);
              g.docs = (unsigned char)std::min(2, g.docs + t.second.docs);
            }
            std::unordered_map<std::string, GatheredBound>().swap(
                parts[i]->terms);
          }
          for (const auto &t : all)
            if (t.second.docs >= 2) bounds.emplace_back(t.first, t.second.top);
          std::unordered_map<std::string, GatheredBound>().swap(all);
          std::sort(bounds.begin(), bounds.end());
        } else {
          for (auto t = w.allterms_begin(); t != w.allterms_end(); ++t) {
            if (t.get_termfreq() < 2) continue;
            Xapian::termcount top = 0;
            for (auto p = w.postlist_begin(*t); p != w.postlist_end(*t); ++p)
              top = std::max(top, p.get_wdf());
            bounds.emplace_back(*t, top);
          }
        }
        /* Only where Xapian's own bound is looser. */
        for (const auto &b : bounds)
          if (b.second < w.get_wdf_upper_bound(b.first))
            w.set_metadata(prefix + b.first, std::to_string(b.second));
        w.set_metadata(CR_META_WDF_BOUNDS,
                       std::to_string(w.get_revision() + 1));
        w.commit();
        db->grown.clear();
        db->changed = false;
        db->bounds_kept = true;
      });
}

int cr_wdb_add_spelling(cr_wdb *db, const char *word, unsigned freq_inc,
                        cr_error *err) noexcept {
  return status(err, what("cannot add spelling '%s'", word), [&] {
    db->db.add_spelling(word, freq_inc);
    db->changed = true;
  });
}

} // extern "C"

namespace {

template <typename DB>
int for_each_value(DB &db, unsigned slot, cr_value_fn fn, void *ctx) {
  for (auto it = db.valuestream_begin(slot); it != db.valuestream_end(slot);
       ++it) {
    const std::string &v = *it;
    if (int rc = fn(it.get_docid(), v.data(), v.size(), ctx)) return rc;
  }
  return 0;
}

} // namespace

extern "C" {

int cr_wdb_values(cr_wdb *db, unsigned slot, cr_value_fn fn, void *ctx,
                  cr_error *err) noexcept {
  return iterate(
      err, what("cannot read value slot %u of '%s'", slot, db->path.c_str()),
      [&] { return for_each_value(db->db, slot, fn, ctx); });
}

int cr_wdb_doc_value(cr_wdb *db, cr_docid id, unsigned slot, char **out,
                     size_t *len, cr_error *err) noexcept {
  *out = nullptr;
  *len = 0;
  return status(
      err, what("cannot read document %u of '%s'", id, db->path.c_str()), [&] {
        copy_out_or_absent(db->db.get_document(id).get_value(slot), out, len);
      });
}

int cr_wdb_set_doc_value(cr_wdb *db, cr_docid id, unsigned slot,
                         const char *value, size_t len,
                         cr_error *err) noexcept {
  return status(err,
                what("cannot update document %u of '%s'", id, db->path.c_str()),
                [&] {
                  Xapian::Document doc = db->db.get_document(id);
                  if (len)
                    doc.add_value(slot, std::string(value, len));
                  else
                    doc.remove_value(slot);
                  db->db.replace_document(id, doc);
                  db->changed = true;
                });
}

int cr_compact(const char *const *sources, size_t n_sources, const char *dest,
               cr_error *err) noexcept {
  return status(err, what("cannot compact into '%s'", dest), [&] {
    Xapian::Database all;
    for (size_t i = 0; i < n_sources; i++)
      all.add_database(Xapian::Database(sources[i]));
    /* FULL, not FULLER: on DICE FULLER's index is 1.8 MB
     * larger (its value chunks split across blocks). */
    all.compact(dest, Xapian::DBCOMPACT_MULTIPASS | Xapian::Compactor::FULL |
                          Xapian::DB_BACKEND_GLASS);
  });
}

/* ---- Documents -------------------------------------------------------- */

cr_doc *cr_doc_new(cr_error *err) noexcept {
  cr_doc *out = nullptr;
  guard(err, what("cannot make a document"), [&] { out = new cr_doc; });
  return out;
}

void cr_doc_free(cr_doc *doc) noexcept { delete doc; }

int cr_doc_clear(cr_doc *doc, cr_error *err) noexcept {
  return status(err, what("cannot clear a document"), [&] {
    doc->doc = Xapian::Document();
    doc->spelling_bytes.clear();
    doc->spelling.clear();
  });
}

int cr_doc_add_posting(cr_doc *doc, const char *term, size_t len,
                       uint32_t position, uint32_t wdf_inc,
                       cr_error *err) noexcept {
  return status(
      err, what("cannot add term '%.*s'", static_cast<int>(len), term),
      [&] { doc->doc.add_posting(std::string(term, len), position, wdf_inc); });
}

int cr_doc_add_term(cr_doc *doc, const char *term, size_t len, uint32_t wdf_inc,
                    cr_error *err) noexcept {
  return status(err,
                what("cannot add term '%.*s'", static_cast<int>(len), term),
                [&] { doc->doc.add_term(std::string(term, len), wdf_inc); });
}

int cr_doc_add_term_positions(cr_doc *doc, const char *term, size_t len,
                              uint32_t wdf, const uint32_t *positions,
                              size_t n_positions, cr_error *err) noexcept {
  return status(
      err, what("cannot add term '%.*s'", static_cast<int>(len), term), [&] {
        const std::string t(term, len);
        if (n_positions == 0) {
          doc->doc.add_term(t, wdf);
          return;
        }
        /* Xapian takes positions one call each; the wdf comes with the
         * first. */
        doc->doc.add_posting(t, positions[0], wdf);
        for (size_t i = 1; i < n_positions; i++)
          doc->doc.add_posting(t, positions[i], 0);
      });
}

int cr_doc_set_value(cr_doc *doc, unsigned slot, const char *value, size_t len,
                     cr_error *err) noexcept {
  return status(err, what("cannot set value slot %u", slot),
                [&] { doc->doc.add_value(slot, std::string(value, len)); });
}

int cr_doc_add_spelling(cr_doc *doc, const char *word, size_t len,
                        cr_error *err) noexcept {
  return status(
      err,
      what("cannot keep spelling word '%.*s'", static_cast<int>(len), word),
      [&] {
        doc->spelling.push_back(SpellingWord{cr_fnv1a64(word, len),
                                             doc->spelling_bytes.size(), len});
        doc->spelling_bytes.append(word, len);
      });
}

int cr_doc_set_data(cr_doc *doc, const char *data, size_t len,
                    cr_error *err) noexcept {
  return status(err, what("cannot set document data"),
                [&] { doc->doc.set_data(std::string(data, len)); });
}

/* ---- Reading ---------------------------------------------------------- */

cr_rdb *cr_rdb_open(const char *const *paths, size_t n_paths,
                    cr_error *err) noexcept {
  if (n_paths == 0) {
    cr_error_set(err, CR_E_INVALID, "no index given");
    return nullptr;
  }
  std::unique_ptr<cr_rdb> out;
  if (!guard(err, what("cannot open index '%s'", paths[0]), [&] {
        std::string names;
        for (size_t i = 0; i < n_paths; i++)
          names += (i ? ", " : "") + std::string(paths[i]);
        out.reset(new cr_rdb{Xapian::Database(), names});
      }))
    return nullptr;
  for (size_t i = 0; i < n_paths; i++)
    if (!guard(err, what("cannot open index '%s'", paths[i]),
               [&] { out->db.add_database(Xapian::Database(paths[i])); }))
      return nullptr;
  return out.release();
}

void cr_rdb_close(cr_rdb *db) noexcept { delete db; }

int cr_rdb_reopen(cr_rdb *db, cr_error *err) noexcept {
  return status(err, what("cannot reopen index '%s'", db->paths.c_str()),
                [&] { db->db.reopen(); });
}

int cr_rdb_doccount(cr_rdb *db, uint32_t *out, cr_error *err) noexcept {
  *out = 0;
  return status(err,
                what("cannot count the documents of '%s'", db->paths.c_str()),
                [&] { *out = db->db.get_doccount(); });
}

int cr_rdb_termfreq(cr_rdb *db, const char *term, uint32_t *out,
                    cr_error *err) noexcept {
  *out = 0;
  return status(err,
                what("cannot count the documents with '%s' in '%s'", term,
                     db->paths.c_str()),
                [&] { *out = db->db.get_termfreq(term); });
}

int cr_rdb_get_metadata(cr_rdb *db, const char *key, char **out, size_t *len,
                        cr_error *err) noexcept {
  *out = nullptr;
  *len = 0;
  return status(
      err, what("cannot read metadata '%s' of '%s'", key, db->paths.c_str()),
      [&] { copy_out_or_absent(db->db.get_metadata(key), out, len); });
}

size_t cr_rdb_shard_count(cr_rdb *db) noexcept { return db->db.size(); }

int cr_rdb_shard_metadata(cr_rdb *db, size_t k, const char *key, char **out,
                          size_t *len, cr_error *err) noexcept {
  *out = nullptr;
  *len = 0;
  return status(err,
                what("cannot read metadata '%s' of shard %zu of '%s'", key, k,
                     db->paths.c_str()),
                [&] {
                  if (k >= db->db.size()) return;
                  /* Xapian 1.4 reads metadata from the first shard only. A
                   * handle made from one shard's internals (public in 1.4's
                   * header, though marked internal: CMakeLists.txt pins the
                   * version) reads that shard's, local or remote. */
                  Xapian::Database one(db->db.internal[k].get());
                  copy_out_or_absent(one.get_metadata(key), out, len);
                });
}

int cr_rdb_values(cr_rdb *db, unsigned slot, cr_value_fn fn, void *ctx,
                  cr_error *err) noexcept {
  return iterate(
      err, what("cannot read value slot %u of '%s'", slot, db->paths.c_str()),
      [&] { return for_each_value(db->db, slot, fn, ctx); });
}

int cr_rdb_doc_value(cr_rdb *db, cr_docid id, unsigned slot, char **out,
                     size_t *len, cr_error *err) noexcept {
  *out = nullptr;
  *len = 0;
  return status(
      err, what("cannot read document %u of '%s'", id, db->paths.c_str()), [&] {
        copy_out_or_absent(db->db.get_document(id).get_value(slot), out, len);
      });
}

int cr_rdb_docid_of(cr_rdb *db, const char *term, cr_docid *out,
                    cr_error *err) noexcept {
  *out = 0;
  return status(
      err, what("cannot look up '%s' in '%s'", term, db->paths.c_str()), [&] {
        auto it = db->db.postlist_begin(term);
        if (it != db->db.postlist_end(term)) *out = *it;
      });
}

long cr_rdb_positions(cr_rdb *db, cr_docid id, const char *term, uint32_t *out,
                      size_t cap, cr_error *err) noexcept {
  long n = 0;
  bool ok = guard(err, what("cannot read positions in document %u", id), [&] {
    auto end = db->db.positionlist_end(id, term);
    for (auto it = db->db.positionlist_begin(id, term); it != end; ++it, ++n)
      if (static_cast<size_t>(n) < cap) out[n] = *it;
  });
  return ok ? n : -1;
}

int cr_rdb_positions_in(cr_rdb *db, const char *term, const cr_docid *ids,
                        size_t n, uint32_t *out, size_t cap, long *counts,
                        cr_error *err) noexcept {
  for (size_t k = 0; k < n; k++)
    counts[k] = 0;
  return status(err, what("cannot read the positions of '%s'", term), [&] {
    Xapian::PostingIterator it = db->db.postlist_begin(term), end;
    for (size_t k = 0; k < n && it != end; k++) {
      it.skip_to(ids[k]);
      if (it == end || *it != ids[k]) continue;
      long got = 0;
      uint32_t *to = out + k * cap;
      auto pend = db->db.positionlist_end(ids[k], term);
      for (auto p = db->db.positionlist_begin(ids[k], term);
           p != pend && static_cast<size_t>(got) < cap; ++p)
        to[got++] = *p;
      counts[k] = got;
    }
  });
}

} // extern "C"

namespace {
/* The terms relevance feedback may suggest: those the caller's test keeps
 * (the schema says which terms are words). */
struct KeepTerms : public Xapian::ExpandDecider {
  explicit KeepTerms(cr_term_pred keep) : keep_(keep) {}
  bool operator()(const std::string &term) const override {
    return keep_(term.c_str(), term.size());
  }
  cr_term_pred keep_;
};
} // namespace

extern "C" {

int cr_rdb_expand(cr_rdb *db, const cr_docid *rset, size_t n_rset,
                  unsigned max_terms, cr_term_pred keep, cr_term_weight_fn fn,
                  void *ctx, cr_error *err) noexcept {
  return iterate(
      err, what("cannot read similar terms from '%s'", db->paths.c_str()), [&] {
        Xapian::Enquire enquire(db->db);
        Xapian::RSet rs;
        for (size_t i = 0; i < n_rset; i++)
          rs.add_document(rset[i]);
        KeepTerms decider(keep);
        Xapian::ESet eset = enquire.get_eset(max_terms, rs, &decider);
        for (auto it = eset.begin(); it != eset.end(); ++it) {
          const std::string &t = *it;
          if (int rc = fn(t.data(), t.size(), it.get_weight(), ctx)) return rc;
        }
        return 0;
      });
}

int cr_rdb_allterms(cr_rdb *db, const char *prefix, cr_key_fn fn, void *ctx,
                    cr_error *err) noexcept {
  return iterate(err, what("cannot list the terms of '%s'", db->paths.c_str()),
                 [&] {
                   return each_term(db->db.allterms_begin(prefix),
                                    db->db.allterms_end(prefix), fn, ctx);
                 });
}

int cr_rdb_value_freq(cr_rdb *db, unsigned slot, uint32_t *count,
                      cr_error *err) noexcept {
  *count = 0;
  return status(err, what("cannot read the values of '%s'", db->paths.c_str()),
                [&] { *count = db->db.get_value_freq(slot); });
}

int cr_rdb_spelling_suggestion(cr_rdb *db, const char *word,
                               unsigned max_edit_distance, char **out,
                               cr_error *err) noexcept {
  *out = nullptr;
  return status(err,
                what("cannot read spelling suggestions for '%s' from '%s'",
                     word, db->paths.c_str()),
                [&] {
                  std::string s =
                      db->db.get_spelling_suggestion(word, max_edit_distance);
                  if (!s.empty()) *out = copy_out(s, nullptr);
                });
}

/* ---- Queries ---------------------------------------------------------- */

cr_query *cr_query_term(const char *term, uint32_t wqf, uint32_t position,
                        cr_error *err) noexcept {
  cr_query *out = nullptr;
  guard(err, what("cannot make a query of '%s'", term), [&] {
    std::shared_ptr<Plan> p;
    if (*term) {
      p = std::make_shared<Plan>();
      p->kind = Plan::TERM;
      p->term = term;
      p->wqf = wqf ? wqf : 1;
    }
    out = wrap(Xapian::Query(term, wqf ? wqf : 1, position), p);
  });
  return out;
}

cr_query *cr_query_combine(enum cr_query_op op, cr_query *const *subs, size_t n,
                           unsigned window, cr_error *err) noexcept {
  Xapian::Query::op xop;
  if (!op_of(op, &xop)) {
    cr_error_set(err, CR_E_INVALID, "cannot combine queries: no operator %d",
                 static_cast<int>(op));
    return nullptr;
  }
  cr_query *out = nullptr;
  guard(err, what("cannot combine %zu queries", n), [&] {
    std::vector<Xapian::Query> qs;
    qs.reserve(n);
    for (size_t i = 0; i < n; i++)
      qs.push_back(subs[i]->q);
    Xapian::termcount param = window;
    out = wrap(Xapian::Query(xop, qs.begin(), qs.end(), param),
               plan_of(xop, subs, n));
  });
  return out;
}

cr_query *cr_query_value_range(unsigned slot, const char *lo, const char *hi,
                               cr_error *err) noexcept {
  cr_query *out = nullptr;
  guard(err, what("cannot make a range query on value slot %u", slot), [&] {
    if (lo && hi)
      out = wrap(Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, lo, hi));
    else if (lo)
      out = wrap(Xapian::Query(Xapian::Query::OP_VALUE_GE, slot, lo));
    else if (hi)
      out = wrap(Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, hi));
    else
      out = wrap(match_all());
  });
  return out;
}

cr_query *cr_query_wildcard(const char *prefix, unsigned max_expansion,
                            cr_error *err) noexcept {
  cr_query *out = nullptr;
  guard(err, what("cannot make a query of '%s*'", prefix), [&] {
    /* With a limit, keep the most frequent expansions rather than fail;
     * MOST_FREQUENT treats 0 as "none", so no limit needs LIMIT_ERROR. */
    int limit = max_expansion ? Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT
                              : Xapian::Query::WILDCARD_LIMIT_ERROR;
    out = wrap(Xapian::Query(Xapian::Query::OP_WILDCARD, prefix, max_expansion,
                             limit, Xapian::Query::OP_SYNONYM));
  });
  return out;
}

} // extern "C"

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

extern "C" {

cr_query *cr_query_checked(const char *const *terms, const uint32_t *offsets,
                           size_t n_terms, unsigned text_slot,
                           unsigned card_slot, cr_check_fn fn, void *ctx,
                           cr_error *err) noexcept {
  cr_query *out = nullptr;
  guard(err, what("cannot make a checked query"), [&] {
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

cr_query *cr_query_scale(const cr_query *q, double factor,
                         cr_error *err) noexcept {
  cr_query *out = nullptr;
  guard(err, what("cannot scale a query by %g", factor), [&] {
    std::shared_ptr<Plan> p;
    if (factor > 0) {
      p = std::make_shared<Plan>();
      p->kind = Plan::SCALE;
      p->factor = factor;
      p->subs.push_back(q->plan);
    }
    out = wrap(Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor), p);
  });
  return out;
}

cr_query *cr_query_match_all(cr_error *err) noexcept {
  cr_query *out = nullptr;
  guard(err, what("cannot make a query of every document"),
        [&] { out = wrap(match_all()); });
  return out;
}

void cr_query_free(cr_query *q) noexcept { delete q; }

char *cr_query_describe(const cr_query *q, cr_error *err) noexcept {
  char *out = nullptr;
  guard(err, what("cannot describe a query"),
        [&] { out = copy_out(q->q.get_description(), nullptr); });
  return out;
}

int cr_query_terms(const cr_query *q, cr_key_fn fn, void *ctx,
                   cr_error *err) noexcept {
  return iterate(err, what("cannot list the terms of a query"), [&] {
    return each_term(q->q.get_unique_terms_begin(), q->q.get_unique_terms_end(),
                     fn, ctx);
  });
}

/* ---- Searching -------------------------------------------------------- */

cr_search_opts cr_search_opts_default(void) noexcept {
  cr_search_opts o;
  o.bm25 = cr_bm25{1.0, 0.0, 1.0, 0.5, 0.5, 1.0};
  o.offset = 0;
  o.count = 10;
  o.check_at_least = 0;
  o.sort_slot = -1;
  o.sort_descending = false;
  o.collapse_slot = -1;
  o.n_count_slots = 0;
  o.count_once_slot = -1;
  o.local = false;
  o.prune = false;
  return o;
}

} // extern "C"

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

  /* cr_mset_value_counts over a merge: each value's counts in the parts,
   * added up, in ascending byte order. */
  int merged_value_counts(const cr_mset *m, unsigned k, cr_count_fn fn,
                          void *ctx, cr_error *err) noexcept {
    return iterate(err, what("cannot read the counts of value set %u", k), [&] {
      std::map<std::string, uint64_t> sum;
      for (const auto &p : m->parts) {
        if (k >= p->spies.size()) continue;
        const Xapian::ValueCountMatchSpy &spy = *p->spies[k];
        for (auto it = spy.values_begin(); it != spy.values_end(); ++it)
          sum[*it] += it.get_termfreq();
      }
      for (const auto &v : sum) {
        uint32_t n = v.second > UINT32_MAX ? UINT32_MAX : (uint32_t)v.second;
        if (int rc = fn(v.first.data(), v.first.size(), n, ctx)) return rc;
      }
      return 0;
    });
  }

  /* Xapian's BM25Weight at b = 0 and k2 = 0 (BM25 over stored impacts,
   * impacts.h), formula for formula: the same scores to the last bit and
   * the same bound on each term, so the matcher makes the same choices.
   * Only cheaper: Xapian's weight works out a normalised length for every
   * posting it scores, which at b = 0 changes nothing (5% of the matcher
   * on news queries at 200,000 articles). */
  class ImpactBM25 : public Xapian::Weight {
  public:
    ImpactBM25(double k1, double k3, double min_normlen)
        : k1_(k1), k3_(k3), min_normlen_(min_normlen) {
      need_stat(COLLECTION_SIZE);
      need_stat(RSET_SIZE);
      need_stat(TERMFREQ);
      need_stat(RELTERMFREQ);
      need_stat(WDF);
      need_stat(WDF_MAX);
      if (k3_ != 0) need_stat(WQF);
    }
    ImpactBM25 *clone() const override {
      return new ImpactBM25(k1_, k3_, min_normlen_);
    }
    std::string name() const override { return "cronaca::ImpactBM25"; }
    void init(double factor) override {
      /* BM25Weight::init without an RSet (cr_search passes none). */
      Xapian::doccount tf = get_termfreq();
      double tw = (get_collection_size() - tf + 0.5) / (tf + 0.5);
      if (tw < 2) tw = tw * 0.5 + 1;
      termweight_ = std::log(tw) * factor;
      if (k3_ != 0) {
        double wqf_double = get_wqf();
        termweight_ *= (k3_ + 1) * wqf_double / (k3_ + wqf_double);
      }
      termweight_ *= (k1_ + 1);
      /* BM25Weight's length factor at b = 0: normlen (min_normlen, the
       * length counting for nothing) * b + (1 - b), which is 1. */
      norm_ = std::max(0.0, min_normlen_) * 0.0 + (1 - 0.0);
      /* BM25Weight::get_maxpart at b = 0. */
      double wdf_max = get_wdf_upper_bound();
      maxpart_ = termweight_ * (wdf_max / (k1_ + wdf_max));
    }
    double get_sumpart(Xapian::termcount wdf, Xapian::termcount,
                       Xapian::termcount) const override {
      double wdf_double = wdf;
      double denom = k1_ * norm_ + wdf_double;
      return termweight_ * (wdf_double / denom);
    }
    double get_maxpart() const override { return maxpart_; }
    double get_sumextra(Xapian::termcount, Xapian::termcount) const override {
      return 0;
    }
    double get_maxextra() const override { return 0; }

  private:
    double k1_, k3_, min_normlen_;
    double termweight_ = 0, norm_ = 1, maxpart_ = 0;
  };

  /* ---- MaxScore: plain term queries matched by the binding itself ---- */

  /* One term of a query MaxScoreSource matches, in query order. */
  struct MsLeaf {
    std::string term;
    enum Role {
      DRIVER,   /* a document holding it matches (an OR's term) */
      REQUIRED, /* a match holds it (an AND's term) */
      ADDER     /* only adds weight to a match (an AND_MAYBE's right) */
    } role;
    int cond;  /* ADDER: the leaf it adds to (its AND_MAYBE's left term),
                  or -1 (the match itself) */
    double tw; /* ImpactBM25's termweight_, the leaf's factor included */
  };

  /* A query as MaxScoreSource matches it: no leaf is REQUIRED, and a
   * match holds a DRIVER; or some are, and DRIVERs became ADDERs. */
  struct MsQuery {
    std::vector<MsLeaf> leaves;
    std::vector<Xapian::doccount> tfs; /* each leaf's, in all databases */
    bool one_db = false; /* one database searched: its tfs are those */
    bool required = false;
    double k1 = 0; /* ImpactBM25's k1 (times its norm, 1 at b = 0) */
  };

  /* ImpactBM25's weight of a posting of wdf for a term of termweight tw
   * (get_sumpart), and with the largest wdf its bound (get_maxpart). */
  double ms_weight(double tw, double k1, double wdf) {
    return tw * (wdf / (k1 + wdf));
  }

  /* ImpactBM25::init's termweight_ for a term in tf of n documents. */
  double ms_termweight(Xapian::doccount n, Xapian::doccount tf,
                       Xapian::termcount wqf, double factor, double k1,
                       double k3) {
    double tw = (n - tf + 0.5) / (tf + 0.5);
    if (tw < 2) tw = tw * 0.5 + 1;
    double out = std::log(tw) * factor;
    if (k3 != 0) {
      double wqf_double = wqf;
      out *= (k3 + 1) * wqf_double / (k3 + wqf_double);
    }
    return out * (k1 + 1);
  }

  /* The weighted disjunction (or conjunction) of a query's plain terms,
   * matched MaxScore-wise (Turtle and Flood 1995) over the terms' posting
   * lists, each bounded by the largest wdf the index stores for it
   * (cr_wdb_store_wdf_bounds; else Xapian's bound). The matcher's min_wt
   * is the weight a document needs: the DRIVERs whose bounds (with every
   * ADDER's) together fall short of it only get skipped to at the
   * candidates the others bring, and a candidate is dropped as soon as
   * its bound falls short. Xapian's AND_MAYBE and OR, which lose hits
   * when bounds are tight (bench/README.md), never see these bounds.
   * Each score is ImpactBM25's, summed in query order, so every shard and
   * thread sums it alike. Xapian clones one per database searched and
   * calls init() with that database; the termweights come in from the
   * whole search's statistics. */
  class MaxScoreSource : public Xapian::PostingSource {
  public:
    explicit MaxScoreSource(std::shared_ptr<const MsQuery> q)
        : q_(std::move(q)) {}
    MaxScoreSource *clone() const override { return new MaxScoreSource(q_); }
    std::string get_description() const override { return "MaxScoreSource"; }

    void init(const Xapian::Database &db) override {
      const std::vector<MsLeaf> &leaves = q_->leaves;
      size_t n = leaves.size();
      lists_.assign(n, List());
      on_.assign(n, 0);
      wt_of_.assign(n, 0);
      drivers_.clear();
      adders_.clear();
      tw_.resize(n);
      cond_.resize(n);
      for (size_t k = 0; k < n; k++) {
        tw_[k] = leaves[k].tw;
        cond_[k] = leaves[k].cond;
      }
      stale_ = true;
      did_ = 0;
      valid_ = false;
      ended_ = false;
      bool stored = db.get_metadata(CR_META_WDF_BOUNDS) ==
                    std::to_string(db.get_revision());
      std::vector<Xapian::doccount> tfs;
      for (size_t k = 0; k < n; k++) {
        List &l = lists_[k];
        const std::string &t = leaves[k].term;
        l.it = db.postlist_begin(t);
        l.done = l.it == Xapian::PostingIterator();
        l.did = l.done ? 0 : *l.it;
        /* A stored bound is below Xapian's, which is read only without. */
        Xapian::termcount top = 0;
        std::string v;
        if (stored && !l.done)
          v = db.get_metadata(CR_META_WDF_BOUND_PREFIX + t);
        char *end = nullptr;
        unsigned long stored_top =
            v.empty() ? 0 : std::strtoul(v.c_str(), &end, 10);
        if (stored_top > 0 && *end == '\0' && stored_top <= UINT32_MAX)
          top = static_cast<Xapian::termcount>(stored_top);
        else if (!l.done)
          top = db.get_wdf_upper_bound(t); /* none, or not a number */
        l.max = ms_weight(leaves[k].tw, q_->k1, top);
        bool drives = leaves[k].role == MsLeaf::REQUIRED ||
                      (!q_->required && leaves[k].role == MsLeaf::DRIVER);
        if (drives) {
          drivers_.push_back(k);
          tfs.push_back(q_->one_db ? q_->tfs[k] : db.get_termfreq(t));
        } else {
          adders_.push_back(k);
        }
      }
      estimate(tfs, db.get_doccount());
      /* Adders probed largest bound first, those adding to an adder
       * after every other (in query order, so each after its own). */
      is_driver_.assign(n, 0);
      for (size_t k : drivers_)
        is_driver_[k] = 1;
      std::stable_sort(adders_.begin(), adders_.end(), [&](size_t a, size_t b) {
        bool ca = cond_[a] >= 0 && !is_driver_[cond_[a]];
        bool cb = cond_[b] >= 0 && !is_driver_[cond_[b]];
        if (ca != cb) return cb;
        return !ca && lists_[a].max > lists_[b].max;
      });
      deps_.assign(n, 0);
      if (q_->required) {
        /* The rarest first: it leads the intersection. */
        std::vector<std::pair<Xapian::doccount, size_t>> by;
        for (size_t i = 0; i < drivers_.size(); i++)
          by.emplace_back(tfs[i], drivers_[i]);
        std::sort(by.begin(), by.end());
        for (size_t i = 0; i < by.size(); i++)
          drivers_[i] = by[i].second;
      } else {
        /* By bound, smallest first: the non-essential ones are a prefix. */
        std::stable_sort(
            drivers_.begin(), drivers_.end(),
            [&](size_t a, size_t b) { return lists_[a].max < lists_[b].max; });
      }
      refresh();
    }

    Xapian::doccount get_termfreq_min() const override { return tf_min_; }
    Xapian::doccount get_termfreq_est() const override { return tf_est_; }
    Xapian::doccount get_termfreq_max() const override { return tf_max_; }

    void next(double w_min) override { find(did_ + 1, w_min); }
    void skip_to(Xapian::docid did, double w_min) override {
      if (did <= did_) {
        if (valid_ || ended_) return;
        did = did_ + 1;
      }
      find(did, w_min);
    }
    bool check(Xapian::docid did, double w_min) override {
      if (did <= did_) return valid_ || ended_;
      did_ = did;
      valid_ = false;
      /* The lists that could bring did move to it; did is then weighed
       * as find() would weigh it. */
      recut(w_min);
      bool ended = false;
      for (size_t i = e_; i < drivers_.size() && !ended_; i++)
        ended |= advance(drivers_[i], did);
      if (ended) {
        refresh();
        recut(w_min);
      }
      if (ended_ || get_maxweight() < cut_ || e_ == drivers_.size()) {
        ended_ = true;
        return true; /* at the end: where skip_to would be */
      }
      valid_ = candidate(did) && weigh(did);
      return valid_;
    }
    bool at_end() const override { return ended_; }
    Xapian::docid get_docid() const override { return did_; }
    double get_weight() const override { return wt_; }

  private:
    struct List {
      Xapian::PostingIterator it;
      Xapian::docid did = 0; /* where it stands (0 when done) */
      bool done = true;      /* past its last posting */
      double max = 0;        /* the bound on its weight */
    };

    /* Moves leaf k's list to the first posting from did on. true if that
     * ended the list (the bounds then change: refresh). */
    bool advance(size_t k, Xapian::docid did) {
      List &l = lists_[k];
      if (l.done || l.did >= did) return false;
      if (l.did + 1 == did)
        ++l.it;
      else
        l.it.skip_to(did);
      l.done = l.it == Xapian::PostingIterator();
      l.did = l.done ? 0 : *l.it;
      return l.done;
    }
    double live(size_t k) const { return lists_[k].done ? 0 : lists_[k].max; }

    /* The most any document still to come can weigh. */
    double live_max() const {
      double sum = 0;
      for (size_t k : drivers_) {
        if (q_->required && lists_[k].done) return 0;
        sum += live(k);
      }
      for (size_t k : adders_)
        sum += live(k);
      return sum;
    }
    /* After a list ended: the end noted, the bound lowered, the cut to
     * be made again. */
    void refresh() {
      bool any = false, all = true;
      for (size_t k : drivers_) {
        any |= !lists_[k].done;
        all &= !lists_[k].done;
      }
      if (q_->required ? !all : !any) ended_ = true;
      set_maxweight(ended_ ? 0 : live_max());
      stale_ = true;
    }

    /* The cut at w_min: cut_ the weight a document's bound must reach
     * (bounds and scores sum the same parts in other orders: the slack,
     * far above their rounding, keeps a document whose score is w_min
     * itself, which may still rank by its docid),
     * e_ how many of drivers_ (smallest bounds first) are not essential
     * (a document holding only those, and every adder, weighs less: with
     * required terms, none), rest_ the bounds of those and the adders. */
    void recut(double w_min) {
      if (!stale_ && w_min == wmin_) return;
      stale_ = false;
      wmin_ = w_min;
      cut_ = w_min * (1 - 1e-12);
      double sum = 0;
      for (size_t k : adders_)
        sum += live(k);
      size_t e = 0;
      if (!q_->required)
        while (e < drivers_.size() && sum + live(drivers_[e]) < cut_)
          sum += live(drivers_[e++]);
      e_ = e;
      rest_ = sum;
      /* Each driver's adders: nothing when it is not on a document. */
      for (size_t k : drivers_)
        deps_[k] = 0;
      for (size_t k : adders_)
        if (cond_[k] >= 0 && is_driver_[cond_[k]]) deps_[cond_[k]] += live(k);
    }

    /* Whether did is a match the essential drivers bring: one of them
     * stands on it, or, with required terms, all do. */
    bool candidate(Xapian::docid did) const {
      if (q_->required) {
        for (size_t k : drivers_)
          if (lists_[k].done || lists_[k].did != did) return false;
        return true;
      }
      for (size_t i = e_; i < drivers_.size(); i++)
        if (!lists_[drivers_[i]].done && lists_[drivers_[i]].did == did)
          return true;
      return false;
    }

    /* Leaf k on did: marked, its weight noted and returned (else 0). */
    double take(size_t k, Xapian::docid did) {
      const List &l = lists_[k];
      on_[k] = !l.done && l.did == did;
      if (!on_[k]) return 0;
      return wt_of_[k] = ms_weight(tw_[k], q_->k1, l.it.get_wdf());
    }

    /* Weighs candidate did (the essential drivers standing on or past
     * it): false as soon as its bound falls below the cut, else true
     * with wt_ its score. */
    bool weigh(Xapian::docid did) {
      /* The bound: what is known, plus the bounds of what is not (a
       * driver found off takes its adders' with it). */
      double ub = rest_;
      size_t n_drivers = drivers_.size();
      for (size_t i = e_; i < n_drivers; i++) {
        size_t k = drivers_[i];
        double w = take(k, did);
        ub += on_[k] ? w : -deps_[k];
      }
      if (ub < cut_) return false;
      bool ended = false, kept = true;
      /* The non-essential drivers, largest bound first. */
      for (size_t i = e_; kept && i-- > 0;) {
        size_t k = drivers_[i];
        on_[k] = 0;
        ub -= live(k);
        if (!lists_[k].done) {
          ended |= advance(k, did);
          ub += take(k, did);
        }
        if (!on_[k]) ub -= deps_[k];
        kept = !(ub < cut_);
      }
      /* The adders, largest bound first (each after the one it adds to). */
      for (size_t i = 0; kept && i < adders_.size(); i++) {
        size_t k = adders_[i];
        on_[k] = 0;
        if (lists_[k].done) continue;
        int cond = cond_[k];
        if (cond >= 0 && !on_[cond]) {
          if (!is_driver_[cond]) ub -= lists_[k].max; /* else taken above */
          continue;
        }
        ub -= lists_[k].max;
        ended |= advance(k, did);
        ub += take(k, did);
        kept = !(ub < cut_);
      }
      if (ended) refresh();
      if (!kept) return false;
      double sum = 0;
      for (size_t k = 0; k < on_.size(); k++)
        if (on_[k]) sum += wt_of_[k];
      wt_ = sum;
      return true;
    }

    /* Moves to the first document from did on that may weigh w_min. */
    void find(Xapian::docid did, double w_min) {
      valid_ = false;
      size_t n_drivers = drivers_.size();
      while (!ended_) {
        recut(w_min);
        if (get_maxweight() < cut_ || e_ == n_drivers) break;
        bool ended = false;
        Xapian::docid cand = 0;
        if (q_->required) {
          /* The intersection: each list to the largest docid met. */
          cand = did;
          for (size_t i = 0; i < n_drivers;) {
            size_t k = drivers_[i];
            ended |= advance(k, cand);
            if (lists_[k].done) break;
            if (lists_[k].did > cand) {
              cand = lists_[k].did;
              if (i > 0) {
                i = 0;
                continue;
              }
            }
            i++;
          }
        } else {
          for (size_t i = e_; i < n_drivers; i++) {
            size_t k = drivers_[i];
            ended |= advance(k, did);
            const List &l = lists_[k];
            if (!l.done && (cand == 0 || l.did < cand)) cand = l.did;
          }
        }
        if (ended) {
          refresh(); /* a new cut; the lists stand where they are */
          continue;
        }
        if (cand == 0) break;
        if (weigh(cand)) {
          did_ = cand;
          valid_ = true;
          return;
        }
        did = cand + 1;
      }
      ended_ = true;
    }

    /* The matcher's estimates of the match count, as Xapian's own
     * postlists over the same terms give them in this database: an OR
     * (a tree that joins the two rarest first) or an AND. */
    void estimate(std::vector<Xapian::doccount> tfs, Xapian::doccount n) {
      tf_min_ = tf_est_ = tf_max_ = 0;
      if (tfs.empty() || n == 0) return;
      if (q_->required) {
        std::sort(tfs.begin(), tfs.end());
        Xapian::doccount sum = tfs[0];
        double est = tfs[0];
        tf_max_ = tfs[0];
        for (size_t i = 1; i < tfs.size(); i++) {
          est = (est * tfs[i]) / n;
          tf_max_ = std::min(tf_max_, tfs[i]);
        }
        /* MultiAndPostList::get_termfreq_min. */
        if (sum)
          for (size_t i = 1; i < tfs.size(); i++) {
            Xapian::doccount old = sum;
            sum += tfs[i];
            if (sum >= old && sum <= n) {
              sum = 0;
              break;
            }
            sum -= n;
          }
        tf_min_ = sum;
        tf_est_ = static_cast<Xapian::doccount>(est + 0.5);
        return;
      }
      uint64_t total = 0;
      for (Xapian::doccount tf : tfs) {
        tf_min_ = std::max(tf_min_, tf);
        total += tf;
      }
      tf_max_ = static_cast<Xapian::doccount>(std::min<uint64_t>(total, n));
      /* OrPostList::get_termfreq_est over OrContext's tree. */
      std::vector<Xapian::doccount> heap(tfs);
      auto cmp = std::greater<Xapian::doccount>();
      std::make_heap(heap.begin(), heap.end(), cmp);
      while (heap.size() > 1) {
        std::pop_heap(heap.begin(), heap.end(), cmp);
        double r = heap.back();
        heap.pop_back();
        std::pop_heap(heap.begin(), heap.end(), cmp);
        double l = heap.back();
        double est = n == 0 ? 0 : l + r - (l * r / n);
        heap.back() = n == 0 ? 0 : static_cast<Xapian::doccount>(est + 0.5);
        std::push_heap(heap.begin(), heap.end(), cmp);
      }
      tf_est_ = heap[0];
    }

    std::shared_ptr<const MsQuery> q_;
    std::vector<List> lists_;     /* one per leaf, in query order */
    std::vector<char> on_;        /* each leaf counts at the candidate */
    std::vector<double> wt_of_;   /* and its weight there */
    std::vector<size_t> drivers_; /* the leaves that bring candidates */
    std::vector<size_t> adders_;  /* the others, in query order */
    std::vector<double> tw_;      /* each leaf's termweight */
    std::vector<int> cond_;       /* and the leaf it adds to, or -1 */
    std::vector<char> is_driver_; /* each leaf is among drivers_ */
    std::vector<double> deps_;    /* a driver's adders' bounds (recut) */
    bool stale_ = true;           /* a list ended since the cut */
    double wmin_ = 0, cut_ = 0, rest_ = 0; /* the cut (recut) */
    size_t e_ = 0;
    Xapian::docid did_ = 0; /* the current document */
    bool valid_ = false;    /* did_ is a match (else a failed check) */
    bool ended_ = false;
    double wt_ = 0; /* did_'s score */
    Xapian::doccount tf_min_ = 0, tf_est_ = 0, tf_max_ = 0;
  };

  /* Appends plan p's terms to out as MaxScoreSource reads them, each
   * with the factor Xapian would give it (the scalings above it,
   * multiplied from the top down); in is where p stands: the match
   * itself (-2), under an OR (DRIVER), an AND (REQUIRED) or an
   * AND_MAYBE's right side (ADDER, cond the leaf it adds to). false for
   * a shape Xapian must match (phrases, synonyms, wildcards, an OR of
   * required words, a posting source...). */
  bool ms_flatten(const Plan *p, double factor, int in, int cond,
                  std::vector<MsLeaf> &out, std::vector<double> &factors) {
    const int ROOT = -2;
    if (!p) return false;
    switch (p->kind) {
    case Plan::TERM: {
      MsLeaf::Role role =
          in == ROOT ? MsLeaf::DRIVER : static_cast<MsLeaf::Role>(in);
      out.push_back(MsLeaf{p->term, role, role == MsLeaf::ADDER ? cond : -1,
                           static_cast<double>(p->wqf)});
      factors.push_back(factor);
      return true;
    }
    case Plan::SCALE:
      return p->subs.size() == 1 &&
             ms_flatten(p->subs[0].get(), factor * p->factor, in, cond, out,
                        factors);
    case Plan::OR: {
      if (in == MsLeaf::REQUIRED) return false;
      int sub = in == ROOT ? MsLeaf::DRIVER : in;
      for (const auto &s : p->subs)
        if (!ms_flatten(s.get(), factor, sub, cond, out, factors)) return false;
      return !p->subs.empty();
    }
    case Plan::AND: {
      if (in != ROOT && in != MsLeaf::REQUIRED) return false;
      for (const auto &s : p->subs)
        if (!ms_flatten(s.get(), factor, MsLeaf::REQUIRED, -1, out, factors))
          return false;
      return !p->subs.empty();
    }
    case Plan::AND_MAYBE: {
      if (p->subs.empty()) return false;
      size_t left = out.size();
      if (!ms_flatten(p->subs[0].get(), factor, in, cond, out, factors))
        return false;
      /* The right side adds to the left: to the match when the left is
       * (or holds) it, else to the left's one term. */
      int to;
      if (in == ROOT || in == MsLeaf::REQUIRED)
        to = -1;
      else if (out.size() == left + 1)
        to = static_cast<int>(left);
      else
        return false;
      for (size_t i = 1; i < p->subs.size(); i++)
        if (!ms_flatten(p->subs[i].get(), factor, MsLeaf::ADDER, to, out,
                        factors))
          return false;
      return true;
    }
    default:
      return false;
    }
  }

  /* q as a MaxScoreSource inside the FILTERs and AND_NOTs around it (the
   * scalings above it folded into its terms' weights), or false when its
   * shape is not one MaxScore matches (Xapian then matches q). */
  bool ms_rewrite(const Xapian::Database &db, const Plan *p, double factor,
                  const cr_bm25 &w, Xapian::Query *out,
                  std::unordered_map<std::string, Xapian::doccount> *tfs) {
    if (!p) return false;
    if (p->kind == Plan::SCALE)
      return p->subs.size() == 1 &&
             ms_rewrite(db, p->subs[0].get(), factor * p->factor, w, out, tfs);
    if (p->kind == Plan::FILTER || p->kind == Plan::AND_NOT) {
      Xapian::Query core;
      if (p->subs.empty() || p->qs.size() != p->subs.size() ||
          !ms_rewrite(db, p->subs[0].get(), factor, w, &core, tfs))
        return false;
      std::vector<Xapian::Query> qs(p->qs);
      qs[0] = core;
      *out = Xapian::Query(p->kind == Plan::FILTER ? Xapian::Query::OP_FILTER
                                                   : Xapian::Query::OP_AND_NOT,
                           qs.begin(), qs.end());
      return true;
    }
    auto q = std::make_shared<MsQuery>();
    std::vector<double> factors;
    if (!ms_flatten(p, factor, -2, -1, q->leaves, factors)) return false;
    for (const MsLeaf &l : q->leaves)
      q->required |= l.role == MsLeaf::REQUIRED;
    q->k1 = w.k1 * 1.0; /* ImpactBM25: k1 times the length factor, 1 */
    Xapian::doccount n = db.get_doccount();
    q->one_db = db.size() == 1;
    for (size_t k = 0; k < q->leaves.size(); k++) {
      MsLeaf &l = q->leaves[k];
      auto known = tfs->find(l.term);
      if (known == tfs->end())
        known = tfs->emplace(l.term, db.get_termfreq(l.term)).first;
      q->tfs.push_back(known->second);
      if (q->required && l.role == MsLeaf::DRIVER) {
        l.role = MsLeaf::ADDER;
        l.cond = -1;
      }
      /* tw held the wqf until here. */
      l.tw =
          ms_termweight(n, known->second, static_cast<Xapian::termcount>(l.tw),
                        factors[k], w.k1, w.k3);
    }
    std::unique_ptr<MaxScoreSource> src(new MaxScoreSource(q));
    *out = Xapian::Query(src->release());
    src.release();
    return true;
  }
} // namespace

extern "C" {

cr_mset *cr_search(cr_rdb *db, const cr_query *q, const cr_search_opts *opts,
                   cr_error *err) noexcept {
  std::unique_ptr<cr_mset> m;
  bool ok = guard(err, what("search failed on '%s'", db->paths.c_str()), [&] {
    m.reset(new cr_mset(db->db));
    m->query = q->q;
    const cr_bm25 &w = opts->bm25;
    bool impacts =
        opts->local && w.b == 0 && w.k2 == 0 && w.k1 > 0 && w.k3 >= 0;
    Xapian::Query pruned;
    if (impacts && opts->prune && opts->sort_slot < 0 && w.scale > 0 &&
        ms_rewrite(db->db, q->plan.get(), 1.0 * w.scale, w, &pruned, &m->tfs))
      m->enquire.set_query(pruned);
    else if (w.scale == 1.0)
      m->enquire.set_query(q->q);
    else
      m->enquire.set_query(
          Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, w.scale));
    if (impacts)
      m->enquire.set_weighting_scheme(ImpactBM25(w.k1, w.k3, w.min_normlen));
    else
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
    m->bm25 = w;
    m->local = opts->local;
    m->by_value = opts->sort_slot >= 0;
    m->collapse_slot = opts->collapse_slot;
    m->mset =
        m->enquire.get_mset(opts->offset, opts->count, opts->check_at_least);
    m->data.resize(m->mset.size());
  });
  return ok ? m.release() : nullptr;
}

int cr_rdb_matches_at_least(cr_rdb *db, const cr_query *q, uint32_t n,
                            bool *out, cr_error *err) noexcept {
  *out = n == 0;
  if (n == 0) return 0;
  return status(
      err, what("cannot count the matches on '%s'", db->paths.c_str()), [&] {
        Xapian::Enquire enquire(db->db);
        enquire.set_query(q->q);
        /* No weights: only the count is wanted. */
        enquire.set_weighting_scheme(Xapian::BoolWeight());
        /* Bounds from the term counts alone, no posting read. */
        Xapian::MSet bounds = enquire.get_mset(0, 0, 0u);
        if (bounds.get_matches_lower_bound() >= n) {
          *out = true;
          return;
        }
        if (bounds.get_matches_upper_bound() < n) return;
        /* Counting stops at the n-th match; fewer, and every
         * match was seen. */
        Xapian::MSet counted = enquire.get_mset(0, 0, n);
        *out = counted.get_matches_lower_bound() >= n;
      });
}

void cr_mset_free(cr_mset *m) noexcept { delete m; }

/* The page's own fields: MSet keeps its items in memory, and these read
 * them without a database (Xapian's iterators index a vector). */
uint32_t cr_mset_size(const cr_mset *m) noexcept {
  return m->merged ? m->hits.size() : m->mset.size();
}

uint32_t cr_mset_matches_estimated(const cr_mset *m) noexcept {
  if (m->merged) return m->estimated;
  return m->mset.get_matches_estimated();
}

bool cr_mset_matches_exact(const cr_mset *m) noexcept {
  if (m->merged) return m->exact;
  return m->mset.get_matches_lower_bound() == m->mset.get_matches_upper_bound();
}

uint32_t cr_mset_rank(const cr_mset *m, uint32_t i) noexcept {
  if (m->merged) return m->first + i;
  return m->mset[i].get_rank();
}

cr_docid cr_mset_docid(const cr_mset *m, uint32_t i) noexcept {
  if (m->merged)
    return cr_mset_docid(m->parts[m->hits[i].part].get(), m->hits[i].index);
  return *m->mset[i];
}

double cr_mset_weight(const cr_mset *m, uint32_t i) noexcept {
  if (m->merged)
    return cr_mset_weight(m->parts[m->hits[i].part].get(), m->hits[i].index);
  return m->mset[i].get_weight();
}

uint32_t cr_mset_collapse_count(const cr_mset *m, uint32_t i) noexcept {
  if (m->merged) return m->hits[i].collapsed;
  return m->mset[i].get_collapse_count();
}

int cr_mset_termfreq(const cr_mset *m, const char *term, uint32_t *out,
                     cr_error *err) noexcept {
  /* Every part searched every database: their statistics are the same. */
  if (m->merged && !m->parts.empty())
    return cr_mset_termfreq(m->parts[0].get(), term, out, err);
  *out = 0;
  return status(err, what("cannot count the documents with '%s'", term), [&] {
    auto known = m->tfs.find(term);
    *out = known != m->tfs.end() ? known->second : m->mset.get_termfreq(term);
  });
}

int cr_mset_data(cr_mset *m, uint32_t i, const char **out, size_t *len,
                 cr_error *err) noexcept {
  if (m->merged && i < m->hits.size())
    return cr_mset_data(m->parts[m->hits[i].part].get(), m->hits[i].index, out,
                        len, err);
  *out = nullptr;
  *len = 0;
  if (i >= m->data.size()) return 0;
  return status(err, what("cannot read hit %u", i), [&] {
    if (!m->data[i])
      m->data[i].reset(new std::string(m->document(i).get_data()));
    *out = m->data[i]->c_str();
    *len = m->data[i]->size();
  });
}

int cr_mset_value(cr_mset *m, uint32_t i, unsigned slot, const char **out,
                  size_t *len, cr_error *err) noexcept {
  if (m->merged && i < m->hits.size())
    return cr_mset_value(m->parts[m->hits[i].part].get(), m->hits[i].index,
                         slot, out, len, err);
  *out = nullptr;
  *len = 0;
  if (i >= m->mset.size()) return 0;
  if (const std::string *v = m->got_value(i, slot)) {
    if (!v->empty()) {
      *out = v->c_str();
      *len = v->size();
    }
    return 0;
  }
  return status(err, what("cannot read value slot %u of hit %u", slot, i), [&] {
    m->value_scratch.push_back(m->document(i).get_value(slot));
    const std::string &v = m->value_scratch.back();
    if (v.empty()) {
      m->value_scratch.pop_back();
      return;
    }
    *out = v.c_str();
    *len = v.size();
  });
}

int cr_mset_value_counts(const cr_mset *m, unsigned k, cr_count_fn fn,
                         void *ctx, cr_error *err) noexcept {
  if (m->merged) return merged_value_counts(m, k, fn, ctx, err);
  if (k >= m->spies.size()) return 0;
  return iterate(err, what("cannot read the counts of value set %u", k), [&] {
    const Xapian::ValueCountMatchSpy &spy = *m->spies[k];
    for (auto it = spy.values_begin(); it != spy.values_end(); ++it) {
      const std::string &v = *it;
      if (int rc = fn(v.data(), v.size(), it.get_termfreq(), ctx)) return rc;
    }
    return 0;
  });
}

} // extern "C"

extern "C++" namespace {
  /* The query's terms, each once, in the order Xapian's matching terms
   * list them (Enquire::get_matching_terms: first occurrence). */
  std::vector<std::string> query_terms(const Xapian::Query &q) {
    std::vector<std::string> out;
    std::unordered_set<std::string> seen;
    for (auto t = q.get_terms_begin(); t != q.get_terms_end(); ++t)
      if (seen.insert(*t).second) out.push_back(*t);
    return out;
  }

  /* Every hit's matching terms, as Enquire::get_matching_terms lists
   * them, from one posting list per query term skipped to the hits in
   * docid order. Xapian's own way inflates each hit's whole term list
   * and looks every term up in a map: 28% of a news query with snippets
   * at 12k. Local databases only: a remote one sends posting lists whole. */
  void match_terms_by_postings(cr_mset * m) {
    uint32_t size = m->mset.size();
    m->got.resize(size);
    std::vector<std::pair<Xapian::docid, uint32_t>> hits;
    for (uint32_t i = 0; i < size; i++)
      if (!m->got[i].has_terms) {
        m->got[i].terms.clear(); /* what a failed attempt left */
        hits.emplace_back(*m->mset[i], i);
      }
    std::sort(hits.begin(), hits.end());
    for (const std::string &t : query_terms(m->query)) {
      if (t.empty()) continue; /* "" is every document, in no term list */
      Xapian::PostingIterator p = m->db.postlist_begin(t);
      const Xapian::PostingIterator end = m->db.postlist_end(t);
      for (const auto &h : hits) {
        if (p != end && *p < h.first) p.skip_to(h.first);
        if (p == end) break;
        if (*p == h.first) m->got[h.second].terms.push_back(t);
      }
    }
    for (const auto &h : hits)
      m->got[h.second].has_terms = true;
  }
} // namespace

extern "C" {

int cr_mset_matching_terms(cr_mset *m, uint32_t i, cr_key_fn fn, void *ctx,
                           cr_error *err) noexcept {
  if (m->merged)
    return cr_mset_matching_terms(m->parts[m->hits[i].part].get(),
                                  m->hits[i].index, fn, ctx, err);
  if (m->local && i < m->mset.size() &&
      (i >= m->got.size() || !m->got[i].has_terms) &&
      status(err, what("cannot list the matching terms of hit %u", i),
             [&] { match_terms_by_postings(m); }) != 0)
    return -1;
  if (i < m->got.size() && m->got[i].has_terms)
    return iterate(err, what("cannot list the matching terms of hit %u", i),
                   [&] {
                     const auto &t = m->got[i].terms;
                     return each_term(t.begin(), t.end(), fn, ctx);
                   });
  return iterate(err, what("cannot list the matching terms of hit %u", i), [&] {
    Xapian::MSetIterator hit = m->mset[i];
    return each_term(m->enquire.get_matching_terms_begin(hit),
                     m->enquire.get_matching_terms_end(hit), fn, ctx);
  });
}

/* ---- Fewer round trips to remote shards ------------------------------- */

extern "C++" namespace {
  /* Reads the documents of hits idx (none read yet): each database's one
   * after the other (a remote one answers one request at a time), the
   * databases side by side, each in a thread of its own: its own
   * connection. */
  void read_documents(cr_mset * m, const std::vector<uint32_t> &idx) {
    m->docs.resize(m->mset.size());
    size_t n_db = m->db.internal.size();
    if (n_db == 0) return;
    /* (hit, docid in its database): the threads touch no shared handle
     * (Xapian's reference counts are not atomic). */
    std::vector<std::vector<std::pair<uint32_t, Xapian::docid>>> of(n_db);
    for (uint32_t i : idx) {
      Xapian::docid did = *m->mset[i];
      if (!m->docs[i])
        of[(did - 1) % n_db].emplace_back(i, (did - 1) / n_db + 1);
    }
    std::vector<Xapian::Database> dbs;
    for (size_t k = 0; k < n_db; k++)
      dbs.emplace_back(m->db.internal[k].get());
    auto read = [&](size_t k) {
      for (const auto &hit : of[k])
        m->docs[hit.first].reset(
            new Xapian::Document(dbs[k].get_document(hit.second)));
    };
    std::vector<size_t> busy;
    for (size_t k = 0; k < n_db; k++)
      if (!of[k].empty()) busy.push_back(k);
    if (busy.size() < 2) {
      for (size_t k : busy)
        read(k);
      return;
    }
    std::vector<std::exception_ptr> failed(busy.size());
    std::vector<std::thread> threads;
    for (size_t t = 1; t < busy.size(); t++)
      threads.emplace_back([&, t] {
        try {
          read(busy[t]);
        } catch (...) {
          failed[t] = std::current_exception();
        }
      });
    try {
      read(busy[0]);
    } catch (...) {
      failed[0] = std::current_exception();
    }
    for (std::thread &t : threads)
      t.join();
    for (const std::exception_ptr &e : failed)
      if (e) std::rethrow_exception(e);
  }

  /* Whether hit i's slot is known without a round trip. */
  bool known(const cr_mset *m, uint32_t i, unsigned slot) {
    return (i < m->docs.size() && m->docs[i]) || m->got_value(i, slot);
  }

  /* Hit i's value of slot, as the bulk read brought it. */
  void keep_value(cr_mset * m, uint32_t i, unsigned slot, std::string v) {
    if (m->got_value(i, slot)) return;
    m->got[i].values.emplace_back(slot, std::move(v));
  }

  /* A match's items by docid (each docid once in a match). */
  std::map<Xapian::docid, Xapian::MSetIterator> by_docid(
      const Xapian::MSet &ms) {
    std::map<Xapian::docid, Xapian::MSetIterator> at;
    for (auto it = ms.begin(); it != ms.end(); ++it)
      at.emplace(*it, it);
    return at;
  }

  /* The hits' values of key_slot and text_slot from one more match of the
   * same query (fetch_values in cr_mset_fetch says why it finds them). */
  void match_values(cr_mset * m, uint32_t first, uint32_t last,
                    unsigned key_slot, unsigned text_slot) {
    double lowest = m->mset[first].get_weight();
    for (uint32_t i = first; i < last; i++)
      lowest = std::min(lowest, m->mset[i].get_weight());
    Xapian::Enquire again(m->db);
    again.set_query(m->enquire.get_query());
    const cr_bm25 &w = m->bm25;
    again.set_weighting_scheme(
        Xapian::BM25Weight(w.k1, w.k2, w.k3, w.b, w.min_normlen));
    again.set_cutoff(0, lowest);
    /* Values descending: the matcher's empty starting item then sorts
     * below every real one, weight 0 included. */
    again.set_sort_by_relevance_then_value(key_slot, true);
    bool texts = m->collapse_slot < 0;
    if (texts) again.set_collapse_key(text_slot, UINT32_MAX);
    /* The hits before this page's (--offset) come first. */
    uint32_t n = last - first, before = m->mset.get_firstitem() + first;
    Xapian::MSet ms = again.get_mset(0, before + 2 * n + CR_FETCH_SLACK);
    auto at = by_docid(ms);
    for (uint32_t i = first; i < last; i++) {
      auto it = at.find(*m->mset[i]);
      if (it == at.end()) continue;
      keep_value(m, i, key_slot, it->second.get_sort_key());
      if (texts) keep_value(m, i, text_slot, it->second.get_collapse_key());
    }
  }

} // namespace

extern "C" {

int cr_mset_fetch(cr_mset *m, uint32_t first, uint32_t n, unsigned key_slot,
                  unsigned text_slot, cr_error *err) noexcept {
  if (m->merged) return 0; /* local shards, read as needed */
  return status(err, what("cannot read hits %u to %u", first, first + n), [&] {
    uint32_t size = m->mset.size();
    uint32_t last = first + n < size && first + n >= first ? first + n : size;
    if (first >= last) return;
    m->got.resize(size);
    /* Copies collapsed by their cards: the match brought each hit's. */
    if (m->collapse_slot == static_cast<int>(key_slot))
      for (uint32_t i = first; i < last; i++)
        keep_value(m, i, key_slot, m->mset[i].get_collapse_key());
    /* In relevance order the hits are the best documents by weight, ties
     * by docid. The same query with their lowest weight as a cutoff
     * matches them and the documents tied with the lowest: sorted by
     * relevance then key_slot, its items carry that value (the sort key)
     * and, with a collapse that never folds, the text (the collapse
     * key). A hit it leaves out (more ties than it returns) is read
     * whole. */
    bool missing = false;
    for (uint32_t i = first; i < last && !missing; i++)
      missing = !known(m, i, key_slot) || !known(m, i, text_slot);
    /* The second match returns the hits before this page's too, with
     * their texts: deep pages (--offset) are read whole instead. */
    uint32_t before = m->mset.get_firstitem() + first;
    if (missing && !m->by_value && before <= CR_FETCH_MAX_BEFORE)
      match_values(m, first, last, key_slot, text_slot);
    std::vector<uint32_t> whole;
    for (uint32_t i = first; i < last; i++)
      if (!known(m, i, key_slot)) whole.push_back(i);
    read_documents(m, whole);
  });
}

int cr_mset_fetch_ids(cr_mset *m, uint32_t first, uint32_t n,
                      const char *const *id_terms, unsigned text_slot,
                      bool terms, cr_error *err) noexcept {
  if (m->merged) return 0;
  return status(err, what("cannot read hits %u to %u", first, first + n), [&] {
    uint32_t size = m->mset.size();
    uint32_t last = first + n < size && first + n >= first ? first + n : size;
    if (first >= last) return;
    m->got.resize(size);
    std::vector<std::string> qt = query_terms(m->query);
    /* A term's bit in the weight: exact up to 2^52. */
    bool with_terms = terms && qt.size() <= CR_FETCH_MAX_TERMS;
    std::vector<Xapian::Query> ids;
    for (uint32_t i = first; i < last; i++) {
      const char *id = id_terms[i - first];
      if (!id || !*id) continue;
      if ((with_terms && !m->got[i].has_terms) || !known(m, i, text_slot))
        ids.emplace_back(id);
    }
    if (ids.empty()) return;
    /* The hits by their id terms (no weight), each query term adding
     * 2^k when the document holds it: the weight is the set of its
     * matching terms, and the sort key its text. */
    Xapian::Query select(
        Xapian::Query::OP_SCALE_WEIGHT,
        Xapian::Query(Xapian::Query::OP_OR, ids.begin(), ids.end()), 0.0);
    std::vector<Xapian::Query> bits;
    for (size_t k = 0; with_terms && k < qt.size(); k++) {
      if (qt[k].empty()) continue; /* "" is every document, in no list */
      Xapian::Query one((new Xapian::FixedWeightPostingSource(1.0))->release());
      bits.emplace_back(
          Xapian::Query::OP_SCALE_WEIGHT,
          Xapian::Query(Xapian::Query::OP_FILTER, one, Xapian::Query(qt[k])),
          static_cast<double>(uint64_t(1) << k));
    }
    Xapian::Enquire enquire(m->db);
    enquire.set_query(
        bits.empty() ? select
                     : Xapian::Query(Xapian::Query::OP_AND_MAYBE, select,
                                     Xapian::Query(Xapian::Query::OP_OR,
                                                   bits.begin(), bits.end())));
    enquire.set_sort_by_value(text_slot, false);
    /* An id is in each database once, in copies of an article in several. */
    Xapian::doccount most = static_cast<Xapian::doccount>(
        ids.size() * std::max<size_t>(1, m->db.internal.size()));
    Xapian::MSet ms = enquire.get_mset(0, most);
    auto at = by_docid(ms);
    for (uint32_t i = first; i < last; i++) {
      auto it = at.find(*m->mset[i]);
      if (it == at.end()) continue; /* read per hit, as without this */
      if (!known(m, i, text_slot))
        keep_value(m, i, text_slot, it->second.get_sort_key());
      double wt = it->second.get_weight();
      if (!with_terms || m->got[i].has_terms || wt < 0 || wt >= 0x1p52 ||
          wt != static_cast<double>(static_cast<uint64_t>(wt)))
        continue;
      uint64_t mask = static_cast<uint64_t>(wt);
      for (size_t k = 0; k < qt.size(); k++)
        if (mask >> k & 1) m->got[i].terms.push_back(qt[k]);
      m->got[i].has_terms = true;
    }
  });
}

int cr_rdb_termfreqs(cr_rdb *db, const char *const *terms, size_t n,
                     uint32_t *out, cr_error *err) noexcept {
  for (size_t i = 0; i < n; i++)
    out[i] = 0;
  return status(err,
                what("cannot count the documents of %zu terms in '%s'", n,
                     db->paths.c_str()),
                [&] {
                  /* A match of none of them gathers every shard's counts of
                   * all: a remote shard answers for all of them at once. */
                  std::vector<Xapian::Query> qs;
                  for (size_t i = 0; i < n; i++)
                    if (*terms[i]) qs.emplace_back(terms[i]);
                  Xapian::MSet ms;
                  if (!qs.empty()) {
                    Xapian::Enquire enquire(db->db);
                    enquire.set_query(Xapian::Query(Xapian::Query::OP_OR,
                                                    qs.begin(), qs.end()));
                    ms = enquire.get_mset(0, 0);
                  }
                  for (size_t i = 0; i < n; i++)
                    out[i] = *terms[i] ? ms.get_termfreq(terms[i])
                                       : db->db.get_doccount();
                });
}

} // extern "C"

/* ---- Searching shards in threads -------------------------------------- */

extern "C++" namespace {
  /* The documents of some of the databases searched as one: all of them
   * in those, none in the others (cr_query_shard_part). Xapian 1.4 clones
   * a posting source for each database of a multi-database and calls
   * init() with that database alone (matcher/externalpostlist.cc): a
   * clone that is not among them is empty from the start, and the AND
   * around it ends before reading any posting (MultiAndPostList starts
   * with its rarest sub-list). In its own databases it walks every
   * document: one skip_to per candidate, for a weightless filter. */
  class PartSource : public Xapian::PostingSource {
  public:
    explicit PartSource(const std::vector<const void *> &mine) : mine_(mine) {}
    PartSource *clone() const override { return new PartSource(mine_); }
    void init(const Xapian::Database &db) override {
      on_ = db.internal.size() == 1 &&
            std::find(mine_.begin(), mine_.end(), db.internal[0].get()) !=
                mine_.end();
      docs_ = on_ ? db.get_doccount() : 0;
      all_ = on_ ? db.postlist_begin("") : Xapian::PostingIterator();
      started_ = false;
    }
    Xapian::doccount get_termfreq_min() const override { return docs_; }
    Xapian::doccount get_termfreq_est() const override { return docs_; }
    Xapian::doccount get_termfreq_max() const override { return docs_; }
    void next(double) override {
      if (started_) ++all_;
      started_ = true;
    }
    void skip_to(Xapian::docid did, double) override {
      started_ = true;
      all_.skip_to(did);
    }
    bool at_end() const override {
      return !on_ || all_ == Xapian::PostingIterator();
    }
    Xapian::docid get_docid() const override { return *all_; }
    std::string get_description() const override { return "PartSource"; }

  private:
    std::vector<const void *> mine_; /* the databases' internals it keeps */
    bool on_ = false;                /* init() was given one of them */
    Xapian::doccount docs_ = 0;
    Xapian::PostingIterator all_; /* every document of that one */
    bool started_ = false;        /* next() or skip_to() was called */
  };

  /* One hit of a part, as the matcher compares them (matcher/msetcmp.cc). */
  struct PartHit {
    uint32_t part, index;
    double wt;
    Xapian::docid did;
    std::string sort_key, collapse_key;
    uint32_t collapsed;
  };
} // namespace

extern "C" {

cr_query *cr_query_shard_part(const cr_query *q, cr_rdb *db, size_t part,
                              size_t n_parts, cr_error *err) noexcept {
  cr_query *out = nullptr;
  guard(err, what("cannot make the query of part %zu", part), [&] {
    std::vector<const void *> mine;
    for (size_t k = part; k < db->db.internal.size(); k += n_parts)
      mine.push_back(db->db.internal[k].get());
    std::unique_ptr<PartSource> src(new PartSource(mine));
    Xapian::Query only(src->release());
    src.release();
    auto p = std::make_shared<Plan>();
    p->kind = Plan::FILTER;
    p->subs = {q->plan, nullptr};
    p->qs = {q->q, only};
    out = wrap(Xapian::Query(Xapian::Query::OP_FILTER, q->q, only), p);
  });
  return out;
}

int cr_rdb_same_revisions(cr_rdb *a, cr_rdb *b, bool *same,
                          cr_error *err) noexcept {
  *same = false;
  return status(
      err, what("cannot read the revisions of '%s'", a->paths.c_str()), [&] {
        size_t n = a->db.internal.size();
        if (n != b->db.internal.size()) return;
        for (size_t k = 0; k < n; k++) {
          Xapian::Database x(a->db.internal[k].get());
          Xapian::Database y(b->db.internal[k].get());
          if (x.get_revision() != y.get_revision()) return;
        }
        *same = true;
      });
}

cr_mset *cr_mset_merge(cr_mset **parts, size_t n, const cr_search_opts *opts,
                       cr_rdb *db, const cr_query *q, cr_error *err) noexcept {
  std::unique_ptr<cr_mset> m;
  std::vector<std::unique_ptr<cr_mset>> owned;
  bool ok = guard(err, what("cannot merge %zu searches", n), [&] {
    owned.reserve(n);
    for (size_t p = 0; p < n; p++) {
      owned.emplace_back(parts[p]);
      parts[p] = nullptr;
    }
    /* An Enquire needs a database: an empty one (the parts hold theirs). */
    m.reset(new cr_mset(
        Xapian::Database(std::string(), Xapian::DB_BACKEND_INMEMORY)));
    m->merged = true;
    m->first = opts->offset;
    std::vector<PartHit> all;
    uint64_t lower = 0, estimated = 0, upper = 0;
    for (size_t p = 0; p < n; p++) {
      const Xapian::MSet &ms = owned[p]->mset;
      lower += ms.get_matches_lower_bound();
      estimated += ms.get_matches_estimated();
      upper += ms.get_matches_upper_bound();
      uint32_t i = 0;
      for (auto it = ms.begin(); it != ms.end(); ++it, ++i)
        all.push_back(
            PartHit{static_cast<uint32_t>(p), i, it.get_weight(), *it,
                    opts->sort_slot >= 0 ? it.get_sort_key() : "",
                    opts->collapse_slot >= 0 ? it.get_collapse_key() : "",
                    it.get_collapse_count()});
    }
    /* The matcher's own order: by relevance, then docid (1.4 breaks
     * ties by docid even with DONT_CARE); or by value, then relevance,
     * then docid. */
    bool by_value = opts->sort_slot >= 0, desc = opts->sort_descending;
    std::sort(all.begin(), all.end(), [&](const PartHit &a, const PartHit &b) {
      if (by_value) {
        int c = a.sort_key.compare(b.sort_key);
        if (c != 0) return desc ? c > 0 : c < 0;
      }
      if (a.wt != b.wt) return a.wt > b.wt;
      return a.did < b.did;
    });
    /* One hit per collapse key over all the parts: each part's best of a
     * key is among that part's first hits, so the best overall is here. */
    std::vector<size_t> kept;
    uint64_t dups = 0;
    std::map<std::string, size_t> best_of;
    for (size_t i = 0; i < all.size(); i++) {
      if (opts->collapse_slot >= 0 && !all[i].collapse_key.empty()) {
        auto ins = best_of.emplace(all[i].collapse_key, i);
        if (!ins.second) {
          all[ins.first->second].collapsed += 1 + all[i].collapsed;
          dups++;
          continue;
        }
      }
      kept.push_back(i);
    }
    auto less_dups = [&](uint64_t v) {
      v = v > dups ? v - dups : 0;
      return static_cast<uint32_t>(v > UINT32_MAX ? UINT32_MAX : v);
    };
    m->lower = less_dups(lower);
    m->estimated = less_dups(estimated);
    m->upper = less_dups(upper);
    /* One search counts exactly the matches it saw before it could stop,
     * fewer than check_at_least (than the page's end when collapsing),
     * or knows the count from its posting lists' bounds (one term). The
     * parts together may have counted more than that exactly: then one
     * search's bounds say whether it would have known. */
    uint32_t end = opts->offset + opts->count;
    uint32_t limit = opts->collapse_slot >= 0     ? end
                     : opts->check_at_least > end ? opts->check_at_least
                                                  : end;
    m->exact = m->lower == m->upper;
    if (m->exact && m->lower >= limit) {
      m->exact = false;
      if (db && q && opts->collapse_slot < 0) {
        Xapian::Enquire whole(db->db);
        whole.set_query(q->q);
        Xapian::MSet bounds = whole.get_mset(0, 0);
        m->exact = bounds.get_matches_lower_bound() ==
                   bounds.get_matches_upper_bound();
      }
    }
    for (size_t r = opts->offset;
         r < kept.size() && r - opts->offset < opts->count; r++) {
      const PartHit &h = all[kept[r]];
      m->hits.push_back(cr_mset::Hit{h.part, h.index, h.collapsed});
    }
    m->parts = std::move(owned);
  });
  for (size_t p = 0; p < n; p++)
    cr_mset_free(parts[p]);
  return ok ? m.release() : nullptr;
}

} // extern "C"

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

void cr_on_uncaught_exit(const char *program) noexcept {
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

/* ---- Synonyms ---------------------------------------------------------- */

extern "C" {

int cr_wdb_add_synonym(cr_wdb *db, const char *key, const char *value,
                       cr_error *err) noexcept {
  return status(err, what("cannot add synonym '%s' of '%s'", value, key), [&] {
    db->db.add_synonym(key, value);
    db->changed = true;
  });
}

int cr_wdb_remove_synonym(cr_wdb *db, const char *key, const char *value,
                          cr_error *err) noexcept {
  return status(err, what("cannot remove synonym '%s' of '%s'", value, key),
                [&] {
                  db->db.remove_synonym(key, value);
                  db->changed = true;
                });
}

int cr_wdb_clear_synonyms(cr_wdb *db, const char *key, cr_error *err) noexcept {
  return status(err, what("cannot remove the synonyms of '%s'", key), [&] {
    db->db.clear_synonyms(key);
    db->changed = true;
  });
}

int cr_wdb_synonyms(cr_wdb *db, const char *key, cr_key_fn fn, void *ctx,
                    cr_error *err) noexcept {
  return iterate(err, what("cannot read the synonyms of '%s'", key), [&] {
    return each_term(db->db.synonyms_begin(key), db->db.synonyms_end(key), fn,
                     ctx);
  });
}

int cr_rdb_synonyms(cr_rdb *db, const char *key, cr_key_fn fn, void *ctx,
                    cr_error *err) noexcept {
  return iterate(err, what("cannot read the synonyms of '%s'", key), [&] {
    return each_term(db->db.synonyms_begin(key), db->db.synonyms_end(key), fn,
                     ctx);
  });
}

int cr_rdb_synonym_keys(cr_rdb *db, const char *prefix, cr_key_fn fn, void *ctx,
                        cr_error *err) noexcept {
  return iterate(
      err, what("cannot list the synonym keys of '%s'", db->paths.c_str()),
      [&] {
        return each_term(db->db.synonym_keys_begin(prefix),
                         db->db.synonym_keys_end(prefix), fn, ctx);
      });
}

int cr_wdb_synonym_keys(cr_wdb *db, const char *prefix, cr_key_fn fn, void *ctx,
                        cr_error *err) noexcept {
  return iterate(
      err, what("cannot list the synonym keys of '%s'", db->path.c_str()), [&] {
        return each_term(db->db.synonym_keys_begin(prefix),
                         db->db.synonym_keys_end(prefix), fn, ctx);
      });
}

} // extern "C"

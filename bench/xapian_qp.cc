// xapian_qp — the Xapian QueryParser peer: runs questions against an index
// built by `scriptindex -s italian` the way a Xapian application would.
//
//   xapian_qp [--snippets] INDEX K < QUESTIONS
//
// One question per line, parsed by Xapian::QueryParser (Italian stemmer,
// STEM_SOME, default operator OR, FLAG_DEFAULT), ranked by BM25 (Xapian's
// default), top K. Prints per question: QNO <TAB> LATENCY_MS <TAB> ID1 ID2 ...
// The latency covers parsing, matching and reading what is printed: each
// hit's id, from value slot 0 (the bench's script has `id : ... value=0`),
// as cronaca --no-snippets reads only its id; never the document data,
// which holds the whole text. An index without the slot falls back to the
// "id=" line of the data (said once on stderr: that reads the text too).
//
// --snippets also makes each hit's snippet as a Xapian application would:
// reads the document data, takes its text (the "text=" field, the script's
// last) and calls MSet::snippet (220 bytes, cronaca's length; Italian
// stemmer; default flags), beside cronaca with snippets. The snippets are
// made and discarded (their length is summed, so nothing is optimised away).
//
// This is a peer harness, not part of cronaca: it is C++ only because
// Xapian's QueryParser is, and it links nothing from the project.
#include <xapian.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

static const Xapian::valueno ID_SLOT = 0;
static const size_t SNIPPET_BYTES = 220;

// The value of the "NAME=" field in scriptindex's document data ("" if
// absent); last = the field is the data's last, so it runs to the end.
static std::string data_field(const std::string &data, const char *name,
                              bool last) {
  std::string key = std::string(name) + "=";
  size_t p = data.compare(0, key.size(), key) == 0 ? 0 : data.find("\n" + key);
  if (p == std::string::npos) return "";
  if (p != 0) p += 1;
  p += key.size();
  size_t e = last ? std::string::npos : data.find('\n', p);
  return data.substr(p, e == std::string::npos ? std::string::npos : e - p);
}

int main(int argc, char **argv) {
  bool snippets = argc > 1 && std::string(argv[1]) == "--snippets";
  if (snippets) {
    argc--;
    argv++;
  }
  if (argc != 3) {
    std::cerr << "usage: xapian_qp [--snippets] INDEX K < QUESTIONS\n";
    return 2;
  }
  try {
    Xapian::Database db(argv[1]);
    Xapian::Enquire enquire(db);
    enquire.set_weighting_scheme(Xapian::BM25Weight());
    Xapian::Stem stemmer("italian");
    Xapian::QueryParser qp;
    qp.set_database(db);
    qp.set_stemmer(stemmer);
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    qp.set_default_op(Xapian::Query::OP_OR);
    int k = std::stoi(argv[2]);
    std::string line, ids;
    unsigned long qno = 0;
    size_t snippet_bytes = 0;
    bool warned = false;
    while (std::getline(std::cin, line)) {
      ids.clear();
      auto t0 = std::chrono::steady_clock::now();
      try {
        Xapian::Query q = qp.parse_query(line);
        enquire.set_query(q);
        Xapian::MSet mset = enquire.get_mset(0, k);
        for (auto it = mset.begin(); it != mset.end(); ++it) {
          Xapian::Document doc = it.get_document();
          std::string id = doc.get_value(ID_SLOT);
          std::string data;
          if (id.empty()) {
            if (!warned) {
              std::cerr
                  << "xapian_qp: no id in value slot 0: reading it from the "
                     "document data (the whole text)\n";
              warned = true;
            }
            data = doc.get_data();
            id = data_field(data, "id", false);
          }
          if (snippets) {
            if (data.empty()) data = doc.get_data();
            snippet_bytes += mset.snippet(data_field(data, "text", true),
                                          SNIPPET_BYTES, stemmer)
                                 .size();
          }
          if (!ids.empty()) ids += ' ';
          ids += id.empty() ? "?" : id;
        }
      } catch (const Xapian::QueryParserError &e) {
        std::cerr << "xapian_qp: query " << qno << ": " << e.get_msg() << "\n";
      }
      auto t1 = std::chrono::steady_clock::now();
      double ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
      std::printf("%lu\t%.6f\t%s\n", qno, ms, ids.c_str());
      qno++;
    }
    if (snippets)
      std::cerr << "xapian_qp: " << snippet_bytes << " bytes of snippets\n";
  } catch (const Xapian::Error &e) {
    std::cerr << "xapian_qp: " << e.get_description() << "\n";
    return 2;
  }
  return 0;
}

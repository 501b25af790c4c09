// xapian_qp — the Xapian QueryParser peer: runs questions against an index
// built by `scriptindex -s italian` the way a Xapian application would.
//
//   xapian_qp INDEX K < QUESTIONS
//
// One question per line, parsed by Xapian::QueryParser (Italian stemmer,
// STEM_SOME, default operator OR, FLAG_DEFAULT), ranked by BM25 (Xapian's
// default), top K. Prints per question: QNO <TAB> LATENCY_MS <TAB> ID1 ID2 ...
// where the ids come from the "id=" line scriptindex's `field=id` stores in
// each document's data. The latency covers parsing, matching and reading
// the K documents' data.
//
// This is a peer harness, not part of cronaca: it is C++ only because
// Xapian's QueryParser is, and it links nothing from the project.
#include <xapian.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>

int main(int argc, char **argv) {
  if (argc != 3) {
    std::cerr << "usage: xapian_qp INDEX K < QUESTIONS\n";
    return 2;
  }
  try {
    Xapian::Database db(argv[1]);
    Xapian::Enquire enquire(db);
    enquire.set_weighting_scheme(Xapian::BM25Weight());
    Xapian::QueryParser qp;
    qp.set_database(db);
    qp.set_stemmer(Xapian::Stem("italian"));
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    qp.set_default_op(Xapian::Query::OP_OR);
    int k = std::stoi(argv[2]);
    std::string line, ids;
    unsigned long qno = 0;
    while (std::getline(std::cin, line)) {
      ids.clear();
      auto t0 = std::chrono::steady_clock::now();
      try {
        Xapian::Query q = qp.parse_query(line);
        enquire.set_query(q);
        Xapian::MSet mset = enquire.get_mset(0, k);
        for (auto it = mset.begin(); it != mset.end(); ++it) {
          std::string data = it.get_document().get_data();
          std::string id;
          size_t p = data.rfind("\nid=", std::string::npos);
          if (data.compare(0, 3, "id=") == 0)
            p = 0;
          else if (p != std::string::npos)
            p += 1;
          if (p != std::string::npos) {
            size_t e = data.find('\n', p);
            id = data.substr(p + 3, e == std::string::npos ? std::string::npos
                                                           : e - p - 3);
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
  } catch (const Xapian::Error &e) {
    std::cerr << "xapian_qp: " << e.get_description() << "\n";
    return 2;
  }
  return 0;
}

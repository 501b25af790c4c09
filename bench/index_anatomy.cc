// index_anatomy — where a Xapian index's bytes go, for the size target.
//
//   index_anatomy INDEX
//
// Prints each table's size on disk, then what the position table holds:
// how many (term, document) entries, how many positions, how many entries
// hold a single position, and the bytes per entry. Glass stores one
// B-tree item per entry, so the count of entries, not of positions,
// drives that table's size. C++ for the same reason as xapian_qp: it
// reads Xapian directly and is not part of the product.
#include <sys/stat.h>
#include <xapian.h>

#include <cstdio>
#include <string>

static long long file_size(const std::string &path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? (long long)st.st_size : 0;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: index_anatomy INDEX\n");
    return 2;
  }
  try {
    Xapian::Database db(argv[1]);
    const char *tables[] = {"position", "postlist", "termlist",
                            "spelling", "synonym",  "docdata"};
    for (const char *t : tables) {
      long long size = file_size(std::string(argv[1]) + "/" + t + ".glass");
      if (size) std::printf("%-9s %12lld bytes\n", t, size);
    }
    unsigned long long terms = 0, postings = 0, entries = 0, positions = 0,
                       single = 0;
    for (auto t = db.allterms_begin(); t != db.allterms_end(); ++t) {
      terms++;
      for (auto p = db.postlist_begin(*t); p != db.postlist_end(*t); ++p) {
        postings++;
        unsigned long long n = 0;
        for (auto q = p.positionlist_begin(); q != p.positionlist_end(); ++q)
          n++;
        if (!n) continue;
        entries++;
        positions += n;
        single += n == 1;
      }
    }
    long long pos_bytes = file_size(std::string(argv[1]) + "/position.glass");
    std::printf("documents %u, terms %llu, postings %llu\n", db.get_doccount(),
                terms, postings);
    std::printf("position entries %llu (%.0f%% with one position), positions "
                "%llu\n",
                entries, entries ? 100.0 * single / entries : 0.0, positions);
    if (entries)
      std::printf("position table: %.1f bytes per entry, %.1f per position\n",
                  (double)pos_bytes / entries, (double)pos_bytes / positions);
  } catch (const Xapian::Error &e) {
    std::fprintf(stderr, "index_anatomy: %s\n", e.get_description().c_str());
    return 1;
  }
  return 0;
}

// LuceneBench — the Lucene 8 peer: indexes the bench's documents and runs
// its queries the way a Lucene application would, with Debian's jars
// (liblucene8-java). A harness for a peer, not part of cronaca.
//
//   LuceneBench index INDEX DOCS.jsonl
//       one JSON object per line ({"id", "title", "text"}; other keys
//       ignored; a numeric id is taken as its digits). ItalianAnalyzer,
//       BM25, 2 indexing threads, a 256 MB RAM buffer, forceMerge(1). id is
//       stored and kept as a doc value; title and text are indexed and
//       stored. Prints one JSON line: {"docs", "add_s", "merge_s", "bad"}.
//   LuceneBench query INDEX K WARMUP QUESTIONS OUT_FIRST [OUT_STEADY]
//       one query per line, escaped (QueryParser.escape: its syntax
//       characters are literal, as FTS5's quoted tokens) and parsed by the
//       classic MultiFieldQueryParser over title and text (ItalianAnalyzer,
//       default operator OR), BM25, top K. Runs every query once and writes
//       OUT_FIRST, then WARMUP more passes and, when OUT_STEADY is given,
//       one last pass into it (the steady state after WARMUP warm-up
//       passes). Results lines: QNO <TAB> LATENCY_MS <TAB> ID1 ID2 ...; the
//       latency covers parsing, searching and reading the K ids (from the
//       doc values, not the stored text). Prints one JSON line: the JVM's
//       start-up and the index opening ("start_ms", from JVM start to the
//       first query) and each written pass's wall time.
//
// JSON is parsed by the small reader below (strings with their escapes,
// numbers, literals, nested values skipped): the documents are bench/run's
// own output, and the harness needs no jar beyond Lucene's.
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.it.ItalianAnalyzer;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.ParseException;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.BytesRef;

public final class LuceneBench {
  static final int THREADS = 2;
  static final double RAM_MB = 256;
  static final String EOF = new String("EOF"); // end of input, by identity

  public static void main(String[] args) throws Exception {
    if (args.length == 3 && args[0].equals("index")) {
      System.exit(index(args[1], args[2]));
    } else if ((args.length == 6 || args.length == 7) && args[0].equals("query")) {
      System.exit(query(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                        args[4], args[5], args.length == 7 ? args[6] : null));
    }
    System.err.println("usage: LuceneBench index INDEX DOCS.jsonl\n"
                       + "       LuceneBench query INDEX K WARMUP QUESTIONS OUT_FIRST"
                       + " [OUT_STEADY]");
    System.exit(2);
  }

  // ---- indexing ---------------------------------------------------------

  static int index(String indexPath, String docsPath) throws Exception {
    Analyzer analyzer = new ItalianAnalyzer();
    IndexWriterConfig cfg = new IndexWriterConfig(analyzer);
    cfg.setOpenMode(IndexWriterConfig.OpenMode.CREATE);
    cfg.setSimilarity(new BM25Similarity());
    cfg.setRAMBufferSizeMB(RAM_MB);
    BlockingQueue<String> lines = new ArrayBlockingQueue<>(4096);
    AtomicLong docs = new AtomicLong(), bad = new AtomicLong();
    Throwable[] failure = new Throwable[1];
    long t0 = System.nanoTime();
    try (FSDirectory dir = FSDirectory.open(Paths.get(indexPath));
         IndexWriter writer = new IndexWriter(dir, cfg)) {
      Thread[] workers = new Thread[THREADS];
      for (int i = 0; i < THREADS; i++) {
        workers[i] = new Thread(() -> {
          try {
            for (String line; (line = lines.take()) != EOF;) {
              Document d = parseDoc(line);
              if (d == null) {
                bad.incrementAndGet();
                continue;
              }
              writer.addDocument(d);
              docs.incrementAndGet();
            }
          } catch (Throwable e) {
            synchronized (failure) {
              failure[0] = e;
            }
            // keep draining so the reader never blocks on a full queue
            try {
              while (lines.take() != EOF) {
              }
            } catch (InterruptedException ie) {
              Thread.currentThread().interrupt();
            }
          }
        });
        workers[i].start();
      }
      try (BufferedReader in = new BufferedReader(new InputStreamReader(
               new FileInputStream(docsPath), StandardCharsets.UTF_8), 1 << 20)) {
        for (String line; (line = in.readLine()) != null;)
          if (!line.isBlank()) lines.put(line);
      } finally {
        for (int i = 0; i < THREADS; i++) lines.put(EOF);
        for (Thread w : workers) w.join();
      }
      if (failure[0] != null) throw new IOException("indexing failed", failure[0]);
      long t1 = System.nanoTime();
      writer.forceMerge(1);
      writer.commit();
      long t2 = System.nanoTime();
      System.out.printf("{\"docs\": %d, \"bad\": %d, \"add_s\": %.3f, \"merge_s\": %.3f}%n",
                        docs.get(), bad.get(), (t1 - t0) / 1e9, (t2 - t1) / 1e9);
    }
    if (bad.get() > 0) System.err.println("LuceneBench: " + bad.get() + " unreadable lines");
    return 0;
  }

  /** One document from a JSON line, or null if the line is not an object. */
  static Document parseDoc(String line) {
    Json p = new Json(line);
    String id = null, title = "", text = "";
    try {
      p.ws();
      p.expect('{');
      p.ws();
      if (p.peek() == '}') return null;
      while (true) {
        p.ws();
        String key = p.string();
        p.ws();
        p.expect(':');
        p.ws();
        String v = p.scalar(); // null for null, objects and arrays
        if (key.equals("id")) id = v;
        else if (key.equals("title") && v != null) title = v;
        else if ((key.equals("text") || (key.equals("body") && text.isEmpty())) && v != null)
          text = v;
        p.ws();
        if (p.peek() == ',') {
          p.pos++;
          continue;
        }
        p.expect('}');
        break;
      }
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (id == null) return null;
    Document d = new Document();
    d.add(new StringField("id", id, Field.Store.YES));
    d.add(new BinaryDocValuesField("id", new BytesRef(id)));
    d.add(new TextField("title", title, Field.Store.YES));
    d.add(new TextField("text", text, Field.Store.YES));
    return d;
  }

  /** A minimal JSON reader over one line. */
  static final class Json {
    final String s;
    int pos;

    Json(String s) {
      this.s = s;
    }

    char peek() {
      if (pos >= s.length()) throw new IllegalArgumentException("end of line");
      return s.charAt(pos);
    }

    void ws() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
    }

    void expect(char c) {
      if (peek() != c) throw new IllegalArgumentException("expected " + c);
      pos++;
    }

    String string() {
      expect('"');
      StringBuilder b = new StringBuilder();
      while (true) {
        char c = peek();
        pos++;
        if (c == '"') return b.toString();
        if (c != '\\') {
          b.append(c);
          continue;
        }
        char e = peek();
        pos++;
        switch (e) {
          case 'n': b.append('\n'); break;
          case 't': b.append('\t'); break;
          case 'r': b.append('\r'); break;
          case 'b': b.append('\b'); break;
          case 'f': b.append('\f'); break;
          case 'u':
            if (pos + 4 > s.length()) throw new IllegalArgumentException("bad \\u");
            b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
            pos += 4;
            break;
          default: b.append(e); // \" \\ \/
        }
      }
    }

    /** A string's value, a number's or literal's text; null for null and
     *  for objects and arrays, which are skipped. */
    String scalar() {
      char c = peek();
      if (c == '"') return string();
      if (c == '{' || c == '[') {
        skipNested();
        return null;
      }
      int start = pos;
      while (pos < s.length() && ",}] \t".indexOf(s.charAt(pos)) < 0) pos++;
      String v = s.substring(start, pos);
      return v.equals("null") ? null : v;
    }

    void skipNested() {
      int depth = 0;
      do {
        char c = peek();
        if (c == '"') {
          string();
          continue;
        }
        pos++;
        if (c == '{' || c == '[') depth++;
        else if (c == '}' || c == ']') depth--;
      } while (depth > 0);
    }
  }

  // ---- queries ----------------------------------------------------------

  static int query(String indexPath, int k, int warmup, String questionsPath,
                   String outFirst, String outSteady) throws Exception {
    List<String> qs = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(
             new FileInputStream(questionsPath), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null;) qs.add(line);
    }
    try (FSDirectory dir = FSDirectory.open(Paths.get(indexPath));
         DirectoryReader reader = DirectoryReader.open(dir)) {
      IndexSearcher searcher = new IndexSearcher(reader);
      searcher.setSimilarity(new BM25Similarity());
      MultiFieldQueryParser qp =
          new MultiFieldQueryParser(new String[] {"title", "text"}, new ItalianAnalyzer());
      qp.setDefaultOperator(QueryParser.Operator.OR);
      List<LeafReaderContext> leaves = reader.leaves();
      long startMs = System.currentTimeMillis()
                     - ManagementFactory.getRuntimeMXBean().getStartTime();
      double firstS = pass(searcher, qp, leaves, qs, k, outFirst);
      for (int i = 0; i < warmup; i++) pass(searcher, qp, leaves, qs, k, null);
      double steadyS = outSteady == null ? -1 : pass(searcher, qp, leaves, qs, k, outSteady);
      System.out.printf("{\"queries\": %d, \"start_ms\": %d, \"first_s\": %.6f, "
                        + "\"warmup\": %d, \"steady_s\": %.6f}%n",
                        qs.size(), startMs, firstS, warmup, steadyS);
    }
    return 0;
  }

  /** One pass over the queries; writes results to out (if not null).
   *  Returns the pass's wall seconds. */
  static double pass(IndexSearcher searcher, QueryParser qp, List<LeafReaderContext> leaves,
                     List<String> qs, int k, String out) throws IOException {
    PrintWriter w = out == null ? null : new PrintWriter(new BufferedWriter(
        new OutputStreamWriter(new FileOutputStream(out), StandardCharsets.UTF_8)));
    StringBuilder ids = new StringBuilder();
    long p0 = System.nanoTime();
    for (int qno = 0; qno < qs.size(); qno++) {
      ids.setLength(0);
      long t0 = System.nanoTime();
      String line = qs.get(qno);
      try {
        if (!line.isBlank()) {
          Query q = qp.parse(QueryParser.escape(line));
          TopDocs top = searcher.search(q, k);
          for (ScoreDoc sd : top.scoreDocs) {
            LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(sd.doc, leaves));
            BinaryDocValues dv = leaf.reader().getBinaryDocValues("id");
            String id = "?";
            if (dv != null && dv.advanceExact(sd.doc - leaf.docBase))
              id = dv.binaryValue().utf8ToString();
            if (ids.length() > 0) ids.append(' ');
            ids.append(id);
          }
        }
      } catch (ParseException | RuntimeException e) {
        System.err.println("LuceneBench: query " + qno + ": " + e.getMessage());
      }
      double ms = (System.nanoTime() - t0) / 1e6;
      if (w != null) w.printf("%d\t%.6f\t%s%n", qno, ms, ids);
    }
    double s = (System.nanoTime() - p0) / 1e9;
    if (w != null) w.close();
    return s;
  }
}

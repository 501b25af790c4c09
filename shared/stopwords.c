/* stopwords.c — stop word lists, by Snowball language name.
 *
 * Italian: Snowball's list, snowballstem.org/algorithms/italian/stop.txt
 * (BSD licence), as case-folded UTF-8. English: Snowball's list,
 * snowballstem.org/algorithms/english/stop.txt, likewise. Stop words are not
 * indexed as terms: they are so frequent that they add postings without helping
 * ranking. Languages without a list here have no stop words.
 */
#include "stopwords.h"

#include <stdlib.h>
#include <string.h>

/* Sorted bytewise (strcmp order) so lookups can bsearch. */
static const char *const italian[] = {
    "a",        "abbia",     "abbiamo",    "abbiano",   "abbiate",
    "ad",       "agl",       "agli",       "ai",        "al",
    "all",      "alla",      "alle",       "allo",      "anche",
    "avemmo",   "avendo",    "avesse",     "avessero",  "avessi",
    "avessimo", "aveste",    "avesti",     "avete",     "aveva",
    "avevamo",  "avevano",   "avevate",    "avevi",     "avevo",
    "avrai",    "avranno",   "avrebbe",    "avrebbero", "avrei",
    "avremmo",  "avremo",    "avreste",    "avresti",   "avrete",
    "avrà",     "avrò",      "avuta",      "avute",     "avuti",
    "avuto",    "c",         "che",        "chi",       "ci",
    "coi",      "col",       "come",       "con",       "contro",
    "cui",      "da",        "dagl",       "dagli",     "dai",
    "dal",      "dall",      "dalla",      "dalle",     "dallo",
    "degl",     "degli",     "dei",        "del",       "dell",
    "della",    "delle",     "dello",      "di",        "dov",
    "dove",     "e",         "ebbe",       "ebbero",    "ebbi",
    "ed",       "era",       "erano",      "eravamo",   "eravate",
    "eri",      "ero",       "essendo",    "faccia",    "facciamo",
    "facciano", "facciate",  "faccio",     "facemmo",   "facendo",
    "facesse",  "facessero", "facessi",    "facessimo", "faceste",
    "facesti",  "faceva",    "facevamo",   "facevano",  "facevate",
    "facevi",   "facevo",    "fai",        "fanno",     "farai",
    "faranno",  "farebbe",   "farebbero",  "farei",     "faremmo",
    "faremo",   "fareste",   "faresti",    "farete",    "farà",
    "farò",     "fece",      "fecero",     "feci",      "fosse",
    "fossero",  "fossi",     "fossimo",    "foste",     "fosti",
    "fu",       "fui",       "fummo",      "furono",    "gli",
    "ha",       "hai",       "hanno",      "ho",        "i",
    "il",       "in",        "io",         "l",         "la",
    "le",       "lei",       "li",         "lo",        "loro",
    "lui",      "ma",        "mi",         "mia",       "mie",
    "miei",     "mio",       "ne",         "negl",      "negli",
    "nei",      "nel",       "nell",       "nella",     "nelle",
    "nello",    "noi",       "non",        "nostra",    "nostre",
    "nostri",   "nostro",    "o",          "per",       "perché",
    "più",      "quale",     "quanta",     "quante",    "quanti",
    "quanto",   "quella",    "quelle",     "quelli",    "quello",
    "questa",   "queste",    "questi",     "questo",    "sarai",
    "saranno",  "sarebbe",   "sarebbero",  "sarei",     "saremmo",
    "saremo",   "sareste",   "saresti",    "sarete",    "sarà",
    "sarò",     "se",        "sei",        "si",        "sia",
    "siamo",    "siano",     "siate",      "siete",     "sono",
    "sta",      "stai",      "stando",     "stanno",    "starai",
    "staranno", "starebbe",  "starebbero", "starei",    "staremmo",
    "staremo",  "stareste",  "staresti",   "starete",   "starà",
    "starò",    "stava",     "stavamo",    "stavano",   "stavate",
    "stavi",    "stavo",     "stemmo",     "stesse",    "stessero",
    "stessi",   "stessimo",  "steste",     "stesti",    "stette",
    "stettero", "stetti",    "stia",       "stiamo",    "stiano",
    "stiate",   "sto",       "su",         "sua",       "sue",
    "sugl",     "sugli",     "sui",        "sul",       "sull",
    "sulla",    "sulle",     "sullo",      "suo",       "suoi",
    "ti",       "tra",       "tu",         "tua",       "tue",
    "tuo",      "tuoi",      "tutti",      "tutto",     "un",
    "una",      "uno",       "vi",         "voi",       "vostra",
    "vostre",   "vostri",    "vostro",     "è",
};

/* Sorted bytewise, like the Italian list. */
static const char *const english[] = {
    "a",          "about",     "above",     "after",   "again",    "against",
    "all",        "am",        "an",        "and",     "any",      "are",
    "aren't",     "as",        "at",        "be",      "because",  "been",
    "before",     "being",     "below",     "between", "both",     "but",
    "by",         "can't",     "cannot",    "could",   "couldn't", "did",
    "didn't",     "do",        "does",      "doesn't", "doing",    "don't",
    "down",       "during",    "each",      "few",     "for",      "from",
    "further",    "had",       "hadn't",    "has",     "hasn't",   "have",
    "haven't",    "having",    "he",        "he'd",    "he'll",    "he's",
    "her",        "here",      "here's",    "hers",    "herself",  "him",
    "himself",    "his",       "how",       "how's",   "i",        "i'd",
    "i'll",       "i'm",       "i've",      "if",      "in",       "into",
    "is",         "isn't",     "it",        "it's",    "its",      "itself",
    "let's",      "me",        "more",      "most",    "mustn't",  "my",
    "myself",     "no",        "nor",       "not",     "of",       "off",
    "on",         "once",      "only",      "or",      "other",    "ought",
    "our",        "ours",      "ourselves", "out",     "over",     "own",
    "same",       "shan't",    "she",       "she'd",   "she'll",   "she's",
    "should",     "shouldn't", "so",        "some",    "such",     "than",
    "that",       "that's",    "the",       "their",   "theirs",   "them",
    "themselves", "then",      "there",     "there's", "these",    "they",
    "they'd",     "they'll",   "they're",   "they've", "this",     "those",
    "through",    "to",        "too",       "under",   "until",    "up",
    "very",       "was",       "wasn't",    "we",      "we'd",     "we'll",
    "we're",      "we've",     "were",      "weren't", "what",     "what's",
    "when",       "when's",    "where",     "where's", "which",    "while",
    "who",        "who's",     "whom",      "why",     "why's",    "with",
    "won't",      "would",     "wouldn't",  "you",     "you'd",    "you'll",
    "you're",     "you've",    "your",      "yours",   "yourself", "yourselves",
};

static const struct {
  const char *language;
  const char *const *words;
  size_t n;
} lists[] = {
    {"italian", italian, sizeof italian / sizeof *italian},
    {"it", italian, sizeof italian / sizeof *italian},
    {"english", english, sizeof english / sizeof *english},
    {"en", english, sizeof english / sizeof *english},
};

static int compare_word(const void *key, const void *elem) {
  return strcmp(key, *(const char *const *)elem);
}

cr_stoplist cr_stoplist_for(const char *language) {
  for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
    if (strcmp(lists[i].language, language) == 0)
      return (cr_stoplist){lists[i].words, lists[i].n};
  return (cr_stoplist){NULL, 0};
}

bool cr_stoplist_contains(cr_stoplist list, const char *word) {
  if (list.n == 0) return false;
  return bsearch(word, list.words, list.n, sizeof *list.words, compare_word) !=
         NULL;
}

/**
 * bm25s's English stop words (`stopwords="en"`), copied verbatim and in its order from bm25s 0.3.11
 * `bm25s/stopwords.py` `STOPWORDS_EN` — itself Lucene's classic English stop set (33 words). bm25s drops a
 * token that is one of them after lower-casing and before stemming, so they are compared with the lower-case
 * surface word, never with its stem.
 */
export const ENGLISH_STOPWORDS: readonly string[] = [
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into', 'is', 'it', 'no', 'not',
  'of', 'on', 'or', 'such', 'that', 'the', 'their', 'then', 'there', 'these', 'they', 'this', 'to', 'was',
  'will', 'with',
];

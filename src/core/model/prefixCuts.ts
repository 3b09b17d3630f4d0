/**
 * Where a text may be cut so that tokenizing the part before the cut gives exactly the first tokens of the
 * whole text: the place that lets `TextTokenizer` read a 100 MB line only as far as truncation needs.
 *
 * A cut at index `i` is safe when tokens(text) = tokens(text[0, i)) ++ tokens of the rest, i.e. nothing the
 * pipeline does to the characters before `i` depends on what follows. Stage by stage, for the pipelines
 * accepted here (anything else gets no cuts and is tokenized whole, as before):
 * - Added tokens are split out of the raw text first: the cut must not fall inside an occurrence of one.
 * - Normalizers accepted (BertNormalizer, NFC/NFD/NFKC/NFKD, Lowercase, StripAccents, Strip, Prepend,
 *   Precompiled, Sequences of them) act per character, except where Unicode looks at neighbours: canonical
 *   reordering and composition (a space, U+0020, is a starter nothing composes with, so it is a barrier) and
 *   lower-casing Σ, final or not (decided by what follows, skipping case-ignorable characters: a space or a
 *   CJK character stops that look-ahead, an apostrophe or a full stop does not).
 * - The character before a space cut must stay a visible character after normalization (a letter, digit,
 *   punctuation or symbol; not a space, control, format character, U+2581 or U+FFFD, which normalizers
 *   drop or turn into spaces), so the part before the cut ends in a word in both tokenizations.
 * - WordPiece, WordLevel and BPE tokenize each pre-token alone; the pre-tokenizers accepted for them
 *   (BertPreTokenizer, Whitespace, WhitespaceSplit, ByteLevel with its regex, Sequences with one of them)
 *   end a pre-token at a space that follows a non-space: ByteLevel's pattern (`' ?\p{L}+| ?\p{N}+|
 *   ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+'`) only ever puts a space at the start of a match, and a run of spaces
 *   after a non-space is matched the same way whether or not it is the text's end. A word longer than
 *   WordPiece's `max_input_chars_per_word` is cut nowhere inside, so it becomes [UNK] whole in both.
 * - Unigram runs Viterbi over a whole pre-token (this library's Metaspace does not split at ▁), so a cut is
 *   safe only where every segmentation has a boundary: before a ▁ (or space) that no piece of the vocabulary
 *   can straddle, i.e. no piece has ▁ after another character, and ▁ alone is a piece (so no unknown token
 *   is fused across the cut). The best path to the cut is then found from the same nodes in both lattices.
 * - BERT's pipeline (BertNormalizer or none, BertPreTokenizer, WordPiece) also splits before punctuation
 *   and, with `handle_chinese_chars`, before a CJK ideograph: cuts there too (punctuation that is not
 *   case-ignorable, so Σ's look-ahead is not crossed), which lets text without spaces be cut as well.
 */
export type CutRule = (text: string, at: number) => boolean;

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const NORMALIZERS = new Set(['BertNormalizer', 'NFC', 'NFD', 'NFKC', 'NFKD', 'Lowercase', 'StripAccents', 'Strip', 'Prepend', 'Precompiled']);
/** Pre-tokenizers that end a pre-token at a space after a non-space. */
const SPLITTING = new Set(['BertPreTokenizer', 'Whitespace', 'WhitespaceSplit', 'ByteLevel']);
/** Pre-tokenizers that only split further (never join across a split) inside a Sequence. */
const REFINING = new Set([...SPLITTING, 'Punctuation', 'Digits']);

/** The normalizer's steps, flattened, or null when one is not known to be safe to cut. */
function normalizerSteps(normalizer: unknown): string[] | null {
  if (normalizer === undefined || normalizer === null) return [];
  if (!isRecord(normalizer)) return null;
  if (normalizer.type === 'Sequence') {
    const steps: string[] = [];
    for (const step of Array.isArray(normalizer.normalizers) ? normalizer.normalizers : [null]) {
      const inner = normalizerSteps(step);
      if (inner === null) return null;
      steps.push(...inner);
    }
    return steps;
  }
  return typeof normalizer.type === 'string' && NORMALIZERS.has(normalizer.type) ? [normalizer.type] : null;
}

/** 'splits' when the pre-tokenizer ends a pre-token at every space after a non-space; 'metaspace'; 'none'; or null. */
function preTokenizerKind(preTokenizer: unknown): 'splits' | 'metaspace' | 'none' | null {
  if (preTokenizer === undefined || preTokenizer === null) return 'none';
  if (!isRecord(preTokenizer)) return null;
  const splits = (step: Json) => SPLITTING.has(String(step.type)) && !(step.type === 'ByteLevel' && step.use_regex === false);
  if (preTokenizer.type === 'Metaspace') return 'metaspace';
  if (preTokenizer.type === 'Sequence') {
    const steps = Array.isArray(preTokenizer.pretokenizers) ? preTokenizer.pretokenizers : [];
    if (!steps.every((step) => isRecord(step) && REFINING.has(String(step.type)))) return null;
    return steps.some((step) => splits(step as Json)) ? 'splits' : null;
  }
  return splits(preTokenizer) ? 'splits' : null;
}

const VISIBLE = /^[\p{L}\p{N}\p{P}\p{S}]$/u;
const MARK = /^\p{M}$/u;
const WHITESPACE_END = /[\s\u2581]$/u;
const BERT_PUNCTUATION = /^[\p{P}\u0021-\u002F\u003A-\u0040\u005B-\u0060\u007B-\u007E]$/u;
const CASE_IGNORABLE = /^\p{Case_Ignorable}$/u;
/** The BMP ranges of the ideographs BertNormalizer surrounds with spaces (this library tests UTF-16 units). */
const isCjk = (unit: number) => (unit >= 0x4e00 && unit <= 0x9fff) || (unit >= 0x3400 && unit <= 0x4dbf) || (unit >= 0xf900 && unit <= 0xfaff);

/** The code point that ends just before `at` (a surrogate pair read whole). */
function charBefore(text: string, at: number): string {
  const low = text.charCodeAt(at - 1);
  if (at >= 2 && low >= 0xdc00 && low <= 0xdfff) {
    const high = text.charCodeAt(at - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.slice(at - 2, at);
  }
  return text[at - 1];
}

/**
 * The safe cuts of the tokenizer described by `tokenizerJson` (see the file's comment), or null when its
 * pipeline is not one whose cuts are known: such a tokenizer reads each text whole.
 */
export function prefixCutRule(tokenizerJson: Json, tokenizerConfig: Json = {}): CutRule | null {
  const model = isRecord(tokenizerJson.model) ? tokenizerJson.model : null;
  if (!model) return null;
  const modelType = String(model.type ?? (Array.isArray(model.vocab) ? 'Unigram' : model.merges !== undefined ? 'BPE' : 'WordPiece'));
  const steps = normalizerSteps(tokenizerJson.normalizer);
  const preTokenizer = preTokenizerKind(tokenizerJson.pre_tokenizer);
  if (steps === null || preTokenizer === null) return null;

  if (modelType === 'Unigram') {
    if (preTokenizer !== 'metaspace' && preTokenizer !== 'none' && preTokenizer !== 'splits') return null;
    if (preTokenizer !== 'splits') {
      const pre = tokenizerJson.pre_tokenizer as Json | null;
      const boundary = preTokenizer === 'metaspace' ? String(pre?.replacement ?? '\u2581') : ' ';
      const pieces = Array.isArray(model.vocab) ? (model.vocab as unknown[]).map((entry) => (Array.isArray(entry) ? String(entry[0]) : '')) : [];
      if (!pieces.includes(boundary)) return null;
      // A piece with the boundary after another character could straddle the cut.
      if (pieces.some((piece) => [...piece].some((char, i) => i > 0 && char === boundary && piece[i - 1] !== boundary))) return null;
    }
  } else if (modelType === 'WordPiece' || modelType === 'WordLevel' || modelType === 'BPE') {
    if (preTokenizer !== 'splits') return null;
  } else {
    return null;
  }

  const stripsMarks = steps.includes('StripAccents') || steps.includes('BertNormalizer') || tokenizerConfig.do_lowercase_and_remove_accent === true;
  const added = (Array.isArray(tokenizerJson.added_tokens) ? (tokenizerJson.added_tokens as Json[]) : [])
    .map((token) => ({ content: typeof token.content === 'string' ? token.content : '', normalized: token.normalized === true }))
    .filter((token) => token.content.length > 1);
  const insideAddedToken = (text: string, at: number): boolean =>
    added.some(({ content, normalized }) => {
      // Any occurrence inside this window starts before `at` and ends after it.
      const window = text.slice(Math.max(0, at - content.length + 1), at + content.length - 1);
      return normalized ? window.toLowerCase().includes(content.toLowerCase()) : window.includes(content);
    });

  const bertNormalizer = isRecord(tokenizerJson.normalizer) && tokenizerJson.normalizer.type === 'BertNormalizer' ? tokenizerJson.normalizer : null;
  const bertPipeline =
    modelType === 'WordPiece' && isRecord(tokenizerJson.pre_tokenizer) && tokenizerJson.pre_tokenizer.type === 'BertPreTokenizer' && (steps.length === 0 || bertNormalizer !== null);
  const splitsCjk = bertPipeline && bertNormalizer !== null && bertNormalizer.handle_chinese_chars !== false;

  const atSpace = (text: string, at: number): boolean => {
    if (text.charCodeAt(at) !== 0x20) return false;
    const before = charBefore(text, at);
    if (before === '\u2581' || before === '\ufffd') return false;
    const visible = VISIBLE.test(before) || (!stripsMarks && MARK.test(before));
    if (!visible) return false;
    const normalized = before.normalize('NFKC');
    return normalized.length > 0 && !WHITESPACE_END.test(normalized);
  };
  const atBertBoundary = (text: string, at: number): boolean => {
    const unit = text.charCodeAt(at);
    const previous = text.charCodeAt(at - 1);
    if (previous >= 0xd800 && previous <= 0xdbff) return false;
    if (splitsCjk && isCjk(unit)) return true;
    const char = text[at];
    return BERT_PUNCTUATION.test(char) && !CASE_IGNORABLE.test(char) && BERT_PUNCTUATION.test(char.normalize('NFD')[0]);
  };
  return (text, at) => at > 0 && at < text.length && (atSpace(text, at) || (bertPipeline && atBertBoundary(text, at))) && !insideAddedToken(text, at);
}

/** The last safe cut in (`after`, `before`], or -1. */
export function lastCut(text: string, before: number, after: number, isCut: CutRule): number {
  for (let at = Math.min(before, text.length - 1); at > after; at--) if (isCut(text, at)) return at;
  return -1;
}

// Characters that must not reach Okta or a terminal from workspace text:
// controls, bidirectional overrides and other invisible formatting
// characters. They make one label look like another, reorder what a reviewer
// reads, or drive the terminal. The same rule refuses them in input and
// escapes them in messages, so the two can never disagree.

/** A refused character found in a text. */
export interface UnsafeCharacter {
  readonly codePoint: number;
  /** 1-based, counted in characters (code points), as a person would count. */
  readonly position: number;
}

// Anything in these classes is refused unless ALLOWED says otherwise. Most
// text has none of them, so one test of this pattern settles most strings.
const SUSPECT_SOURCE =
  "[\\p{Cc}\\p{Cf}\\p{Cs}\\p{Zl}\\p{Zp}\\p{Noncharacter_Code_Point}\\p{Default_Ignorable_Code_Point}\\uFFFD]";
const SUSPECT = new RegExp(SUSPECT_SOURCE, "u");
const SUSPECTS = new RegExp(SUSPECT_SOURCE, "gu");

// Invisible but needed by ordinary text: joiners in emoji and in Indic and
// Arabic scripts, variation selectors (emoji presentation, CJK variants), and
// the visible prefixed number signs of Arabic, Syriac, Kaithi and the
// Egyptian hieroglyph format controls.
const ALLOWED = /^[\u200C\u200D\u034F\p{Variation_Selector}\u0600-\u0605\u06DD\u070F\u0890\u0891\u08E2\u{110BD}\u{110CD}\u{13430}-\u{1343F}]$/u;

// Tag characters are invisible, except as the body of an emoji flag such as
// England's: WAVING BLACK FLAG, tags, CANCEL TAG.
const FLAG_TAG_SEQUENCE = /\u{1F3F4}[\u{E0020}-\u{E007E}]+\u{E007F}/uy;
const TAG_FIRST = 0xe0020;
const TAG_LAST = 0xe007f;

/** The first refused character of `text`, or undefined when there is none. */
export function findUnsafeCharacter(text: string): UnsafeCharacter | undefined {
  const found = unsafeCharacterIndexes(text, true)[0];
  if (found === undefined) return undefined;
  return { codePoint: text.codePointAt(found)!, position: Array.from(text.slice(0, found)).length + 1 };
}

/** `text` with every refused character written as an escape (`\u202e`); everything else as it is. */
export function escapeUnsafeCharacters(text: string): string {
  const indexes = unsafeCharacterIndexes(text, false);
  if (indexes.length === 0) return text;
  let escaped = "";
  let from = 0;
  for (const index of indexes) {
    const codePoint = text.codePointAt(index)!;
    escaped += text.slice(from, index) + escapeCodePoint(codePoint);
    from = index + (codePoint > 0xffff ? 2 : 1);
  }
  return escaped + text.slice(from);
}

/** `U+202E RIGHT-TO-LEFT OVERRIDE`: the code point and its name, or what kind of character it is. */
export function describeCharacter(codePoint: number): string {
  const code = `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
  const name = characterName(codePoint);
  return name ? `${code} ${name}` : `${code} (${characterKind(codePoint)})`;
}

/** Offset of the first U+FFFD, which is what bytes that are not UTF-8 decode to; -1 when there is none. */
export function replacementCharacterOffset(text: string): number {
  return text.indexOf("\uFFFD");
}

function unsafeCharacterIndexes(text: string, firstOnly: boolean): number[] {
  if (!SUSPECT.test(text)) return [];
  const indexes: number[] = [];
  SUSPECTS.lastIndex = 0;
  for (let match = SUSPECTS.exec(text); match !== null; match = SUSPECTS.exec(text)) {
    const character = match[0];
    if (ALLOWED.test(character)) continue;
    const codePoint = character.codePointAt(0)!;
    if (codePoint >= TAG_FIRST && codePoint <= TAG_LAST) {
      const flagEnd = flagSequenceEnd(text, match.index);
      if (flagEnd !== undefined) {
        SUSPECTS.lastIndex = flagEnd;
        continue;
      }
    }
    indexes.push(match.index);
    if (firstOnly) break;
  }
  return indexes;
}

/** When the tag at `tagIndex` starts the body of an emoji flag, the offset just after the flag. */
function flagSequenceEnd(text: string, tagIndex: number): number | undefined {
  if (tagIndex < 2) return undefined;
  FLAG_TAG_SEQUENCE.lastIndex = tagIndex - 2; // WAVING BLACK FLAG is two code units
  return FLAG_TAG_SEQUENCE.test(text) ? FLAG_TAG_SEQUENCE.lastIndex : undefined;
}

function escapeCodePoint(codePoint: number): string {
  return codePoint > 0xffff ? `\\u{${codePoint.toString(16)}}` : `\\u${codePoint.toString(16).padStart(4, "0")}`;
}

function characterKind(codePoint: number): string {
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return "half of a surrogate pair, alone: not a character";
  if (codePoint >= TAG_FIRST && codePoint <= TAG_LAST) return "an invisible tag character";
  if (/\p{Noncharacter_Code_Point}/u.test(String.fromCodePoint(codePoint))) return "a noncharacter";
  if (/\p{Cc}/u.test(String.fromCodePoint(codePoint))) return "a control character";
  return "an invisible formatting character";
}

function characterName(codePoint: number): string | undefined {
  if (codePoint < 0x20) return C0_NAMES[codePoint];
  if (codePoint === 0x7f) return "DELETE";
  if (codePoint >= 0x80 && codePoint <= 0x9f) return C1_NAMES[codePoint - 0x80];
  return NAMES.get(codePoint);
}

// Control characters have no Unicode names; these are their formal aliases.
const C0_NAMES = [
  "NULL", "START OF HEADING", "START OF TEXT", "END OF TEXT", "END OF TRANSMISSION", "ENQUIRY", "ACKNOWLEDGE", "ALERT",
  "BACKSPACE", "CHARACTER TABULATION", "LINE FEED", "LINE TABULATION", "FORM FEED", "CARRIAGE RETURN", "SHIFT OUT", "SHIFT IN",
  "DATA LINK ESCAPE", "DEVICE CONTROL ONE", "DEVICE CONTROL TWO", "DEVICE CONTROL THREE", "DEVICE CONTROL FOUR",
  "NEGATIVE ACKNOWLEDGE", "SYNCHRONOUS IDLE", "END OF TRANSMISSION BLOCK", "CANCEL", "END OF MEDIUM", "SUBSTITUTE", "ESCAPE",
  "INFORMATION SEPARATOR FOUR", "INFORMATION SEPARATOR THREE", "INFORMATION SEPARATOR TWO", "INFORMATION SEPARATOR ONE",
];
const C1_NAMES = [
  "PADDING CHARACTER", "HIGH OCTET PRESET", "BREAK PERMITTED HERE", "NO BREAK HERE", "INDEX", "NEXT LINE",
  "START OF SELECTED AREA", "END OF SELECTED AREA", "CHARACTER TABULATION SET", "CHARACTER TABULATION WITH JUSTIFICATION",
  "LINE TABULATION SET", "PARTIAL LINE FORWARD", "PARTIAL LINE BACKWARD", "REVERSE LINE FEED", "SINGLE SHIFT TWO",
  "SINGLE SHIFT THREE", "DEVICE CONTROL STRING", "PRIVATE USE ONE", "PRIVATE USE TWO", "SET TRANSMIT STATE", "CANCEL CHARACTER",
  "MESSAGE WAITING", "START OF GUARDED AREA", "END OF GUARDED AREA", "START OF STRING", "SINGLE GRAPHIC CHARACTER INTRODUCER",
  "SINGLE CHARACTER INTRODUCER", "CONTROL SEQUENCE INTRODUCER", "STRING TERMINATOR", "OPERATING SYSTEM COMMAND",
  "PRIVACY MESSAGE", "APPLICATION PROGRAM COMMAND",
];
// The refused characters people meet in practice; others are described by kind.
const NAMES: ReadonlyMap<number, string> = new Map([
  [0x00ad, "SOFT HYPHEN"],
  [0x061c, "ARABIC LETTER MARK"],
  [0x115f, "HANGUL CHOSEONG FILLER"],
  [0x1160, "HANGUL JUNGSEONG FILLER"],
  [0x17b4, "KHMER VOWEL INHERENT AQ"],
  [0x17b5, "KHMER VOWEL INHERENT AA"],
  [0x180e, "MONGOLIAN VOWEL SEPARATOR"],
  [0x200b, "ZERO WIDTH SPACE"],
  [0x200e, "LEFT-TO-RIGHT MARK"],
  [0x200f, "RIGHT-TO-LEFT MARK"],
  [0x2028, "LINE SEPARATOR"],
  [0x2029, "PARAGRAPH SEPARATOR"],
  [0x202a, "LEFT-TO-RIGHT EMBEDDING"],
  [0x202b, "RIGHT-TO-LEFT EMBEDDING"],
  [0x202c, "POP DIRECTIONAL FORMATTING"],
  [0x202d, "LEFT-TO-RIGHT OVERRIDE"],
  [0x202e, "RIGHT-TO-LEFT OVERRIDE"],
  [0x2060, "WORD JOINER"],
  [0x2061, "FUNCTION APPLICATION"],
  [0x2062, "INVISIBLE TIMES"],
  [0x2063, "INVISIBLE SEPARATOR"],
  [0x2064, "INVISIBLE PLUS"],
  [0x2066, "LEFT-TO-RIGHT ISOLATE"],
  [0x2067, "RIGHT-TO-LEFT ISOLATE"],
  [0x2068, "FIRST STRONG ISOLATE"],
  [0x2069, "POP DIRECTIONAL ISOLATE"],
  [0x206a, "INHIBIT SYMMETRIC SWAPPING"],
  [0x206b, "ACTIVATE SYMMETRIC SWAPPING"],
  [0x206c, "INHIBIT ARABIC FORM SHAPING"],
  [0x206d, "ACTIVATE ARABIC FORM SHAPING"],
  [0x206e, "NATIONAL DIGIT SHAPES"],
  [0x206f, "NOMINAL DIGIT SHAPES"],
  [0x3164, "HANGUL FILLER"],
  [0xfeff, "ZERO WIDTH NO-BREAK SPACE (byte-order mark)"],
  [0xffa0, "HALFWIDTH HANGUL FILLER"],
  [0xfff9, "INTERLINEAR ANNOTATION ANCHOR"],
  [0xfffa, "INTERLINEAR ANNOTATION SEPARATOR"],
  [0xfffb, "INTERLINEAR ANNOTATION TERMINATOR"],
  [0xfffd, "REPLACEMENT CHARACTER"],
  [0xe0001, "LANGUAGE TAG"],
  [0xe007f, "CANCEL TAG"],
]);

"""Content-language check for the free-text fields of a complaint (pure Python, no Django).

Complaints must be written in the policy's languages (English by default). The decision:

1. **Clean.** Take out what is not language: URLs, e-mail addresses, @handles, every token
   with a digit or an underscore (order and tracking numbers, SKUs, amounts, sizes), camelCase
   and capitalised hyphenated names (iPhone, TopTech, Häagen-Dazs), ALL-CAPS acronyms (a text
   written all in capitals is lower-cased instead). Quoted passages (a product title, the
   seller's words) are left out too, unless there is nothing around them.
2. **Script.** Count the letters per Unicode script. When one non-Latin script has at least
   ``SCRIPT_SHARE`` of them, the script decides: Han is Chinese, Kana Japanese, Hangul Korean,
   Greek Greek...; for scripts shared by several languages (Cyrillic, Arabic, Devanagari) the
   models choose among that script's languages. A text with ``MIXED_SHARE`` or more of
   non-Latin letters (and two words or more of them) is judged by that script too, unless its
   Latin part is plainly English or confidently an allowed language. Fewer non-Latin letters
   are a brand name or a quoted word, and ignored: a name in another script inside an English
   text (a shop, a person, a place) is accepted. A text refused by its script that also has
   Latin words (not names) is partly in that language: the refusal names the passages in that
   script (``LanguageProblem.words``), so that the writer knows what to translate.
3. **Latin script.** Capitalised words inside a sentence are mostly names (Dolce Vita, Maison
   du Chef): they neither count as words nor go to the models. Fewer than ``MIN_WORDS`` words
   or ``MIN_LETTERS`` letters left: too short to judge, accepted. English grammar words
   throughout (``EN_WORD_SHARE``): English. Otherwise pycld2 decides and, below ``LONG_WORDS``
   words, py3langid gives a second opinion; a text is refused only when they agree firmly on a
   language that is not allowed, and no allowed language gets a fair share
   (``ALLOWED_SUPPORT``).
4. **Look-alike letters.** A word mixing Latin letters with Cyrillic or Greek ones
   ("payment" typed with a Cyrillic a), or made only of Cyrillic or Greek look-alikes of Latin
   letters between Latin words, looks English but is not: it is left out of steps 2-3, and
   refused in any text (unless the text is refused as a whole), each such word named with its
   odd letters and their code points.

The thresholds are tuned on ``tests/intake/language_corpus.py`` so as never to refuse short
English full of product names, numbers and URLs; see ``bench/language_accuracy.py``.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import pycld2

__all__ = [
    "LanguageFinding",
    "LanguageProblem",
    "detect_language",
    "language_name",
    "language_problem",
    "warm_up",
]

# --- thresholds (tuned on tests/intake/language_corpus.py) ------------------------------------

#: share of the letters in one non-Latin script from which that script decides the language
SCRIPT_SHARE = 0.5
#: share of non-Latin letters from which a text is mixed: foreign unless plainly English
MIXED_SHARE = 0.2
#: a Latin-script text with fewer words (names not counted) or letters is too short to judge
MIN_WORDS = 3
MIN_LETTERS = 12
#: English grammar words: least count and share of the Latin words for "plainly English"
EN_WORD_MIN = 2
EN_WORD_SHARE = 0.18
#: pycld2: least share (percent) of the text for the language it names
CLD2_MIN_PERCENT = 60
#: from this many words pycld2 is accurate enough alone (and py3langid, the slower, is spared)
LONG_WORDS = 40
#: py3langid probability that confirms pycld2; that overrules pycld2 when not a single English
#: grammar word contradicts it; that suffices when pycld2 found nothing
LANGID_CONFIRM = 0.5
LANGID_OVERRIDE = 0.85
LANGID_ALONE = 0.995
#: an allowed language the models give this much (pycld2 share or py3langid probability) is
#: accepted even when another language comes first
ALLOWED_SUPPORT = 0.25
#: input caps (characters): the whole analysis, pycld2, py3langid
MAX_CHARS = 20_000
CLD2_MAX_CHARS = 4_000
LANGID_MAX_CHARS = 400


@dataclass(frozen=True)
class LanguageFinding:
    """What a text seems to be written in."""

    code: str  # ISO 639-1 ("ru"), or "und" when unknown
    name: str  # English name ("Russian"; "Unknown" for "und")
    script: str  # dominant non-Latin script ("Cyrillic", "Han", "Arabic"...), else "Latin"
    reliable: bool


@dataclass(frozen=True)
class LanguageProblem:
    """Why a text is refused; ``code`` is ``language_not_english`` or ``language_not_allowed``."""

    code: str
    message: str
    finding: LanguageFinding
    #: what to change, as found in the text: the words mixing alphabets, the passages in
    #: another script of a text partly in it (empty when the whole text is to be rewritten)
    words: tuple[str, ...] = ()


# --- language names ---------------------------------------------------------------------------


def _table(spec: str) -> dict[str, str]:
    """{"af": "Afrikaans", ...} from "af:Afrikaans ..."."""
    return dict(item.split(":", 1) for item in spec.split())


_NAMES = _table(
    """
    af:Afrikaans am:Amharic ar:Arabic az:Azerbaijani ba:Bashkir be:Belarusian bg:Bulgarian
    bn:Bengali bo:Tibetan bs:Bosnian ca:Catalan cs:Czech cy:Welsh da:Danish de:German
    dv:Dhivehi el:Greek en:English eo:Esperanto es:Spanish et:Estonian eu:Basque fa:Persian
    fi:Finnish fr:French fy:Frisian ga:Irish gl:Galician gu:Gujarati he:Hebrew hi:Hindi
    hr:Croatian hu:Hungarian hy:Armenian id:Indonesian is:Icelandic it:Italian ja:Japanese
    jv:Javanese ka:Georgian kk:Kazakh km:Khmer kn:Kannada ko:Korean ku:Kurdish ky:Kyrgyz
    la:Latin lb:Luxembourgish lo:Lao lt:Lithuanian lv:Latvian mk:Macedonian ml:Malayalam
    mn:Mongolian mr:Marathi ms:Malay mt:Maltese my:Burmese ne:Nepali nl:Dutch no:Norwegian
    or:Odia pa:Punjabi pl:Polish ps:Pashto pt:Portuguese ro:Romanian ru:Russian si:Sinhala
    sk:Slovak sl:Slovenian so:Somali sq:Albanian sr:Serbian sv:Swedish sw:Swahili ta:Tamil
    te:Telugu tg:Tajik th:Thai tk:Turkmen tl:Tagalog tr:Turkish tt:Tatar ug:Uyghur
    uk:Ukrainian ur:Urdu uz:Uzbek vi:Vietnamese yi:Yiddish zh:Chinese und:Unknown
    """
)
#: pycld2 codes that are not ISO 639-1
_CLD2_CODES = {"iw": "he", "zh-Hant": "zh", "jw": "jv", "sr-ME": "sr", "nb": "no"}


def language_name(code: str) -> str:
    """English name of an ISO 639-1 code ("ru" -> "Russian"); the code itself if unknown."""
    return _NAMES.get(code, code)


# --- scripts ----------------------------------------------------------------------------------

_LATIN = "Latin"
_KANA = "Kanji/Kana"  # how Japanese (Han with Hiragana/Katakana) is reported

#: first word of a Unicode character name -> script, for the scripts told apart
_SCRIPT_WORDS = _table(
    """
    LATIN:Latin CYRILLIC:Cyrillic GREEK:Greek ARMENIAN:Armenian HEBREW:Hebrew ARABIC:Arabic
    SYRIAC:Syriac THAANA:Thaana DEVANAGARI:Devanagari BENGALI:Bengali GURMUKHI:Gurmukhi
    GUJARATI:Gujarati ORIYA:Odia TAMIL:Tamil TELUGU:Telugu KANNADA:Kannada MALAYALAM:Malayalam
    SINHALA:Sinhala THAI:Thai LAO:Lao TIBETAN:Tibetan MYANMAR:Myanmar GEORGIAN:Georgian
    HANGUL:Hangul ETHIOPIC:Ethiopic KHMER:Khmer MONGOLIAN:Mongolian HIRAGANA:Hiragana
    KATAKANA:Katakana CJK:Han IDEOGRAPHIC:Han KANGXI:Han BOPOMOFO:Han
    """
)
#: scripts written (practically) by one language
_SCRIPT_LANGUAGE = _table(
    """
    Greek:el Armenian:hy Hebrew:he Thaana:dv Bengali:bn Gurmukhi:pa Gujarati:gu Odia:or
    Tamil:ta Telugu:te Kannada:kn Malayalam:ml Sinhala:si Thai:th Lao:lo Tibetan:bo
    Myanmar:my Georgian:ka Hangul:ko Ethiopic:am Khmer:km Mongolian:mn Han:zh
    """
)
_SCRIPT_LANGUAGE[_KANA] = "ja"
#: scripts shared by several languages: the candidates for the models, the usual one first
_SCRIPT_CANDIDATES = {
    "Cyrillic": ("ru", "uk", "bg", "be", "sr", "mk", "kk", "ky", "mn", "tg", "tt", "ba"),
    "Arabic": ("ar", "fa", "ur", "ps", "ug", "ku"),
    "Devanagari": ("hi", "mr", "ne"),
}
#: letters that settle a Cyrillic language when the text is too short for the models
_CYRILLIC_MARKERS = (
    ("ґєії", "uk"),
    ("ў", "be"),
    ("ђћџљњ", "sr"),
    ("ѓќѕ", "mk"),
    ("ңөүқғұһ", "kk"),
    ("ыэё", "ru"),
)


@lru_cache(maxsize=16384)
def _script_of(ch: str) -> str | None:
    """Script of a letter; None for what is not a letter or in a script not told apart."""
    if not ch.isalpha():
        return None
    if ch < "\u0250":  # ASCII, Latin-1, Latin Extended-A and -B
        return _LATIN
    name = unicodedata.name(ch, "")
    first = name.split(" ", 1)[0].split("-", 1)[0]
    if first in ("FULLWIDTH", "HALFWIDTH"):
        first = next((w for w in ("LATIN", "KATAKANA", "HANGUL") if w in name), "")
    return _SCRIPT_WORDS.get(first)


def _count_scripts(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for ch, n in Counter(text).items():
        script = _script_of(ch)
        if script is not None:
            counts[script] += n
    return counts


# --- cleaning ---------------------------------------------------------------------------------
#
# One pass over the whitespace-separated tokens (regular expressions only for the rare tokens
# that need them): it is the bulk of the time of a call.

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: fullwidth, halfwidth and "mathematical" letters, which NFKC makes ordinary letters
_STYLED_RE = re.compile("[\uff21-\uff3a\uff41-\uff5a\uff66-\uff9f\U0001d400-\U0001d7ff]")
#: opening quotation marks and their closing ones (English, German, French, CJK)
_QUOTES = {
    '"': '"',
    "\u201c": "\u201d",
    "\u201e": "\u201c\u201d",
    "\u00ab": "\u00bb",
    "\u2039": "\u203a",
    "\u300c": "\u300d",
    "\u300e": "\u300f",
    "\u2018": "\u2019",
}
_QUOTE_CHARS = "'" + "".join(_QUOTES)
_QUOTE_RE = re.compile(
    f"(?=[{_QUOTE_CHARS}])(?:"
    + "|".join(f"{o}[^{c}\\n]{{1,300}}[{c}]" for o, c in _QUOTES.items() if o != "\u2018")
    + "|\u2018[^\u2019\\n]{1,300}\u2019(?!\\w)"  # not the apostrophe of "don\u2019t"
    # 'single quotes', not apostrophes: don't, 'Giovanni's iPhone'
    + r"|(?<!\w)'(?=\S)[^'\n]{0,300}?(?:\w'\w[^'\n]{0,300}?)*(?<=\S)'(?!\w))"
)
_APOSTROPHE = "\u2019"
#: punctuation around a word
_STRIP = (
    "\"'()[]{}<>.,;:!?*/\\|~^`=+#%&$-"
    + "".join(c for cs in _QUOTES.items() for c in cs)
    + "\u00a1\u00bf\u2026\u2010\u2013\u2014"  # ¡ ¿ … and dashes
    + "\u20ac\u00a3\u00a5\u20b9\u20bd"  # € £ ¥ ₹ ₽
    + "\u00a9\u00ae\u2122\u00b0\u00a7\u2022\u00b7"  # © ® ™ ° § • ·
)
_CLOSERS = "\"')]}*" + "".join(_QUOTES.values())
_SENTENCE_ENDS = (".", "!", "?", ":", ";", "\u3002", "\uff01", "\uff1f")
_ENDS_OR_CLOSERS = frozenset("".join(_SENTENCE_ENDS) + _CLOSERS)
#: what makes a token not language: a digit, underscore or @ (order numbers, SKUs, amounts,
#: e-mail addresses, handles), "://" or "x.y" (URLs, domains, file names)
_CODE_RE = re.compile(r"[\d_@]|://|\w\.[^\W\d_]")
#: a character of a Latin-script token (so that a number inside unspaced Chinese takes away
#: only itself): ASCII, Latin-1, Latin Extended, punctuation, currency signs, № and ™
_T = "[!-~\u00a0-\u024f\u2010-\u2044\u20a0-\u20bf\u2116\u2122]"
_CODE_IN_RE = re.compile(rf"(?<!{_T}){_T}*?(?:[\d_@]|://|\w\.[A-Za-z]){_T}*")
_WORD_RE = re.compile(rf"[^\W\d_]+(?:['{_APOSTROPHE}][^\W\d_]+)*")


def _words(text: str) -> list[tuple[str, bool]]:
    """The words of ``text`` that are language, each with whether it starts a sentence.

    Left out: tokens with a digit, underscore or @, URLs and domains, camelCase names (iPhone,
    TopTech), capitalised hyphenated names (Häagen-Dazs, Coca-Cola) and ALL-CAPS acronyms -
    unless the whole text is in capitals, which is shouting: then its words are lower-cased."""
    words: list[tuple[str, bool]] = []
    capitals: list[int] = []  # positions in words of the ALL-CAPS words
    for line in text.splitlines():
        initial = True
        for token in line.split():
            if token.isalpha() and token.islower():  # most tokens: a plain word
                words.append((token, initial))
                initial = False
                continue
            core = token.strip(_STRIP)
            if core.isalpha():
                parts: Sequence[str] = (core,)
            elif not core:
                parts = ()
            elif _CODE_RE.search(core):
                # a code; in unspaced scripts (Chinese) only the code itself goes
                parts = () if core.isascii() else _WORD_RE.findall(_CODE_IN_RE.sub(" ", core))
            else:
                parts = _WORD_RE.findall(core)  # don't, see-through, and/or, l'importo
                if "-" in core and any(part[:1].isupper() for part in parts):
                    parts = ()  # Häagen-Dazs, Coca-Cola, T-shirt
            for word in parts:
                if word.isupper() and len(word) > 1:
                    capitals.append(len(words))
                elif (rest := word[1:]) != rest.lower():
                    continue  # camelCase: iPhone, AirPods, McDonald
                words.append((word, initial))
                initial = False
            if token[-1] in _ENDS_OR_CLOSERS and token.rstrip(_CLOSERS).endswith(_SENTENCE_ENDS):
                initial = True
    if capitals:
        shouted = sum(len(words[i][0]) for i in capitals)
        if 2 * len(capitals) >= len(words) and shouted >= 2 * (
            sum(len(w) for w, _ in words) - shouted
        ):
            words = [(w.lower(), True) for w, _ in words]  # shouting: no word is a name
        else:
            dropped = set(capitals)
            words = [pair for i, pair in enumerate(words) if i not in dropped]
    return words


def _normalise(text: str) -> str:
    """``text`` capped, control characters blanked, styled letters made ordinary ones."""
    text = _CONTROL_RE.sub(" ", text[:MAX_CHARS])
    if not text.isascii() and _STYLED_RE.search(text):
        text = unicodedata.normalize("NFKC", text)
    return text


def _prepare(text: str) -> list[tuple[str, bool]]:
    """The words of ``text`` (normalised) that are language (see ``_words``); quoted passages
    (a product title, the seller's words) are left out when there are words around them."""
    if any(q in text for q in _QUOTE_CHARS):
        unquoted = _QUOTE_RE.sub(" ", text)
        if unquoted != text:
            words = _words(unquoted)
            if len(words) >= 2:
                return words
    return _words(text)


# --- look-alike letters -----------------------------------------------------------------------
#
# A word that mixes Latin letters with Cyrillic or Greek ones ("payment" typed with a Cyrillic
# a, U+0430; "Paypal" with a Greek capital rho, U+03A1) looks English but is not: people and
# searches read it wrong, and it is how filters are dodged. Such words are refused whatever
# the language of the text, each named with its odd letters, and left out of the language
# decision. So is a word made only of Cyrillic or Greek letters that look like Latin ones
# ("copy" in Cyrillic letters) between Latin words. A name wholly in another script (a Russian
# first name, a Chinese shop name) is not a disguised word: see ``language_problem``.
# Addresses and codes (URLs, e-mail addresses, domains, tokens with a digit or an underscore)
# are copied as they are, spoofed or not, and not looked at.

#: Greek and Cyrillic blocks (with Greek Extended and the Cyrillic supplements)
_CG = "\u0370-\u03ff\u0400-\u052f\u1c80-\u1c8f\u1f00-\u1fff\ua640-\ua69f"
#: Latin letters of the blocks that meet Greek and Cyrillic ones in a spoofed word
_L = "A-Za-z\u00c0-\u024f\u1e00-\u1eff"
_HAS_CG_RE = re.compile(f"[{_CG}]")
#: a Greek or Cyrillic letter next to a Latin one: how a mixed word is found (quickly in a
#: text of Latin letters, the Greek or Cyrillic ones first)
_TRANSITION_RE = re.compile(f"[{_CG}](?=[{_L}])|[{_CG}](?<=[{_L}][{_CG}])")
#: Cyrillic and Greek letters that print (practically) like a Latin letter
_LOOKALIKES = (
    "\u0430\u0441\u0435\u04bb\u0456\u0458\u04cf\u043e\u0440\u051b\u0455\u051d\u0445\u0443"
    "\u0501\u04af"  # Cyrillic a c e h i j l o p q s w x y d y
    "\u0410\u0412\u0421\u0415\u041d\u0406\u0408\u041a\u041c\u041e\u0420\u0405\u0422\u0425"
    "\u04ae\u051a\u051c\u04c0"  # Cyrillic A B C E H I J K M O P S T X Y Q W I
    "\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a5\u03a7"
    "\u03bf\u03bd\u03c1\u03c5\u03ba\u03b9"  # Greek A B E Z H I K M N O P T Y X, o v p u k i
)
#: a whole word (no letter next to it) made only of look-alike letters (a look-alike first, so
#: that the search skips quickly to one)
_LOOKALIKE_WORD_RE = re.compile(
    rf"[{_LOOKALIKES}](?<![^\W\d_][{_LOOKALIKES}])[{_LOOKALIKES}]*(?![^\W\d_])"
)
_LETTER_RE = re.compile(r"[^\W\d_]")
_TOKEN_RE = re.compile(r"\S+")
#: Greek letters that are symbols next to Latin ones: μm, kΩ, ΔT
_SYMBOLS = frozenset("\u03bc\u03a9\u0394")
_ALPHABETS = ("Latin", "Cyrillic", "Greek")
#: how many disguised words a message names, and the letters shown of each
DISGUISED_SHOWN = 10
ODD_LETTERS_SHOWN = 5
#: how much of a word or passage a message quotes, and how many passages it names
QUOTE_CHARS = 40
PASSAGES_SHOWN = 5


def _alphabets(word: str) -> Counter[str]:
    """How many of the letters of ``word`` are Latin, Cyrillic, Greek."""
    counts: Counter[str] = Counter()
    for ch in word:
        script = _script_of(ch)
        if script in _ALPHABETS:
            counts[script] += 1
    return counts


def _is_mixed(word: str) -> bool:
    """Whether ``word`` mixes Latin letters with Cyrillic or Greek ones (each part of a word
    with apostrophes on its own: a Cyrillic ending after an apostrophe is not a look-alike)."""
    for part in re.split("['\u2019]", word) if "'" in word or "\u2019" in word else (word,):
        scripts = _alphabets(part)
        if "Latin" in scripts and len(scripts) > 1:
            symbols = "Cyrillic" not in scripts and all(
                ch in _SYMBOLS for ch in part if _script_of(ch) == "Greek"
            )
            if not symbols:  # μm, kΩ, ΔT are symbols
                return True
    return False


def _mixed_words(text: str) -> list[tuple[int, str]]:
    """(position, word) of the words of ``text`` mixing Latin with Cyrillic or Greek letters."""
    if not _TRANSITION_RE.search(text):
        return []
    found = []
    for token in _TOKEN_RE.finditer(text):
        core = token.group()
        if core.isascii() or not _TRANSITION_RE.search(core) or _CODE_RE.search(core):
            continue
        for word in _WORD_RE.finditer(core):
            if _is_mixed(word.group()):
                found.append((token.start() + word.start(), word.group()))
    return found


def _near_letter(text: str, start: int, step: int) -> str | None:
    """The nearest letter from ``start`` on (``step`` 1) or before it (-1), within 64
    characters."""
    if step > 0:
        match = _LETTER_RE.search(text, start, start + 64)
        return match.group() if match else None
    return next((ch for ch in reversed(text[max(0, start - 64) : start]) if ch.isalpha()), None)


def _in_code(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is part of an address or code token (or of a token too long to
    be a word)."""
    left, low = start, max(0, start - 100)
    while left > low and not text[left - 1].isspace():
        left -= 1
    right, high = end, min(len(text), end + 100)
    while right < high and not text[right].isspace():
        right += 1
    if (left == low > 0 and not text[low - 1].isspace()) or (
        right == high and high < len(text) and not text[high].isspace()
    ):
        return True
    return _CODE_RE.search(text, left, right) is not None


def _lookalike_words(text: str) -> list[tuple[int, str]]:
    """(position, word) of the words of ``text`` made only of Cyrillic or Greek look-alikes of
    Latin letters, with Latin letters (and no others) around them: "I bought a copy" with a
    Cyrillic "a" and "copy". Such words in a row are judged together, by the letters around
    the row."""
    found: list[tuple[int, str]] = []
    rows: list[list[re.Match[str]]] = []
    for match in _LOOKALIKE_WORD_RE.finditer(text):
        if rows and not _LETTER_RE.search(text, rows[-1][-1].end(), match.start()):
            rows[-1].append(match)
        else:
            rows.append([match])
    for row in rows:
        start, end = row[0].start(), row[-1].end()
        sides = [ch for ch in (_near_letter(text, start, -1), _near_letter(text, end, 1)) if ch]
        if sides and all(_script_of(ch) == _LATIN for ch in sides):
            found += [(m.start(), m.group()) for m in row if not _in_code(text, *m.span())]
    return found


def _quote(text: str) -> str:
    return (
        "\u201c"
        + (text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "\u2026")
        + "\u201d"
    )


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _letters(chars: Sequence[str]) -> str:
    """The letters quoted, with their code points, the first ones only."""
    shown = [f"\u201c{ch}\u201d (U+{ord(ch):04X})" for ch in chars[:ODD_LETTERS_SHOWN]]
    if len(chars) > ODD_LETTERS_SHOWN:
        shown.append(f"{len(chars) - ODD_LETTERS_SHOWN} more")
    return _and(shown)


def _describe(word: str, base: str) -> str:
    """What is odd about a disguised word: "“payment” has a Cyrillic “a” (U+0430) among Latin
    letters" (with that Cyrillic letter). The letters of the alphabet ``base`` (the text's) are
    the right ones, or those of the word's main alphabet when it has none of them."""
    counts = _alphabets(word)
    if base not in counts:
        base = max(_ALPHABETS, key=lambda script: counts.get(script, 0))  # ties: Latin
    quoted = _quote(word)
    if len(counts) == 1:  # a look-alike word wholly in Cyrillic or Greek letters
        if len(word) == 1:
            return f"{quoted} is a {base} letter (U+{ord(word):04X}) that looks like a Latin one"
        chars = list(dict.fromkeys(word))
        return f"{quoted} is written in {base} letters that look like Latin ones: {_letters(chars)}"
    odd: dict[str, list[str]] = {}
    for ch in word:
        script = _script_of(ch)
        if script in _ALPHABETS and script != base and ch not in odd.setdefault(script, []):
            odd[script].append(ch)
    parts = [
        (f"a {script} " if len(chars) == 1 else f"{script} ") + _letters(chars)
        for script, chars in odd.items()
    ]
    return f"{quoted} has {_and(parts)} among {base} letters"


def _disguised_message(words: Sequence[str], base: str, latin_only: bool) -> str:
    phrases = [_describe(word, base) for word in words[:DISGUISED_SHOWN]]
    if len(words) > DISGUISED_SHOWN:
        phrases.append(f"and {len(words) - DISGUISED_SHOWN} more words like these")
    one = len(words) == 1
    head = (
        "The word "
        if one
        else "Some words are written with look-alike letters of another alphabet: "
    )
    fix = (
        f"Please retype {'it' if one else 'them'} in Latin letters only."
        if latin_only
        else f"Please retype {'it' if one else 'each of them'} in a single alphabet."
    )
    return head + "; ".join(phrases) + ". " + fix


#: frequent English grammar words that are not words of other Latin-script languages (nor
#: marketplace loanwords such as seller, refund, fake, order, which other languages borrow)
_EN_WORDS = frozenset(
    str.split(
        """
    the and you your yours they them their there this that these those with from have has had
    been were are be being it its it's i'm i've i'd i'll don't didn't doesn't can't won't
    isn't wasn't haven't hasn't couldn't wouldn't not but what when which who whom why how
    would could should because after before still just only very about please received
    receive got sent send paid bought buy asked never ever again any some our we're they're
    she him his than then into out without says said told since until
    """
    )
)


# --- models -----------------------------------------------------------------------------------

_identifier_lock = threading.Lock()
_identifier = None


def _langid_identifier():
    global _identifier
    if _identifier is None:
        with _identifier_lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


def warm_up() -> None:
    """Load the py3langid model now (about 0.7 s) rather than on the first text that needs it.

    Call it once per worker process at start-up (e.g. in ``AppConfig.ready``)."""
    _langid_identifier()


def _cld2(text: str) -> tuple[bool, list[tuple[str, int]]]:
    """pycld2's (reliable, [(code, percent), ...]), best first, unknown parts left out."""
    try:
        reliable, _, details = pycld2.detect(
            text[:CLD2_MAX_CHARS], isPlainText=True, bestEffort=True
        )
    except pycld2.error:
        return False, []
    found = [
        (_CLD2_CODES.get(code, code), int(percent))
        for _name, code, percent, _score in details
        if percent and code != "un" and not code.startswith(("xx", "zz"))
    ]
    return bool(reliable), found


#: py3langid labels folded into the language they belong to
_FOLD = {"pcm": "en", "nn": "no", "wuu": "zh", "yue": "zh", "ary": "ar", "arz": "ar"}


def _langid(text: str, top: int = 5) -> dict[str, float]:
    """py3langid's probabilities of its ``top`` languages."""
    probs: dict[str, float] = {}
    for code, prob in _langid_identifier().rank(text[:LANGID_MAX_CHARS])[:top]:
        code = _FOLD.get(code, code)
        probs[code] = probs.get(code, 0.0) + prob
    return probs


# --- analysis ---------------------------------------------------------------------------------

#: languages the models confuse with each other: agreement within a group is agreement
_RELATED = (
    frozenset({"id", "ms"}),
    frozenset({"nl", "af"}),
    frozenset({"hr", "bs", "sr"}),
    frozenset({"sv", "no", "da"}),
    frozenset({"es", "gl", "an", "ext"}),
    frozenset({"pt", "gl"}),
    frozenset({"cs", "sk"}),
    frozenset({"de", "lb"}),
    frozenset({"it", "vec", "lij"}),
    frozenset({"tr", "az", "crh", "tk"}),
)
#: when the models name two related languages, the one far more likely on a marketplace
_MAJOR = {"ms": "id", "af": "nl", "lb": "de", "an": "es", "ext": "es", "gl": "es"}


def _related(a: str, b: str) -> bool:
    return a == b or any(a in group and b in group for group in _RELATED)


@dataclass(frozen=True)
class _Latin:
    """What the models say about the Latin-script part of a text."""

    code: str  # best guess, "und" when none
    confident: bool  # the models agree firmly on ``code``
    support: dict[str, float] = field(default_factory=dict)  # how much each language is backed


@dataclass(frozen=True)
class _Analysis:
    finding: LanguageFinding
    short: bool = False  # too little text left to judge
    by_script: bool = False  # a non-Latin script decided
    latin: _Latin | None = None  # the models' view of the Latin part, when it was judged
    #: share of the letters in the main non-Latin script (0 when there is none)
    foreign_share: float = 0.0
    #: Latin-script words that count (names left out): with some, a text refused by script is
    #: partly in another language, and its passages in that script are named
    real_latin: int = 0
    words: Sequence[tuple[str, bool]] = ()  # the words judged, when they are to be named
    #: words mixing look-alike letters of several alphabets; None: not looked for yet, in
    #: ``text`` (normalised)
    disguised: tuple[str, ...] | None = ()
    text: str = ""


_UNKNOWN = LanguageFinding("und", "Unknown", _LATIN, False)
_ENGLISH = LanguageFinding("en", "English", _LATIN, True)


def _finding(code: str, script: str, reliable: bool) -> LanguageFinding:
    return LanguageFinding(code, language_name(code), script, reliable)


def _pick_in_script(text: str, script: str, letters: int) -> tuple[str, bool]:
    """The language among those written in a shared ``script``, and whether the models agree.

    With fewer than ``MIN_LETTERS`` letters the models guess at random: tell-tale letters
    decide, else the script's usual language."""
    candidates = _SCRIPT_CANDIDATES[script]
    if letters < MIN_LETTERS:
        if script == "Cyrillic":
            lower = text.lower()
            for marks, code in _CYRILLIC_MARKERS:
                if any(ch in lower for ch in marks):
                    return code, False
        return candidates[0], False
    reliable, cld = _cld2(text)
    for code, percent in cld:
        if code in candidates:
            return code, reliable and percent >= CLD2_MIN_PERCENT
    for code, prob in _langid(text, top=20).items():
        if code in candidates:
            return code, prob >= LANGID_CONFIRM
    return candidates[0], False


def _judge_latin(text: str, words: int, en_hits: int) -> _Latin:
    """pycld2 first, py3langid as a second opinion, on ``words`` words of Latin-script text."""
    reliable, cld = _cld2(text)
    if cld and words >= LONG_WORDS:
        code, percent = cld[0]
        support = {other: other_percent / 100 for other, other_percent in cld}
        return _Latin(code, reliable and percent >= CLD2_MIN_PERCENT, support)
    probs = _langid(text)
    best_id, best_prob = max(probs.items(), key=lambda kv: kv[1], default=("und", 0.0))
    if not cld:
        return _Latin(best_id, best_prob >= LANGID_ALONE and not en_hits, probs)

    code, percent = cld[0]
    support = dict(probs)
    for other, other_percent in cld:
        support[other] = max(support.get(other, 0.0), other_percent / 100)
    confirm = sum(p for c, p in probs.items() if _related(c, code))
    confident = reliable and percent >= CLD2_MIN_PERCENT and confirm >= LANGID_CONFIRM
    if (
        not confident
        and not en_hits
        and best_prob >= LANGID_OVERRIDE
        and not any(_related(best_id, other) for other, _ in cld)
    ):
        # pycld2 misled by international words ("Article non conforme à la description" read
        # as English): py3langid wins when no English grammar word contradicts it
        return _Latin(best_id, True, probs)
    if code in _MAJOR and code != best_id and _related(code, best_id):
        code = _MAJOR[code] if best_id in _MAJOR else best_id  # e.g. Malay or Indonesian
    return _Latin(code, confident, support)


def _analyse(text: str) -> _Analysis:
    """The analysis of ``text``: its language, and its disguised words (see "look-alike
    letters"), which are left out of the language decision. In a text mostly in Cyrillic or
    Greek letters they are looked for only when needed (see ``language_problem``)."""
    text = _normalise(text or "")
    words = _prepare(text)
    analysis = _judge(words)
    if text.isascii() or not _HAS_CG_RE.search(text):
        return analysis
    if analysis.foreign_share >= SCRIPT_SHARE:
        return dataclasses.replace(analysis, disguised=None, text=text)
    disguised = _disguised_words(text)
    if not disguised:
        return analysis
    found = set(disguised) | {word.lower() for word in disguised}  # shouting is lower-cased
    words = [(w, i) for w, i in words if w not in found and (w.isascii() or not _is_mixed(w))]
    return dataclasses.replace(_judge(words), disguised=disguised)


def _disguised_words(text: str) -> tuple[str, ...]:
    """The words of ``text`` (normalised) mixing alphabets or disguised as Latin ones, each
    once, in order."""
    found = sorted(_mixed_words(text) + _lookalike_words(text))
    return tuple(dict.fromkeys(word for _, word in found))


def _judge(words: list[tuple[str, bool]]) -> _Analysis:
    """The language of a text, from its words (see ``_prepare``)."""
    if not words:
        return _Analysis(_UNKNOWN, short=True)
    cleaned = " ".join(w for w, _ in words)

    if cleaned.isascii():
        letters = latin = len(cleaned) - len(words) + 1
        foreign = foreign_words = 0
        latin_pairs = words
        dominant, dominant_n = "", 0
    else:
        scripts = _count_scripts(cleaned)
        # Han and Kana are one writing system: Japanese when there is Kana in it
        kana = scripts.pop("Hiragana", 0) + scripts.pop("Katakana", 0)
        if kana:
            han_kana = scripts.pop("Han", 0) + kana
            scripts[_KANA if kana * 10 >= han_kana else "Han"] = han_kana
        letters = sum(scripts.values())
        latin = scripts.pop(_LATIN, 0)
        foreign = letters - latin
        dominant, dominant_n = max(scripts.items(), key=lambda kv: kv[1], default=("", 0))
        latin_pairs = [(w, i) for w, i in words if w.isascii() or _script_of(w[0]) == _LATIN]
        foreign_words = len(words) - len(latin_pairs)
        if dominant in ("Han", _KANA):
            foreign_words = max(foreign_words, dominant_n // 2)  # no spaces between words
    if not letters:
        return _Analysis(_UNKNOWN, short=True)

    def by_script(reliable: bool) -> LanguageFinding:
        if dominant in _SCRIPT_LANGUAGE:
            return _finding(_SCRIPT_LANGUAGE[dominant], dominant, reliable)
        if dominant in _SCRIPT_CANDIDATES:
            code, sure = _pick_in_script(cleaned, dominant, dominant_n)
            return _finding(code, dominant, reliable and sure)
        return _finding("und", dominant, reliable)

    share = dominant_n / letters
    # capitalised words inside a sentence are mostly names: not words to judge ("I" is)
    real = [w for w, initial in latin_pairs if initial or not w[0].isupper() or w == "I"]
    if dominant_n >= SCRIPT_SHARE * letters:
        # reliable unless the Latin part is more than a few product names
        finding = by_script(dominant_n >= 2 * latin)
        return _Analysis(
            finding, by_script=True, foreign_share=share, real_latin=len(real), words=words
        )

    lowered = " ".join(w for w, _ in latin_pairs).lower().replace(_APOSTROPHE, "'").split()
    en_hits = sum(map(_EN_WORDS.__contains__, lowered))
    plain_english = en_hits >= EN_WORD_MIN and en_hits >= EN_WORD_SHARE * len(latin_pairs)
    enough = len(real) >= MIN_WORDS and sum(map(len, real)) >= MIN_LETTERS

    if foreign >= MIXED_SHARE * letters and foreign_words >= 2 and not plain_english:
        # mixed, not plainly English: the non-Latin script decides unless the Latin part is
        # confidently in an allowed language (see language_problem)
        view = _judge_latin(" ".join(real), len(real), en_hits) if enough else None
        return _Analysis(
            by_script(False),
            by_script=True,
            latin=view,
            foreign_share=share,
            real_latin=len(real),
            words=words,
        )
    if plain_english:
        return _Analysis(_ENGLISH, latin=_Latin("en", True, {"en": 1.0}), foreign_share=share)
    if not enough:
        return _Analysis(_UNKNOWN, short=True, foreign_share=share)
    view = _judge_latin(" ".join(real), len(real), en_hits)
    return _Analysis(_finding(view.code, _LATIN, view.confident), latin=view, foreign_share=share)


# --- public API -------------------------------------------------------------------------------


def detect_language(text: str) -> LanguageFinding:
    """The language ``text`` seems to be written in; ``code`` "und" when too little is left."""
    return _analyse(text).finding


def language_problem(text: str, allowed: Sequence[str]) -> LanguageProblem | None:
    """None when ``text`` is acceptable under a policy allowing the ISO 639-1 codes
    ``allowed`` (empty: English), else the problem, whose message names what was found and
    what to change.

    - A text in another language or script is refused naming the language found. When it is
      partly in Latin script (some Latin words that are not names), the message also names
      its passages in the other script, so that the writer knows what to translate.
    - A name or short passage in another script inside a text in an allowed language
      (``the seller Тихон wrote``, ``from 小米之家 in Shenzhen``) is accepted, as long as the
      allowed language is plainly the text's (the thresholds above); when there is so much of
      the other script that the text is refused, that refusal names those words.
    - Words mixing look-alike letters of several alphabets (``payment`` with a Cyrillic "a"),
      or disguised as Latin words, are refused in any text that is not refused as a whole,
      each named with its odd letters; they do not count for the language."""
    codes = tuple(dict.fromkeys(_base_code(c) for c in allowed if c.strip())) or ("en",)
    analysis = _analyse(text)
    problem = _language_problem(analysis, codes)
    disguised = analysis.disguised
    if disguised is None:  # a text mostly in Cyrillic or Greek letters
        wholly = problem is not None and not problem.words
        disguised = () if wholly else _disguised_words(analysis.text)
    if not disguised:
        return problem
    finding = analysis.finding
    if analysis.short:  # little else to go by: the main alphabet of these words together
        counts = _alphabets("".join(disguised))
        base = max(_ALPHABETS, key=lambda script: counts.get(script, 0))
    else:
        base = _LATIN if analysis.foreign_share < SCRIPT_SHARE else finding.script
    message = _disguised_message(disguised, base, _latin_only(codes) and base == _LATIN)
    if problem is None:
        return LanguageProblem(_code(codes), message, finding, disguised)
    if not problem.words:
        return problem  # wholly in another language: that is what to change first
    return dataclasses.replace(
        problem, message=f"{problem.message} {message}", words=problem.words + disguised
    )


def _language_problem(analysis: _Analysis, codes: tuple[str, ...]) -> LanguageProblem | None:
    finding, view = analysis.finding, analysis.latin
    if analysis.short or finding.code in codes:
        return None
    if analysis.by_script:
        if view is not None and view.confident and view.code in codes:
            return None  # an allowed language quoting a foreign name or phrase
        if not finding.reliable and set(_SCRIPT_CANDIDATES.get(finding.script, ())) & set(codes):
            return None  # e.g. Cyrillic under a policy allowing Ukrainian, language unsure
        if analysis.real_latin:
            return _problem(finding, codes, _passages(analysis.words))
        return _problem(finding, codes)
    if view is None or not view.confident:
        return None
    if any(view.support.get(code, 0.0) >= ALLOWED_SUPPORT for code in codes):
        return None  # an allowed language has a fair share: mixed, or the models hesitate
    return _problem(finding, codes)


def _base_code(code: str) -> str:
    """ "en-US", "EN", "pt_BR" -> "en", "en", "pt"."""
    return code.strip().lower().replace("_", "-").split("-")[0]


def _code(allowed: tuple[str, ...]) -> str:
    return "language_not_english" if allowed == ("en",) else "language_not_allowed"


def _latin_only(allowed: tuple[str, ...]) -> bool:
    """Whether every allowed language is written in Latin letters (as far as told here)."""
    return not any(code == "el" or code in _SCRIPT_CANDIDATES["Cyrillic"] for code in allowed)


def _passages(words: Sequence[tuple[str, bool]]) -> tuple[str, ...]:
    """The runs of words of ``words`` that are not in Latin script, each once, in order."""
    runs: list[str] = []
    run: list[str] = []
    for word, _ in words:
        if word.isascii() or _script_of(word[0]) == _LATIN:
            if run:
                runs.append(" ".join(run))
                run = []
        else:
            run.append(word)
    if run:
        runs.append(" ".join(run))
    return tuple(dict.fromkeys(runs))


def _problem(
    finding: LanguageFinding, allowed: tuple[str, ...], passages: tuple[str, ...] = ()
) -> LanguageProblem:
    partly = "partly " if passages else ""
    if finding.code == "und":
        found = f"{partly}written in the {finding.script} script"
    elif finding.script != _LATIN:
        found = f"{partly}in {finding.name} ({finding.script} script)"
    else:
        found = f"{partly}in {finding.name}"
    names = [language_name(code) for code in allowed]
    wanted = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    if not passages:
        return LanguageProblem(
            _code(allowed),
            f"This text seems to be {found}. Please write it in {wanted}; "
            "an online translator can help.",
            finding,
        )
    shown = [_quote(passage) for passage in passages[:PASSAGES_SHOWN]]
    if len(passages) > PASSAGES_SHOWN:
        shown.append(f"{len(passages) - PASSAGES_SHOWN} more")
    these = "this" if len(passages) == 1 else "these"
    names_too = ", or write a name in Latin letters" if _latin_only(allowed) else ""
    return LanguageProblem(
        _code(allowed),
        f"This text seems to be {found}: {_and(shown)}. Please write it in {wanted}: "
        f"translate {these}{names_too}; an online translator can help.",
        finding,
        passages,
    )

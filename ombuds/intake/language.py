"""Content-language check for free-text fields of a complaint.

Pure Python (no Django). The decision is made in this order:

1. Clean: take out what is not language - URLs, e-mail addresses, @handles, every token with a
   digit (order numbers, SKUs, tracking numbers, amounts, sizes), tokens with underscores,
   ALL-CAPS acronyms, camelCase brand names (iPhone, AirPods) and hyphenated brand names
   (Häagen-Dazs). A text written entirely in capitals is lower-cased instead.
2. Script: count the letters per Unicode script. When at least ``SCRIPT_SHARE`` of them are in
   one non-Latin script (Cyrillic, Han, Arabic...), the script decides: single-language scripts
   name their language, shared scripts (Cyrillic, Arabic, Devanagari) ask the models which of
   the languages written in that script it is. Between ``MIXED_SHARE`` and ``SCRIPT_SHARE`` the
   text is mixed and is only accepted when its Latin part is plainly English. Below
   ``MIXED_SHARE`` the foreign letters are a quoted word or a brand name and are ignored.
3. Latin script: too little left to judge (< ``MIN_WORDS`` words or < ``MIN_LETTERS`` letters)
   is accepted. Plain English function words accept the text. Otherwise pycld2 decides, with
   py3langid as a second opinion; a text is refused only when the models reliably agree on a
   language that the policy does not allow.

It is tuned to never refuse short English full of product names and numbers
(``tests/intake/language_corpus.py``) and to name the language it refuses.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
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

# --- thresholds (tuned on tests/intake/language_corpus.py) ---------------------------------
#: share of letters in one non-Latin script from which that script decides the language
SCRIPT_SHARE = 0.5
#: share of non-Latin letters from which a text counts as mixed (foreign unless plainly English)
MIXED_SHARE = 0.2
#: below this many words or letters (after cleaning) a Latin text is too short to judge
MIN_WORDS = 3
MIN_LETTERS = 15
#: English function words that make a text plainly English (share of Latin words, and count)
EN_WORD_SHARE = 0.18
EN_WORD_MIN = 2
#: pycld2: least share (percent) of the text given to the language refused
CLD2_MIN_PERCENT = 60
#: py3langid: probability of the same language that confirms pycld2, and that alone suffices
LANGID_CONFIRM = 0.5
LANGID_ALONE = 0.995
#: an allowed language with at least this pycld2 share / py3langid probability is accepted
ALLOWED_PERCENT = 30
ALLOWED_PROB = 0.2
#: model input caps (characters); the script count always covers the whole text
CLD2_MAX_CHARS = 4000
LANGID_MAX_CHARS = 1000


@dataclass(frozen=True)
class LanguageFinding:
    """What a text seems to be written in."""

    code: str  # ISO 639-1 ("ru"), or "und" when unknown
    name: str  # English name ("Russian"), "Unknown" for "und"
    script: str  # dominant non-Latin script ("Cyrillic", "Han"...), else "Latin"
    reliable: bool


@dataclass(frozen=True)
class LanguageProblem:
    """Why a text is refused: ``code`` is ``language_not_english`` or ``language_not_allowed``."""

    code: str
    message: str
    finding: LanguageFinding


# --- language names ---------------------------------------------------------------------------

_NAMES = {
    "af": "Afrikaans", "am": "Amharic", "ar": "Arabic", "az": "Azerbaijani", "ba": "Bashkir",
    "be": "Belarusian", "bg": "Bulgarian", "bn": "Bengali", "bo": "Tibetan", "bs": "Bosnian",
    "ca": "Catalan", "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German",
    "dv": "Dhivehi", "el": "Greek", "en": "English", "eo": "Esperanto", "es": "Spanish",
    "et": "Estonian", "eu": "Basque", "fa": "Persian", "fi": "Finnish", "fil": "Filipino",
    "fr": "French", "ga": "Irish", "gl": "Galician", "gu": "Gujarati", "he": "Hebrew",
    "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "hy": "Armenian", "id": "Indonesian",
    "is": "Icelandic", "it": "Italian", "ja": "Japanese", "jv": "Javanese", "ka": "Georgian",
    "kk": "Kazakh", "km": "Khmer", "kn": "Kannada", "ko": "Korean", "ku": "Kurdish",
    "ky": "Kyrgyz", "la": "Latin", "lo": "Lao", "lt": "Lithuanian", "lv": "Latvian",
    "mk": "Macedonian", "ml": "Malayalam", "mn": "Mongolian", "mr": "Marathi", "ms": "Malay",
    "mt": "Maltese", "my": "Burmese", "ne": "Nepali", "nl": "Dutch", "no": "Norwegian",
    "or": "Odia", "pa": "Punjabi", "pl": "Polish", "ps": "Pashto", "pt": "Portuguese",
    "ro": "Romanian", "ru": "Russian", "si": "Sinhala", "sk": "Slovak", "sl": "Slovenian",
    "sq": "Albanian", "sr": "Serbian", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil",
    "te": "Telugu", "tg": "Tajik", "th": "Thai", "tk": "Turkmen", "tl": "Tagalog",
    "tr": "Turkish", "tt": "Tatar", "ug": "Uyghur", "uk": "Ukrainian", "ur": "Urdu",
    "uz": "Uzbek", "vi": "Vietnamese", "yi": "Yiddish", "zh": "Chinese", "und": "Unknown",
}  # fmt: skip

#: pycld2 codes that are not the ISO 639-1 code
_CLD2_CODES = {"iw": "he", "zh-Hant": "zh", "jw": "jv", "sr-ME": "sr", "nb": "no", "tl": "tl"}


def language_name(code: str) -> str:
    """English name of an ISO 639-1 code ("ru" -> "Russian"); the code itself if unknown."""
    return _NAMES.get(code, code)


# --- scripts ----------------------------------------------------------------------------------

_LATIN = "Latin"
_KANA = "Kanji/Kana"  # the script reported for Japanese
#: first word of a Unicode character name -> script, for the scripts we tell apart
_SCRIPT_WORDS = {
    "LATIN": _LATIN, "CYRILLIC": "Cyrillic", "GREEK": "Greek", "ARMENIAN": "Armenian",
    "HEBREW": "Hebrew", "ARABIC": "Arabic", "SYRIAC": "Syriac", "THAANA": "Thaana",
    "DEVANAGARI": "Devanagari", "BENGALI": "Bengali", "GURMUKHI": "Gurmukhi",
    "GUJARATI": "Gujarati", "ORIYA": "Odia", "TAMIL": "Tamil", "TELUGU": "Telugu",
    "KANNADA": "Kannada", "MALAYALAM": "Malayalam", "SINHALA": "Sinhala", "THAI": "Thai",
    "LAO": "Lao", "TIBETAN": "Tibetan", "MYANMAR": "Myanmar", "GEORGIAN": "Georgian",
    "HANGUL": "Hangul", "ETHIOPIC": "Ethiopic", "KHMER": "Khmer", "MONGOLIAN": "Mongolian",
    "HIRAGANA": "Hiragana", "KATAKANA": "Katakana", "CJK": "Han", "IDEOGRAPHIC": "Han",
    "BOPOMOFO": "Han", "KANGXI": "Han", "FULLWIDTH": _LATIN, "HALFWIDTH": "Katakana",
}  # fmt: skip
#: scripts written (practically) by one language
_SCRIPT_LANGUAGE = {
    "Greek": "el", "Armenian": "hy", "Hebrew": "he", "Thaana": "dv", "Bengali": "bn",
    "Gurmukhi": "pa", "Gujarati": "gu", "Odia": "or", "Tamil": "ta", "Telugu": "te",
    "Kannada": "kn", "Malayalam": "ml", "Sinhala": "si", "Thai": "th", "Lao": "lo",
    "Tibetan": "bo", "Myanmar": "my", "Georgian": "ka", "Hangul": "ko", "Ethiopic": "am",
    "Khmer": "km", "Mongolian": "mn", "Han": "zh", _KANA: "ja",
}  # fmt: skip
#: scripts shared by several languages: candidates (the first is the default) for the models
_SCRIPT_CANDIDATES = {
    "Cyrillic": ("ru", "uk", "bg", "be", "sr", "mk", "kk", "ky", "mn", "tg", "tt", "ba"),
    "Arabic": ("ar", "fa", "ur", "ps", "ug", "ku"),
    "Devanagari": ("hi", "mr", "ne"),
    "Syriac": ("und",),
}
#: letters that settle a Cyrillic language when the models cannot (short texts)
_CYRILLIC_MARKERS = (("ґєії", "uk"), ("ў", "be"), ("ђћџљњ", "sr"), ("ѓќѕ", "mk"), ("ңөүқғұһ", "kk"))


@lru_cache(maxsize=8192)
def _script_of(ch: str) -> str | None:
    """Script of a letter, None for what is not a letter or in a script we do not track."""
    if not ch.isalpha():
        return None
    if ch < "\u0250":  # ASCII, Latin-1, Latin Extended-A/B
        return _LATIN
    name = unicodedata.name(ch, "")
    first = name.split(" ", 1)[0].split("-", 1)[0]
    script = _SCRIPT_WORDS.get(first)
    if script == "Katakana" and first == "HALFWIDTH":
        script = "Hangul" if "HANGUL" in name else "Katakana"
    if script is _LATIN and first == "FULLWIDTH" and "LATIN" not in name:
        return None
    return script


def _count_scripts(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for ch, n in Counter(text).items():
        script = _script_of(ch)
        if script is not None:
            counts[script] += n
    return counts


# --- cleaning ---------------------------------------------------------------------------------

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_URL_RE = re.compile(
    r"(?:https?|ftp)://[!-~]+|\bwww\.[!-~]+"
    r"|[!-~]+@[!-~]+"  # e-mail addresses (and anything else with an @ inside)
    r"|(?<!\w)@\w[\w.]*"  # @handles
    r"|\b(?:[A-Za-z0-9-]+\.)+(?:com|net|org|info|biz|io|co|shop|store|example|[a-z]{2})"
    r"(?:/[!-~]*)?(?!\w)",  # bare domains (market.example/p/1, consumer.huawei.com)
    re.IGNORECASE,
)
#: a character of a Latin-script token (so that a digit in unspaced Chinese takes only itself)
_TOKEN = "[!-~\u00a0-\u024f\u2010-\u2044\u20a0-\u20bf\u2116\u2122]"
_CODE_RE = re.compile(
    rf"{_TOKEN}*[\d_]{_TOKEN}*"  # anything with a digit or an underscore: numbers, SKUs, amounts, handles
    r"|\b[A-Za-z]*[a-z][A-Z]\w*"  # camelCase brand names: iPhone, AirPods, TopTech
    r"|\b\w+(?:-\w+)*-[A-Z]\w*(?:-\w+)*"  # hyphenated names: Häagen-Dazs, Wi-Fi, Coca-Cola
    r"|\b[A-Z]\w*-\w+(?:-\w+)*"  # capitalised compounds: HD-ICM, Mercedes-Benz
)
_ACRONYM_RE = re.compile(r"\b[A-ZÀ-ÖØ-Þ]{2,}\b")
_UPPER_RE = re.compile(r"[A-ZÀ-ÖØ-ÞА-ЯЁ]")
_LOWER_RE = re.compile(r"[a-zß-öø-ÿа-яё]")
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_SPACES_RE = re.compile(r"\s+")


def _clean(text: str) -> str:
    """The text without what is not language (see the module docstring)."""
    text = _CONTROL_RE.sub(" ", text)
    text = _URL_RE.sub(" ", text)
    text = _CODE_RE.sub(" ", text)
    upper = len(_UPPER_RE.findall(text))
    if upper and upper >= 2 * len(_LOWER_RE.findall(text)):
        text = text.lower()  # shouting: keep the words, they are not acronyms
    else:
        text = _ACRONYM_RE.sub(" ", text)
    return _SPACES_RE.sub(" ", text).strip()


# --- English function words -------------------------------------------------------------------

#: frequent English words that are not (frequent) words of other Latin-script languages
_EN_WORDS = frozenset(
    """
    the and you your yours they them their there this that these those with for from have has
    had been were are be being is it its it's i'm i've i'd i'll don't didn't doesn't can't
    won't isn't wasn't haven't hasn't couldn't wouldn't not but what when which who whom why
    how would could should because after before still just only also very about please
    received receive got sent send paid pay bought buy asked ask never ever again any some
    our we're they're he she her him his seller sellers item items order ordered refund
    delivered delivery package parcel money back broken wrong fake arrived shipped
    shipping listing described description new used same other than then into out up over
    without answer reply says said told tell since until
    """.split()
)


# --- models -----------------------------------------------------------------------------------

_langid_lock = threading.Lock()
_langid = None


def _langid_identifier():
    global _langid
    if _langid is None:
        with _langid_lock:
            if _langid is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                _langid = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _langid


def warm_up() -> None:
    """Load the py3langid model now (about 0.7 s) rather than on the first doubtful text."""
    _langid_identifier()


def _cld2(text: str) -> tuple[bool, list[tuple[str, int]]]:
    """(reliable, [(code, percent)...]) from pycld2, best first; unknown parts left out."""
    try:
        reliable, _, details = pycld2.detect(
            text[:CLD2_MAX_CHARS], isPlainText=True, bestEffort=True
        )
    except pycld2.error:
        return False, []
    found = []
    for _name, code, percent, _score in details:
        if code in ("un", "xxx") or code.startswith(("xx-", "zz")) or not percent:
            continue
        found.append((_CLD2_CODES.get(code, code), int(percent)))
    return bool(reliable), found


def _langid_rank(text: str) -> list[tuple[str, float]]:
    """py3langid probabilities, best first."""
    return _langid_identifier().rank(text[:LANGID_MAX_CHARS])


# --- analysis ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Analysis:
    finding: LanguageFinding
    short: bool = False  # too little text left to judge
    by_script: bool = False  # a non-Latin script decided
    mixed: bool = False  # a notable share of non-Latin letters in a Latin text
    plain_english: bool = False  # English function words throughout
    confident: bool = False  # the models agree firmly on finding.code
    allowed_support: tuple[tuple[str, float], ...] = ()  # (code, support 0..1) per language


_UNKNOWN_LATIN = LanguageFinding("und", "Unknown", _LATIN, False)


def _finding(code: str, script: str, reliable: bool) -> LanguageFinding:
    return LanguageFinding(code, language_name(code), script, reliable)


def _pick_in_script(text: str, script: str) -> tuple[str, bool]:
    """The language among those written in ``script`` (shared scripts), and whether sure."""
    candidates = _SCRIPT_CANDIDATES[script]
    reliable, cld = _cld2(text)
    for code, percent in cld:
        if code in candidates:
            return code, reliable and percent >= CLD2_MIN_PERCENT
    if script == "Cyrillic":
        lower = text.lower()
        for letters, code in _CYRILLIC_MARKERS:
            if any(ch in lower for ch in letters):
                return code, False
    for code, prob in _langid_rank(text):
        if code in candidates:
            return code, prob >= LANGID_CONFIRM
    return candidates[0], False


def _support(cld: list[tuple[str, int]], rank: list[tuple[str, float]]) -> dict[str, float]:
    """Per language, the larger of its pycld2 share (0..1) and its py3langid probability."""
    support: dict[str, float] = {}
    for code, percent in cld:
        support[code] = max(support.get(code, 0.0), percent / 100)
    for code, prob in rank[:5]:
        support[code] = max(support.get(code, 0.0), prob)
    return support


def _analyse(text: str) -> _Analysis:
    cleaned = _clean(text or "")
    scripts = _count_scripts(cleaned)
    letters = sum(scripts.values())
    if not letters:
        return _Analysis(_UNKNOWN_LATIN, short=True)

    # Han and Kana together are one writing system: Japanese when there is Kana in it
    kana = scripts.pop("Hiragana", 0) + scripts.pop("Katakana", 0)
    if kana:
        han = scripts.pop("Han", 0)
        group = han + kana
        scripts[_KANA if kana * 10 >= group else "Han"] = group
    latin = scripts.get(_LATIN, 0)
    foreign = letters - latin
    dominant, dominant_n = max(
        ((s, n) for s, n in scripts.items() if s != _LATIN), key=lambda sn: sn[1], default=("", 0)
    )

    if dominant_n >= SCRIPT_SHARE * letters:
        sure = dominant_n >= 2 * latin  # the Latin part is at most a few product names
        if dominant in _SCRIPT_LANGUAGE:
            code = _SCRIPT_LANGUAGE[dominant]
        elif dominant in _SCRIPT_CANDIDATES:
            code, model_sure = _pick_in_script(cleaned, dominant)
            sure = sure and model_sure
        else:
            code = "und"
        return _Analysis(_finding(code, dominant, sure), by_script=True, confident=True)

    words = _WORD_RE.findall(cleaned)
    latin_words = [w.lower() for w in words if _script_of(w[0]) == _LATIN]
    en_hits = sum(1 for w in latin_words if w.replace("’", "'") in _EN_WORDS)
    plain_english = en_hits >= EN_WORD_MIN and en_hits >= EN_WORD_SHARE * len(latin_words)
    mixed = foreign >= MIXED_SHARE * letters

    if mixed and not plain_english:
        # a mixed text that is not plainly English: the foreign script decides, unsure
        if dominant in _SCRIPT_LANGUAGE:
            code = _SCRIPT_LANGUAGE[dominant]
        elif dominant in _SCRIPT_CANDIDATES:
            code, _ = _pick_in_script(cleaned, dominant)
        else:
            code = "und"
        return _Analysis(_finding(code, dominant, False), by_script=True, mixed=True)

    if len(latin_words) < MIN_WORDS or latin < MIN_LETTERS:
        return _Analysis(_UNKNOWN_LATIN, short=True, plain_english=plain_english)

    latin_text = cleaned
    if foreign:  # the models judge the Latin part; the foreign letters were a name or a quote
        latin_text = " ".join(w for w in words if _script_of(w[0]) == _LATIN)
    reliable, cld = _cld2(latin_text)
    rank = _langid_rank(latin_text)
    support = _support(cld, rank)
    best_cld, best_percent = cld[0] if cld else ("und", 0)
    best_id, best_prob = rank[0] if rank else ("und", 0.0)

    if best_cld != "und":
        id_prob = support_langid = dict(rank[:5]).get(best_cld, 0.0)
        del support_langid
        confident = (
            reliable
            and best_percent >= CLD2_MIN_PERCENT
            and (id_prob >= LANGID_CONFIRM or _related(best_cld, best_id))
        )
        code = best_cld
        if _related(best_cld, best_id) and best_cld in ("ms", "id"):
            code = "id" if "id" in (best_cld, best_id) else best_cld
    else:
        confident = best_prob >= LANGID_ALONE
        code = best_id
    finding = _finding(code, _LATIN, confident)
    return _Analysis(
        finding,
        mixed=mixed,
        plain_english=plain_english,
        confident=confident,
        allowed_support=tuple(support.items()),
    )


#: pairs of languages the models confuse with each other; agreement within a pair counts
_RELATED = (
    frozenset({"id", "ms"}),
    frozenset({"hr", "bs", "sr"}),
    frozenset({"no", "da", "nn"}),
    frozenset({"es", "gl"}),
    frozenset({"pt", "gl"}),
    frozenset({"cs", "sk"}),
)


def _related(a: str, b: str) -> bool:
    return a == b or any(a in group and b in group for group in _RELATED)


# --- public API -------------------------------------------------------------------------------


def detect_language(text: str) -> LanguageFinding:
    """The language ``text`` seems to be written in (``code`` "und" when there is too little)."""
    return _analyse(text).finding


def _normalise(allowed: Sequence[str]) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(c.strip().lower().split("-")[0] for c in allowed if c.strip()))
    return codes or ("en",)


def _join_names(codes: Sequence[str]) -> str:
    names = [language_name(c) for c in codes]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " or " + names[-1]


def language_problem(text: str, allowed: Sequence[str]) -> LanguageProblem | None:
    """None when ``text`` is acceptable under a policy allowing ``allowed`` (ISO 639-1 codes),
    else the problem with a message that names what was found and what to write in."""
    allowed = _normalise(allowed)
    analysis = _analyse(text)
    finding = analysis.finding
    if finding.code in allowed:
        return None
    if analysis.by_script:
        if not finding.reliable and any(
            c in _SCRIPT_CANDIDATES.get(finding.script, ()) for c in allowed
        ):
            return None  # e.g. Cyrillic under a policy allowing Ukrainian, language unsure
    else:
        if analysis.short:
            return None
        if analysis.plain_english and "en" in allowed:
            return None
        support = dict(analysis.allowed_support)
        if any(support.get(c, 0.0) >= _allowed_threshold(c, support) for c in allowed):
            return None
        if not analysis.confident:
            return None
    return _problem(finding, allowed)


def _allowed_threshold(code: str, support: dict[str, float]) -> float:
    return ALLOWED_PROB if code != "en" else ALLOWED_PERCENT / 100


def _problem(finding: LanguageFinding, allowed: tuple[str, ...]) -> LanguageProblem:
    if finding.code == "und":
        found = f"written in the {finding.script} script"
    elif finding.script != _LATIN:
        found = f"in {finding.name} ({finding.script} script)"
    else:
        found = f"in {finding.name}"
    wanted = _join_names(allowed)
    code = "language_not_english" if allowed == ("en",) else "language_not_allowed"
    message = (
        f"This text seems to be {found}. Please write it in {wanted}; "
        "an online translator can help."
    )
    return LanguageProblem(code, message, finding)

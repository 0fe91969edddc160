"""Evidence inspection: what an uploaded file really is, and whether the platform may keep it.

Everything uploaded as evidence is shown to both parties and to agents, so a file is accepted
only when its *content* is one of the formats the complaint type allows, it is within the size
limits, and it hides nothing that another program could run or unpack. Names are never trusted:
they only decide the `safe_name` the file is stored and offered under.

How the format is decided
-------------------------
libmagic (python-magic) names the content; a structural check then confirms it, because
libmagic alone accepts a plain zip renamed .docx and calls an email that starts with
`MIME-Version:` plain text:

- PDF, JPEG, PNG, GIF, WebP, RAR 4/5: their signature at offset 0, and libmagic agreeing;
- .docx / .xlsx: a zip whose `[Content_Types].xml` declares the Word / Excel main part
  (under `word/` / `xl/`), and that part exists; a plain zip stays a zip;
- .doc / .xls / .msg: an OLE compound file whose streams (olefile) are `WordDocument`,
  `Workbook`/`Book`, or Outlook's `__substg1.0_*` property streams;
- .eml: text whose first line is a header and whose header block has at least two of From,
  To, Cc, Subject, Date, Message-ID, Sender, Reply-To, Received, Return-Path (parsed with
  `email.parser.BytesParser`); other text is .txt when libmagic calls it plain text.

Programs and scripts (PE `MZ`, ELF, Mach-O, `#!`, and what libmagic calls HTML or a script)
are refused, as are files whose name is that of a program or script (.exe, .js, .html, ...).
A name whose extension belongs to another known format (a zip named .pdf) is refused; image
extensions may be swapped among themselves (a PNG named .jpg is common and harmless); names
without a known extension are accepted by content and get the right extension in `safe_name`.

Polyglots and hidden content
----------------------------
A polyglot is a file that is valid as two formats, e.g. a GIF that `unzip` also opens. We
refuse, in every non-archive format (images, PDF, .doc/.xls/.msg, email, text; .docx/.xlsx
are zips themselves, checked by their structure and for macros):

1. anything before the format's signature (it must be at offset 0);
2. a zip archive that zip readers would find: an end-of-central-directory record in the last
   64 KiB (where readers look for it) preceded by its central directory, so a zip appended
   to a JPEG is found;
3. a RAR or 7-Zip signature anywhere;
4. a Windows program anywhere: an `MZ` header whose `e_lfanew` points at `PE\\0\\0`;
5. a Linux program anywhere: an ELF header (magic, class, byte order, version);
6. in images: `<?php`, `<script`, `<html` or `<iframe` markup (code smuggled in metadata);
7. in PDF: the names /JavaScript, /Launch, /EmbeddedFile(s), /RichMedia, /XFA anywhere in
   the file or in its Flate streams (object streams must decode), #-escaped names
   (`/J#61vaScript`, `/J#53`) likewise, and /JS outside stream contents (three bytes occur by
   chance in image data: that is why stream contents are skipped for it, except the gap
   between where a stream's /Length ends and `endstream`, which readers would parse). Every
   JavaScript action also needs `/S /JavaScript`, found anywhere. The last `%%EOF` must be in
   the final 1024 bytes. This is a parser-level check, not a PDF renderer in a sandbox;
8. in Office files: macros (VBA storages in .doc/.xls, `vbaProject.bin` or macro-enabled
   content types in OOXML), and password-protected Office files (their content is hidden);
9. in .eml and .msg: attachments that are programs or scripts (by name or content).

Mach-O and shebang signatures are only looked for at offset 0: four bytes are too common in
compressed data to search everywhere without refusing good photos.

Archives
--------
A .zip (stdlib `zipfile`) or .rar (`rarfile` for the headers, `libarchive` for the content) is
checked from its headers first (member count, names, links, encryption, volumes, declared
sizes and ratios, overlapping members) and then every member is streamed through a byte cap,
whatever the headers claim, and inspected like an uploaded file: it must be of an allowed
format and pass the same checks. One level of nesting is allowed (a zip in the uploaded zip);
an archive inside that is refused. Budgets (members, unpacked bytes) are shared by all levels.
A member may not be larger than a file may be. Finder's `__MACOSX/._*` AppleDouble files and
`.DS_Store` are tolerated (by their content) and left out of `archive_members`.

Messages name files by their safe name (no paths, control or bidi characters), so they can be
shown as they are; `EvidenceError.filename` is the name as uploaded.
"""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import math
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from email import policy as email_policy
from email.parser import BytesParser
from typing import TYPE_CHECKING, Any, BinaryIO

from ombuds.policy.schema import ARCHIVE_FORMATS, EvidenceRules

if TYPE_CHECKING:
    import magic

__all__ = [
    "ARCHIVE_ENCRYPTED",
    "ARCHIVE_UNSAFE",
    "FORMAT",
    "REQUIRED",
    "TOO_LARGE",
    "TOO_MANY",
    "ZIP_REQUIRED",
    "EvidenceError",
    "InspectedFile",
    "check_evidence_set",
    "inspect_file",
    "safe_filename",
]

FORMAT = "evidence_format"
TOO_LARGE = "evidence_too_large"
ARCHIVE_UNSAFE = "evidence_archive_unsafe"
ARCHIVE_ENCRYPTED = "evidence_archive_encrypted"
TOO_MANY = "evidence_too_many"
ZIP_REQUIRED = "evidence_zip_required"
REQUIRED = "evidence_required"

CHUNK = 64 * 1024
MAX_NAME_LENGTH = 150
# Members that unpack to less than this are not held to the compression-ratio limit: small
# text and blank office files legitimately compress very well.
RATIO_MIN_BYTES = 1024 * 1024
# libmagic decides from the start of a file, except for OLE files (it reads their directory).
MAGIC_HEAD = 64 * 1024


class EvidenceError(Exception):
    """An uploaded file (or set of files) that cannot be accepted.

    `code` is stable (for the API and tests); `message` is for people: it says what is wrong
    and how to fix it; `filename` is the uploaded name (or names) concerned, possibly empty.
    """

    def __init__(self, code: str, message: str, filename: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.filename = filename

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.code, self.message, self.filename))

    def __repr__(self) -> str:
        return f"EvidenceError({self.code!r}, {self.message!r}, {self.filename!r})"


class _ProgramError(EvidenceError):
    """The content is a program or script: inside an archive this makes the archive unsafe."""


@dataclass(frozen=True)
class InspectedFile:
    format: str
    mime: str  # the canonical MIME type of the detected format (to serve it with)
    size: int
    sha256: str
    safe_name: str
    archive_members: tuple[tuple[str, str, int], ...] = ()  # (path, format, size), files only


# --------------------------------------------------------------------------- formats

DESCRIPTIONS = {
    "doc": "a Word document (.doc)",
    "docx": "a Word document (.docx)",
    "eml": "an email (.eml)",
    "msg": "an Outlook message (.msg)",
    "pdf": "a PDF document (.pdf)",
    "rar": "a RAR archive (.rar)",
    "zip": "a zip archive (.zip)",
    "jpg": "a JPEG image (.jpg)",
    "png": "a PNG image (.png)",
    "gif": "a GIF image (.gif)",
    "webp": "a WebP image (.webp)",
    "xls": "an Excel workbook (.xls)",
    "xlsx": "an Excel workbook (.xlsx)",
    "txt": "a text file (.txt)",
}
MIME_TYPES = {
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "eml": "message/rfc822",
    "msg": "application/vnd.ms-outlook",
    "pdf": "application/pdf",
    "rar": "application/vnd.rar",
    "zip": "application/zip",
    "jpg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "txt": "text/plain",
}
EXTENSIONS = {
    "doc": ("doc",),
    "docx": ("docx",),
    "eml": ("eml",),
    "msg": ("msg",),
    "pdf": ("pdf",),
    "rar": ("rar",),
    "zip": ("zip",),
    "jpg": ("jpg", "jpeg", "jpe", "jfif"),
    "png": ("png",),
    "gif": ("gif",),
    "webp": ("webp",),
    "xls": ("xls",),
    "xlsx": ("xlsx",),
    "txt": ("txt", "text"),
}
_FORMAT_BY_EXTENSION = {ext: fmt for fmt, exts in EXTENSIONS.items() for ext in exts}
_IMAGES = frozenset({"jpg", "png", "gif", "webp"})

# fmt: off
PROGRAM_EXTENSIONS = frozenset({
    "exe", "dll", "bat", "cmd", "com", "scr", "js", "jse", "vbs", "vbe", "ps1", "psm1", "sh",
    "bash", "zsh", "jar", "msi", "msp", "apk", "app", "py", "pyc", "php", "phtml", "pl", "rb",
    "cgi", "jsp", "asp", "aspx", "html", "htm", "xhtml", "shtml", "hta", "svg", "lnk", "pif",
    "cpl", "reg", "scf", "url", "wsf", "wsh", "gadget", "inf", "desktop", "appimage", "run",
    "deb", "rpm", "dmg", "pkg", "so", "dylib", "sys", "drv", "ocx",
})
# fmt: on

# What libmagic may call content we refuse, in words a complainant understands.
_MIME_WORDS = {
    "application/x-dosexec": "a Windows program",
    "application/x-msdownload": "a Windows program",
    "application/vnd.microsoft.portable-executable": "a Windows program",
    "application/x-executable": "a Linux program",
    "application/x-pie-executable": "a Linux program",
    "application/x-sharedlib": "a program library",
    "application/x-elf": "a Linux program",
    "application/x-mach-binary": "a macOS program",
    "application/java-archive": "a Java program",
    "application/x-java-applet": "a Java program",
    "application/vnd.android.package-archive": "an Android app",
    "application/x-msi": "a Windows installer",
    "application/x-ms-installer": "a Windows installer",
    "application/x-ms-shortcut": "a Windows shortcut",
    "text/html": "a web page (HTML)",
    "application/xhtml+xml": "a web page (XHTML)",
    "image/svg+xml": "an SVG image (SVG images can carry scripts)",
    "text/x-shellscript": "a shell script",
    "application/x-shellscript": "a shell script",
    "text/x-python": "a Python script",
    "text/x-script.python": "a Python script",
    "text/x-php": "a PHP script",
    "text/x-perl": "a Perl script",
    "text/x-ruby": "a Ruby script",
    "text/x-tcl": "a Tcl script",
    "text/x-lua": "a Lua script",
    "text/x-msdos-batch": "a Windows batch script",
    "application/javascript": "a JavaScript program",
    "text/javascript": "a JavaScript program",
    "application/x-7z-compressed": "a 7-Zip archive",
    "application/gzip": "a gzip archive",
    "application/x-bzip2": "a bzip2 archive",
    "application/x-xz": "an xz archive",
    "application/x-tar": "a tar archive",
    "application/vnd.ms-cab-compressed": "a cabinet archive",
    "application/x-iso9660-image": "a disk image",
    "application/vnd.ms-powerpoint": "a PowerPoint presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        "a PowerPoint presentation (.pptx)"
    ),
    "application/vnd.oasis.opendocument.text": "an OpenDocument text (.odt)",
    "application/vnd.oasis.opendocument.spreadsheet": "an OpenDocument spreadsheet (.ods)",
    "application/vnd.oasis.opendocument.presentation": "an OpenDocument presentation (.odp)",
    "application/epub+zip": "an e-book (.epub)",
    "text/rtf": "an RTF document",
    "application/rtf": "an RTF document",
    "text/xml": "an XML file",
    "application/xml": "an XML file",
    "application/json": "a JSON file",
    "image/tiff": "a TIFF image",
    "image/bmp": "a BMP image",
    "image/x-ms-bmp": "a BMP image",
    "image/heic": "a HEIC photo",
    "image/heif": "a HEIF photo",
    "image/avif": "an AVIF image",
    "application/octet-stream": "a file of unknown type",
    "application/x-empty": "an empty file",
}
_PROGRAM_MIMES = frozenset(
    {
        "application/x-dosexec",
        "application/x-msdownload",
        "application/vnd.microsoft.portable-executable",
        "application/x-executable",
        "application/x-pie-executable",
        "application/x-sharedlib",
        "application/x-elf",
        "application/x-mach-binary",
        "application/java-archive",
        "application/x-java-applet",
        "application/vnd.android.package-archive",
        "application/x-msi",
        "application/x-ms-installer",
        "application/x-ms-shortcut",
        "text/html",
        "application/xhtml+xml",
        "image/svg+xml",
        "text/x-shellscript",
        "application/x-shellscript",
        "text/x-python",
        "text/x-script.python",
        "text/x-php",
        "text/x-perl",
        "text/x-ruby",
        "text/x-tcl",
        "text/x-lua",
        "text/x-msdos-batch",
        "application/javascript",
        "text/javascript",
    }
)

# Signatures at offset 0, and what libmagic must agree the content is.
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_RAR4_SIGNATURE = b"Rar!\x1a\x07\x00"
_RAR5_SIGNATURE = b"Rar!\x1a\x07\x01\x00"
_MAGIC_AGREES = {
    "pdf": {"application/pdf"},
    "jpg": {"image/jpeg"},
    "png": {"image/png", "image/apng"},
    "gif": {"image/gif"},
    "webp": {"image/webp"},
    "rar": {"application/x-rar", "application/vnd.rar", "application/x-rar-compressed"},
}
_MACHO_SIGNATURES = (
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
)
_TEXT_MIMES = frozenset({"text/plain", "text/csv"})


def _signature_family(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(_OLE_SIGNATURE):
        return "ole"
    if head.startswith((_RAR4_SIGNATURE, _RAR5_SIGNATURE)):
        return "rar"
    return None


def _program_at_start(data: bytes) -> str | None:
    """Executable content recognised by its first bytes, whatever libmagic says."""
    if data.startswith(b"MZ"):
        return "a Windows program"
    if data.startswith(b"\x7fELF"):
        return "a Linux program"
    if data.startswith(_MACHO_SIGNATURES):
        return "a macOS program (or Java class)"
    if data.startswith(b"#!"):
        return "a script"
    return None


@functools.cache
def _magic() -> magic.Magic:
    try:
        import magic
    except ImportError as exc:  # python-magic raises ImportError when libmagic is missing
        raise RuntimeError(
            "Evidence inspection needs libmagic: install it (Debian: apt-get install libmagic1)"
        ) from exc
    return magic.Magic(mime=True)


def _sniff_mime(data: bytes) -> str:
    sample = data if data.startswith(_OLE_SIGNATURE) else data[:MAGIC_HEAD]
    return _magic().from_buffer(sample).split(";", 1)[0].strip().lower()


def _describe_mime(mime: str) -> str:
    return _MIME_WORDS.get(mime, f"a file of type {mime}")


# --------------------------------------------------------------------------- names


def _extension(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip().rstrip(". ")
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem.strip(". ") or not ext or len(ext) > 16 or " " in ext:
        return ""
    return ext.lower()


_RESERVED_CHARS = re.compile(r'[<>:"/\\|?*]')
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_WINDOWS_DEVICES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)


def _visible(name: str) -> str:
    """The name without control and invisible format characters (NUL, bidi overrides)."""
    return "".join(ch for ch in name if unicodedata.category(ch) not in _DROPPED_CATEGORIES)


def safe_filename(filename: str, fmt: str | None = None) -> str:
    """A name safe to store and to offer for download.

    Only the last path part (after / or \\) is kept; control and invisible format characters
    (NUL, bidirectional overrides that disguise "exe.pdf") are removed; characters Windows
    reserves are replaced by "_"; leading dots and trailing dots and spaces are removed; the
    result is at most 150 characters (and 255 UTF-8 bytes) with its extension kept, never
    empty, never a Windows device name. With `fmt`, the extension is made to match the
    content: kept when it is one of that format's, replaced when it names another accepted
    format, added otherwise.
    """
    name = unicodedata.normalize("NFC", filename or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _RESERVED_CHARS.sub("_", _visible(name))
    name = " ".join(name.split()).lstrip(". ").rstrip(". ")
    ext = _extension(name)
    stem, ext = (name[: -len(ext) - 1], name[-len(ext) :]) if ext else (name, "")
    if fmt is not None:
        canonical = EXTENSIONS[fmt][0]
        if ext.lower() in EXTENSIONS[fmt]:
            pass
        elif ext.lower() in _FORMAT_BY_EXTENSION:
            ext = canonical
        else:
            stem, ext = name, canonical
    stem = stem.rstrip(". ") or "evidence"
    if stem.split(".", 1)[0].strip().lower() in _WINDOWS_DEVICES:
        stem = "_" + stem
    suffix = f".{ext}" if ext else ""
    stem = stem[: MAX_NAME_LENGTH - len(suffix)]
    while len((stem + suffix).encode("utf-8")) > 255:
        stem = stem[:-1]
    stem = stem.rstrip(". ") or "evidence"
    return stem + suffix


def _member_path(raw: str) -> str:
    return raw.replace("\\", "/")


def _unsafe_path_reason(path: str) -> str | None:
    """Why an archive member path could escape the folder it is unpacked into, if it can."""
    if "\x00" in path:
        return "has a NUL character in its name"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in path):
        return "has a control character in its name"
    if path.startswith("/"):
        return "is an absolute path"
    if re.match(r"^[A-Za-z]:", path):
        return "starts with a drive letter"
    if ".." in path.split("/"):
        return "has a '..' part that leads out of the archive"
    return None


def _program_name(path: str) -> str | None:
    """The program or script extension of any part of a path (a folder "x.app" counts)."""
    for part in path.split("/"):
        ext = _extension(part)
        if ext in PROGRAM_EXTENSIONS:
            return ext
    return None


# --------------------------------------------------------------------------- messages


def _mb(size: int, *, round_up: bool = False) -> str:
    value = size / (1024 * 1024)
    if round_up:
        value = math.ceil(value * 10) / 10 if value >= 0.1 else math.ceil(value * 1000) / 1000
    text = f"{value:.1f}" if value >= 0.1 else f"{value:.3f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return f"{text} MB"


def _accepted(rules: EvidenceRules) -> str:
    return ", ".join(f".{fmt}" for fmt in rules.allowed_formats)


def _too_large(
    subject: str, filename: str, size: int | None, limit: int, kind: str
) -> EvidenceError:
    actual = f" (this one is {_mb(size, round_up=True)})" if size is not None else ""
    return EvidenceError(
        TOO_LARGE,
        f"{subject} is too large: {kind} may be at most {_mb(limit)}{actual}. Make it smaller "
        "(for example, scan or photograph at a lower resolution, or split it) and attach it again.",
        filename,
    )


@dataclass
class _Subject:
    """How messages name the file being inspected: an upload, or a member of one."""

    upload: str  # the name as uploaded (EvidenceError.filename)
    member: str = ""  # the member path, for archive members
    depth: int = 0  # archive nesting level of the member (0: the upload itself)

    def __str__(self) -> str:
        # Shown names lose paths, control and bidi characters: messages must not be spoofable.
        shown = f'"{safe_filename(self.upload)}"'
        return f'"{_printable(self.member)}" in {shown}' if self.member else shown

    def error(self, code: str, message: str) -> EvidenceError:
        return EvidenceError(code, message, self.upload)

    def program(self, message: str) -> EvidenceError:
        return _ProgramError(FORMAT, message, self.upload)


# --------------------------------------------------------------------------- public API


def inspect_file(stream: BinaryIO, filename: str, rules: EvidenceRules) -> InspectedFile:
    """Inspects one uploaded file; raises EvidenceError when it cannot be accepted.

    The stream is read from its start, at most max(max_file_bytes, max_archive_bytes) + 1
    bytes, and left at its start for the caller to store it.
    """
    subject = _Subject(filename or "file")
    cap = max(rules.max_file_bytes, rules.max_archive_bytes)
    declared = _stream_size(stream)
    if declared is not None and declared > cap:
        head = _read_head(stream)
        raise _format_refusal(subject, filename, head, rules) or _size_error(
            subject, filename, head, declared, rules
        )
    data, digest = _read_capped(stream, cap)
    if len(data) > cap:
        raise _format_refusal(subject, filename, data[:16], rules) or _size_error(
            subject, filename, data[:16], None, rules
        )
    budget = _Budget(rules)
    fmt, members = _inspect_content(data, filename, subject, rules, budget)
    return InspectedFile(
        format=fmt,
        mime=MIME_TYPES[fmt],
        size=len(data),
        sha256=digest,
        safe_name=safe_filename(filename, fmt),
        archive_members=tuple(members),
    )


def check_evidence_set(files: Sequence[InspectedFile], rules: EvidenceRules) -> list[EvidenceError]:
    """Checks the files of one submission together; returns every problem found."""
    errors: list[EvidenceError] = []
    if not files:
        if rules.required:
            errors.append(
                EvidenceError(
                    REQUIRED,
                    f"Evidence is required for this form: attach at least one file "
                    f"({_accepted(rules)}).",
                )
            )
        return errors
    if len(files) > rules.max_files:
        errors.append(
            EvidenceError(
                TOO_MANY,
                f"You attached {len(files)} files; at most {rules.max_files} are allowed. "
                "Remove some, or put several files of the same kind in one .zip file.",
                ", ".join(f.safe_name for f in files),
            )
        )
    if not rules.one_file_per_format:
        return errors
    zip_allowed = "zip" in rules.allowed_formats
    by_format: dict[str, list[InspectedFile]] = {}
    for item in files:
        by_format.setdefault(item.format, []).append(item)
    for fmt, group in by_format.items():
        if fmt in ARCHIVE_FORMATS or len(group) < 2:
            continue
        names = ", ".join(f'"{f.safe_name}"' for f in group)
        if zip_allowed:
            advice = "Put them in one .zip file and attach that instead."
        else:
            advice = f"Attach only the most important {fmt} file."
        errors.append(
            EvidenceError(
                ZIP_REQUIRED,
                f"You attached {len(group)} files of the same type ({DESCRIPTIONS[fmt]}): "
                f"{names}. Only one file of each type is accepted. {advice}",
                ", ".join(f.safe_name for f in group),
            )
        )
    archives = [f for f in files if f.format in ARCHIVE_FORMATS]
    if len(archives) > 1:
        names = ", ".join(f'"{f.safe_name}"' for f in archives)
        errors.append(
            EvidenceError(
                ZIP_REQUIRED,
                f"You attached {len(archives)} archives: {names}. Only one archive is accepted: "
                "put all the files in one .zip file and attach that instead.",
                ", ".join(f.safe_name for f in archives),
            )
        )
    return errors


# --------------------------------------------------------------------------- reading


def _stream_size(stream: BinaryIO) -> int | None:
    size = getattr(stream, "size", None)  # Django's UploadedFile knows it
    if isinstance(size, int):
        return size
    try:
        position = stream.seek(0, io.SEEK_END)
        stream.seek(0)
    except (AttributeError, OSError, ValueError):
        return None
    return position


def _read_head(stream: BinaryIO) -> bytes:
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    return head


def _read_capped(stream: BinaryIO, cap: int) -> tuple[bytes, str]:
    """Reads at most cap + 1 bytes in chunks, hashing as it goes."""
    stream.seek(0)
    digest = hashlib.sha256()
    buffer = bytearray()
    while len(buffer) <= cap:
        chunk = stream.read(min(CHUNK, cap + 1 - len(buffer)))
        if not chunk:
            break
        digest.update(chunk)
        buffer += chunk
    stream.seek(0)
    return bytes(buffer), digest.hexdigest()


_FAMILY_FORMATS = {  # a signature family -> the formats it may be, told apart by the name
    "zip": ("zip", "docx", "xlsx"),
    "ole": ("doc", "xls", "msg"),
}


def _format_refusal(
    subject: _Subject, filename: str, head: bytes, rules: EvidenceRules
) -> EvidenceError | None:
    """For a file too large to read whole: its format, when its first bytes (or its name)
    already say it is refused — told first, since making it smaller would not help."""
    ext = _extension(_visible(filename or ""))
    program = _program_at_start(head)
    if ext in PROGRAM_EXTENSIONS or program:
        what = program or f"has the name of a program or script (.{ext})"
        return subject.program(
            f"{subject} is {what}. Programs, scripts and web pages are not accepted as evidence. "
            f"Accepted formats: {_accepted(rules)}."
        )
    family = _signature_family(head)
    candidates = _FAMILY_FORMATS.get(family or "", (family,) if family else ())
    fmt = ext if ext in candidates else (candidates[0] if candidates else None)
    if fmt is None or fmt in rules.allowed_formats or fmt not in DESCRIPTIONS:
        return None
    return subject.error(
        FORMAT,
        f"{subject} is {DESCRIPTIONS[fmt]}, which is not accepted here. Accepted formats: "
        f"{_accepted(rules)}. Convert it to one of these formats, or attach another file.",
    )


def _size_error(
    subject: _Subject, filename: str, head: bytes, size: int | None, rules: EvidenceRules
) -> EvidenceError:
    """The upload is over both limits: name the one that applies to what it seems to be."""
    archive_like = _signature_family(head) in ("zip", "rar") and _extension(filename) not in (
        "docx",
        "xlsx",
    )
    if rules.max_file_bytes == rules.max_archive_bytes:
        kind = "a file"
    elif archive_like:
        kind = "an archive (.zip or .rar)"
    else:
        kind = "a file"
    limit = rules.max_archive_bytes if archive_like else rules.max_file_bytes
    return _too_large(str(subject), filename, size, limit, kind)


# --------------------------------------------------------------------------- content


def _inspect_content(
    data: bytes, name: str, subject: _Subject, rules: EvidenceRules, budget: _Budget
) -> tuple[str, list[tuple[str, str, int]]]:
    """Format, size and safety checks of one file's bytes (an upload or an archive member)."""
    if not data:
        raise subject.error(
            FORMAT, f"{subject} is empty (0 bytes). Check that you chose the right file."
        )
    ext = _extension(_visible(name))
    if ext in PROGRAM_EXTENSIONS:
        raise subject.program(
            f"{subject} has the name of a program or script (.{ext}). Programs, scripts and web "
            f"pages are not accepted as evidence. Accepted formats: {_accepted(rules)}."
        )
    fmt = _identify(data, ext, subject, rules)
    if fmt not in rules.allowed_formats:
        raise subject.error(
            FORMAT,
            f"{subject} is {DESCRIPTIONS[fmt]}, which is not accepted here. Accepted formats: "
            f"{_accepted(rules)}. Convert it to one of these formats, or attach another file.",
        )
    named = _FORMAT_BY_EXTENSION.get(ext)
    if named is not None and named != fmt and not (named in _IMAGES and fmt in _IMAGES):
        raise subject.error(
            FORMAT,
            f"{subject} is named like {DESCRIPTIONS[named]}, but its content is "
            f"{DESCRIPTIONS[fmt]}, not {DESCRIPTIONS[named].split(' (')[0]}. Attach the real "
            f"{ext} file, or give this one the right extension (.{EXTENSIONS[fmt][0]}).",
        )
    _check_size(data, fmt, subject, rules)
    if fmt in ARCHIVE_FORMATS:
        if subject.depth >= 2:
            raise subject.error(
                ARCHIVE_UNSAFE,
                f"{subject} is an archive inside an archive inside an archive. At most one "
                "archive may be put inside the uploaded one: unpack the inner archives and "
                "zip the files again.",
            )
        inspect_archive = _inspect_zip if fmt == "zip" else _inspect_rar
        return fmt, inspect_archive(data, subject, rules, budget)
    _check_hidden_content(data, fmt, subject)
    return fmt, []


def _check_size(data: bytes, fmt: str, subject: _Subject, rules: EvidenceRules) -> None:
    if fmt in ARCHIVE_FORMATS:
        limit, kind = rules.max_archive_bytes, "an archive (.zip or .rar)"
    else:
        limit, kind = rules.max_file_bytes, "a file"
    if len(data) > limit:
        raise _too_large(str(subject), subject.upload, len(data), limit, kind)


def _identify(data: bytes, ext: str, subject: _Subject, rules: EvidenceRules) -> str:
    """The evidence format of the content, or EvidenceError naming what it is instead."""
    program = _program_at_start(data)
    if program:
        raise subject.program(_program_message(subject, program, rules))
    mime = _sniff_mime(data)
    family = _signature_family(data[:16])
    if mime in _PROGRAM_MIMES and not (family is None and _looks_like_email(data)):
        # An email with an HTML body is still an email: its headers come first.
        raise subject.program(_program_message(subject, _describe_mime(mime), rules))
    if family in _MAGIC_AGREES:
        if mime not in _MAGIC_AGREES[family]:
            raise subject.error(
                FORMAT,
                f"{subject} starts like {DESCRIPTIONS[family]} but is not a valid one "
                f"(its content looks like {_describe_mime(mime)}). Save or export it again "
                "and attach the new file.",
            )
        return family
    if family == "zip":
        return _identify_zip(data, mime, subject, rules)
    if family == "ole":
        return _identify_ole(data, mime, subject)
    return _identify_text(data, ext, mime, subject, rules)


def _program_message(subject: _Subject, what: str, rules: EvidenceRules) -> str:
    accepted = "" if subject.member else f" Accepted formats: {_accepted(rules)}."
    return (
        f"{subject} is {what}, not a document or an image. Programs, scripts and web pages are "
        f"not accepted as evidence.{accepted}"
    )


def _damaged(subject: _Subject, what: str, detail: str = "") -> EvidenceError:
    extra = f" ({detail})" if detail else ""
    return subject.error(
        FORMAT,
        f"{subject} looks like {what} but cannot be read{extra}. It may be damaged or "
        "incomplete: save or export it again and attach the new file.",
    )


# ----- zip family: plain zip or OOXML

_DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_OOXML_OTHER = {
    "application/vnd.ms-word.document.macroenabled.main+xml": "a Word document with macros (.docm)",
    "application/vnd.ms-word.template.macroenabledtemplate.main+xml": (
        "a Word template with macros (.dotm)"
    ),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": (
        "a Word template (.dotx)"
    ),
    "application/vnd.ms-excel.sheet.macroenabled.main+xml": "an Excel workbook with macros (.xlsm)",
    "application/vnd.ms-excel.sheet.binary.macroenabled.main": "a binary Excel workbook (.xlsb)",
    "application/vnd.ms-excel.template.macroenabled.main+xml": (
        "an Excel template with macros (.xltm)"
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": (
        "an Excel template (.xltx)"
    ),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": (
        "a PowerPoint presentation (.pptx)"
    ),
    "application/vnd.ms-powerpoint.presentation.macroenabled.main+xml": (
        "a PowerPoint presentation with macros (.pptm)"
    ),
}
_OVERRIDE = re.compile(rb"<(?:\w+:)?Override\b([^>]*)>")
_ATTRIBUTE = re.compile(rb"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CONTENT_TYPES_CAP = 1024 * 1024


def _identify_zip(data: bytes, mime: str, subject: _Subject, rules: EvidenceRules) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = {info.filename: info for info in archive.infolist()}
    except Exception as exc:  # crafted archives make zipfile raise many kinds of error
        raise _damaged(subject, "a zip archive", str(exc)) from exc
    lowered = {n.lower() for n in names}
    if "meta-inf/manifest.mf" in lowered and any(n.endswith(".class") for n in lowered):
        raise subject.program(_program_message(subject, "a Java program", rules))
    if "androidmanifest.xml" in lowered and "classes.dex" in lowered:
        raise subject.program(_program_message(subject, "an Android app", rules))
    if mime in _MIME_WORDS and mime != "application/octet-stream":
        raise subject.error(
            FORMAT,
            f"{subject} is {_describe_mime(mime)}, which is not accepted here. Accepted "
            f"formats: {_accepted(rules)}.",
        )
    content_types = names.get("[Content_Types].xml")
    if content_types is None:
        return "zip"
    kind = _ooxml_kind(archive, content_types, lowered, subject)
    if kind is None:
        return "zip"
    declared = sum(info.file_size for info in names.values())
    if declared > rules.archive_max_uncompressed_bytes:
        raise subject.error(
            ARCHIVE_UNSAFE,
            f"{subject} unpacks to {_mb(declared, round_up=True)}, more than the "
            f"{_mb(rules.archive_max_uncompressed_bytes)} allowed. Save it again (Word and "
            "Excel compress normally) or export it as PDF.",
        )
    return kind


def _ooxml_kind(
    archive: zipfile.ZipFile, content_types: zipfile.ZipInfo, names: set[str], subject: _Subject
) -> str | None:
    """docx or xlsx when [Content_Types].xml declares that main part and the part exists.

    The XML is matched with regular expressions, not parsed, so entity tricks cannot expand.
    """
    if content_types.flag_bits & 0x1:
        raise _damaged(subject, "an Office document", "its parts are encrypted")
    try:
        with archive.open(content_types) as handle:
            xml = handle.read(_CONTENT_TYPES_CAP)
    except _ZIP_READ_ERRORS as exc:
        raise _damaged(subject, "an Office document", str(exc)) from exc
    if any(name.endswith("vbaproject.bin") for name in names):
        raise subject.program(
            f"{subject} contains macros (small programs). Office files with macros are not "
            "accepted: save it as a normal .docx or .xlsx, or export it as PDF."
        )
    for match in _OVERRIDE.finditer(xml):
        attributes = {
            key.decode("ascii").lower(): (double or single).decode("utf-8", "replace")
            for key, double, single in _ATTRIBUTE.findall(match.group(1))
        }
        part = attributes.get("partname", "").lstrip("/").lower()
        content_type = attributes.get("contenttype", "").lower()
        if content_type == _DOCX_MAIN and part.startswith("word/") and part in names:
            return "docx"
        if content_type == _XLSX_MAIN and part.startswith("xl/") and part in names:
            return "xlsx"
        if content_type in _OOXML_OTHER:
            what = _OOXML_OTHER[content_type]
            if "macros" in what:
                raise subject.program(
                    f"{subject} is {what}. Office files with macros are not accepted: save it "
                    "as a normal .docx or .xlsx, or export it as PDF."
                )
            raise subject.error(
                FORMAT,
                f"{subject} is {what}, which is not accepted here. Export it as PDF, or save "
                "it as a .docx or .xlsx file.",
            )
    return None


# ----- OLE family: doc, xls, msg

_MACRO_STORAGES = frozenset({"macros", "_vba_project_cur", "vba", "_vba_project"})
_ATTACHMENT_NAME_STREAMS = ("__substg1.0_3707001F", "__substg1.0_3704001F")
_ATTACHMENT_DATA_STREAM = "__substg1.0_37010102"


def _identify_ole(data: bytes, mime: str, subject: _Subject) -> str:
    import olefile

    try:
        ole = olefile.OleFileIO(data)
        try:
            return _ole_kind(ole, mime, subject)
        finally:
            ole.close()
    except EvidenceError:
        raise
    except Exception as exc:  # olefile raises many kinds of error on crafted input
        raise _damaged(subject, "an Office file", str(exc)) from exc


def _ole_kind(ole: Any, mime: str, subject: _Subject) -> str:
    paths = ole.listdir(streams=True, storages=True)
    top = {path[0] for path in paths}
    if any(part.lower() in _MACRO_STORAGES for path in paths for part in path):
        raise subject.program(
            f"{subject} contains macros (small programs). Office files with macros are not "
            "accepted: save it without macros, or export it as PDF."
        )
    if "EncryptedPackage" in top or "EncryptionInfo" in top:
        raise subject.error(
            FORMAT,
            f"{subject} is protected with a password, so it cannot be checked. Save a copy "
            "without a password and attach that.",
        )
    if "WordDocument" in top:
        return "doc"
    if "Workbook" in top or "Book" in top:
        return "xls"
    if "__properties_version1.0" in top and any(n.startswith("__substg1.0_") for n in top):
        _check_msg_attachments(ole, paths, subject)
        return "msg"
    what = _describe_mime(mime) if mime in _MIME_WORDS else "an Office file of another kind"
    raise subject.error(
        FORMAT,
        f"{subject} is {what}, not a Word, Excel or Outlook file. Export it as PDF and attach "
        "that.",
    )


def _check_msg_attachments(ole: Any, paths: list[list[str]], subject: _Subject) -> None:
    storages = {path[0] for path in paths if len(path) > 1 and path[0].startswith("__attach_")}
    for storage in storages:
        name = ""
        for stream in _ATTACHMENT_NAME_STREAMS:
            if ole.exists(f"{storage}/{stream}"):
                raw = ole.openstream(f"{storage}/{stream}").read(2048)
                name = raw.decode("utf-16-le", "replace").rstrip("\x00")
                break
        head = b""
        if ole.exists(f"{storage}/{_ATTACHMENT_DATA_STREAM}"):
            head = ole.openstream(f"{storage}/{_ATTACHMENT_DATA_STREAM}").read(16)
        _refuse_program_attachment(name, head, subject)


def _refuse_program_attachment(name: str, head: bytes, subject: _Subject) -> None:
    ext = _extension(name)
    what = _program_at_start(head) or (f"a .{ext} file" if ext in PROGRAM_EXTENSIONS else None)
    if what:
        shown = f' "{_printable(name)}"' if name else ""
        raise subject.program(
            f"{subject} carries an attachment{shown} that is {what}. Messages with programs or "
            "scripts attached are not accepted: take a screenshot of the message or export it "
            "as PDF instead."
        )


# ----- text family: eml or txt

_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")
_EMAIL_HEADERS = frozenset(
    {
        "from",
        "to",
        "cc",
        "subject",
        "date",
        "message-id",
        "sender",
        "reply-to",
        "received",
        "return-path",
    }
)


def _identify_text(
    data: bytes, ext: str, mime: str, subject: _Subject, rules: EvidenceRules
) -> str:
    """eml when the headers are real, txt when libmagic calls it plain text."""
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    candidates = []
    if b"\x00" not in data:
        if _looks_like_email(data):
            candidates.append("eml")
        if (
            mime in _TEXT_MIMES
            or (candidates and mime == "message/rfc822")
            or _is_short_text(data, mime)
        ):
            candidates.append("txt")
    elif utf16 and mime in _TEXT_MIMES:
        candidates.append("txt")
    if not candidates:
        raise subject.error(
            FORMAT,
            f"{subject} is {_describe_mime(mime)}, which is not accepted here. Accepted "
            f"formats: {_accepted(rules)}. Convert it to one of these formats, or attach "
            "another file.",
        )
    preferred = [_FORMAT_BY_EXTENSION.get(ext), *rules.allowed_formats]
    choice = next((c for c in preferred if c in candidates), candidates[0])
    if choice == "eml":
        _check_email_attachments(data, subject)
    return choice


def _is_short_text(data: bytes, mime: str) -> bool:
    """libmagic calls a few bytes of text "application/octet-stream"; printable UTF-8 is text."""
    if mime != "application/octet-stream" or len(data) > 256:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\t\r\n\f" for ch in text)


def _looks_like_email(data: bytes) -> bool:
    head = data[:MAGIC_HEAD]
    if head.startswith(b"From "):  # an mbox "From " separator line
        head = head.split(b"\n", 1)[-1]
    if not _HEADER_LINE.match(head):
        return False
    message = BytesParser(policy=email_policy.compat32).parsebytes(head, headersonly=True)
    present = {key.lower() for key, value in message.items() if str(value).strip()}
    return len(present & _EMAIL_HEADERS) >= 2


def _check_email_attachments(data: bytes, subject: _Subject) -> None:
    try:
        message = BytesParser(policy=email_policy.default).parsebytes(data)
        attachments = [
            (part.get_filename() or "", part.get_payload(decode=True))
            for part in message.walk()
            if not part.is_multipart()
            and (part.get_filename() or part.get_content_disposition() == "attachment")
        ]
    except Exception as exc:  # the email package raises many kinds of error on crafted input
        raise _damaged(subject, "an email", str(exc)) from exc
    for name, payload in attachments:
        head = payload[:16] if isinstance(payload, bytes) else b""
        _refuse_program_attachment(name, head, subject)


# --------------------------------------------------------------------------- hidden content

_PE_SIGNATURE = b"PE\x00\x00"
_EOCD = b"PK\x05\x06"
_ZIP_TAIL = 65535 + 22
_MARKUP = re.compile(rb"<(?:\?php|script|html|iframe)", re.IGNORECASE)


def _check_hidden_content(data: bytes, fmt: str, subject: _Subject) -> None:
    """Refuses polyglots: other content that a program would find in this file."""
    if fmt in ("docx", "xlsx"):
        return  # zips themselves: checked by structure (_ooxml_kind), their parts are packed
    hidden = _embedded_content(data)
    if hidden:
        raise subject.program(
            f"{subject} is {DESCRIPTIONS[fmt]} with {hidden} hidden inside it. Files that hide "
            "other content are not accepted: save or export it again (or take a screenshot) "
            "and attach the new file."
        )
    if fmt in _IMAGES:
        match = _MARKUP.search(data)
        if match:
            raise subject.program(
                f"{subject} is an image that carries web code "
                f"({match.group(0).decode('ascii', 'replace')}...). Take a screenshot of it or "
                "save it again with an image editor, and attach the new file."
            )
    elif fmt == "pdf":
        _check_pdf(data, subject)


def _embedded_content(data: bytes) -> str | None:
    if _zip_at_end(data):
        return "a zip archive"
    if data.find(b"Rar!\x1a\x07") >= 0:
        return "a RAR archive"
    if data.find(b"7z\xbc\xaf\x27\x1c") >= 0:
        return "a 7-Zip archive"
    if _find_pe(data):
        return "a Windows program"
    if _find_elf(data):
        return "a Linux program"
    return None


def _zip_at_end(data: bytes) -> bool:
    """Whether zip readers would open this file: an end record in the last 64 KiB whose
    central directory (just before it) is really there."""
    tail_start = max(0, len(data) - _ZIP_TAIL)
    position = data.rfind(_EOCD, tail_start)
    while position >= 0:
        if position + 22 <= len(data):
            entries, directory_size = struct.unpack_from("<HI", data, position + 10)
            if entries == 0xFFFF or directory_size == 0xFFFFFFFF:
                return True  # a Zip64 archive: its real sizes are in another record
            directory = position - directory_size
            if entries and directory >= 0 and data[directory : directory + 4] == b"PK\x01\x02":
                return True
        position = data.rfind(_EOCD, tail_start, position)
    return False


def _find_pe(data: bytes) -> bool:
    position = data.find(b"MZ")
    while position >= 0:
        if position + 0x40 <= len(data):
            (offset,) = struct.unpack_from("<I", data, position + 0x3C)
            start = position + offset
            if 0x40 <= offset <= 0x1000 and data[start : start + 4] == _PE_SIGNATURE:
                return True
        position = data.find(b"MZ", position + 1)
    return False


def _find_elf(data: bytes) -> bool:
    position = data.find(b"\x7fELF")
    while position >= 0:
        ident = data[position + 4 : position + 7]
        if len(ident) == 3 and ident[0] in (1, 2) and ident[1] in (1, 2) and ident[2] == 1:
            return True
        position = data.find(b"\x7fELF", position + 1)
    return False


# ----- PDF

_PDF_FORBIDDEN = {
    b"JS": "JavaScript",
    b"JavaScript": "JavaScript",
    b"Launch": "a launch action (it starts other programs)",
    b"EmbeddedFile": "an embedded file",
    b"EmbeddedFiles": "embedded files",
    b"RichMedia": "embedded media (Flash)",
    b"XFA": "an XFA form (XFA forms can run scripts)",
}
_PDF_NAME_CHAR = rb"[^\s/<>\[\]()%{}\x00]"
# Long forbidden names, and any name written with #xx escapes, are looked for everywhere (they
# cannot occur by chance in binary data). "/JS" is short enough to occur by chance in image
# bytes, so it is only looked for where a reader parses objects. Every JavaScript action also
# needs "/S /JavaScript", which the first pattern finds anywhere.
_PDF_SUSPECT = re.compile(
    rb"/(?:JavaScript|Launch|EmbeddedFiles?|RichMedia|XFA|"
    + _PDF_NAME_CHAR
    + rb"*#[0-9A-Fa-f]{2}"
    + _PDF_NAME_CHAR
    + rb"*)(?!"
    + _PDF_NAME_CHAR
    + rb")"
)
_PDF_JS = re.compile(rb"/JS(?!" + _PDF_NAME_CHAR + rb")")
_PDF_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_LENGTH = re.compile(rb"/Length\s+(\d+)(?:\s+(\d+)\s+R)?")
_PDF_FILTER = re.compile(rb"/(\w+Decode)\b")
_PDF_INFLATE_BUDGET = 100 * 1024 * 1024


@dataclass
class _PdfStream:
    dictionary: bytes  # with #xx escapes decoded
    body: bytes
    gap: bytes  # between the end /Length gives and "endstream": readers may parse it


def _check_pdf(data: bytes, subject: _Subject) -> None:
    if data.rfind(b"%%EOF", max(0, len(data) - 1024)) < 0:
        raise subject.error(
            FORMAT,
            f"{subject} does not end like a PDF document: it is incomplete, or has other data "
            "appended. Save or export it again (for example with Print to PDF) and attach it.",
        )
    found = _pdf_suspect_name(data, short=False)
    outside, streams = _pdf_split(data)
    found = found or _pdf_suspect_name(outside, short=True)
    budget = _PDF_INFLATE_BUDGET
    for stream in streams:
        if found:
            break
        found = _pdf_suspect_name(stream.gap, short=True)
        if found:
            break
        decoded = _pdf_inflate(stream, budget, subject)
        if decoded is not None:
            budget -= len(decoded)
            found = _pdf_suspect_name(decoded, short=b"/ObjStm" in stream.dictionary)
    if found:
        raise subject.program(
            f"{subject} is a PDF document that contains {found}. PDFs with scripts, launch "
            "actions, embedded files or media are not accepted: print it to a new PDF (Print "
            "to PDF) and attach that."
        )


def _pdf_suspect_name(region: bytes, *, short: bool) -> str | None:
    for match in _PDF_SUSPECT.finditer(region):
        name = _PDF_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(0)[1:])
        if name in _PDF_FORBIDDEN:
            return f"{_PDF_FORBIDDEN[name]} (/{name.decode('latin-1')})"
    if short and _PDF_JS.search(region):
        return f"{_PDF_FORBIDDEN[b'JS']} (/JS)"
    return None


def _pdf_split(data: bytes) -> tuple[bytes, list[_PdfStream]]:
    """Splits a PDF into what lies outside streams (dictionaries) and its streams."""
    outside = bytearray()
    streams: list[_PdfStream] = []
    position = cursor = 0
    while (keyword := data.find(b"stream", cursor)) >= 0:
        cursor = keyword + 6
        eol = data[cursor : cursor + 2]
        if data[max(0, keyword - 3) : keyword] == b"end" or eol[:1] not in (b"\r", b"\n"):
            continue
        body_start = cursor + (2 if eol == b"\r\n" else 1)
        dictionary_start = max(data.rfind(b"obj", position, keyword), position)
        raw_dictionary = data[dictionary_start:keyword]
        dictionary = _PDF_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw_dictionary)
        outside += data[position:keyword]
        end = data.find(b"endstream", body_start)
        if end < 0:
            end = len(data)
        length = _pdf_stream_length(data, dictionary)
        gap = b""
        if length is not None and body_start + length < end - 2:
            gap = data[body_start + length : end]
        stop = body_start + length if length is not None and body_start + length < end else end
        streams.append(_PdfStream(dictionary, data[body_start:stop], gap))
        position = end
        cursor = end + 9
    outside += data[position:]
    return bytes(outside), streams


def _pdf_stream_length(data: bytes, dictionary: bytes) -> int | None:
    match = _PDF_LENGTH.search(dictionary)
    if not match:
        return None
    if match.group(2) is None:
        return int(match.group(1))
    number, generation = match.group(1), match.group(2)
    target = re.search(rb"(?<!\d)" + number + rb"\s+" + generation + rb"\s+obj\s*(\d+)", data)
    return int(target.group(1)) if target else None


def _pdf_inflate(stream: _PdfStream, budget: int, subject: _Subject) -> bytes | None:
    """The decoded content of a Flate stream, to look for names in.

    Object streams hold dictionaries: they must decode, within the budget. Other streams
    (page content, fonts) are decoded while the budget lasts; images are skipped, since
    readers never parse them as objects.
    """
    object_stream = b"/ObjStm" in stream.dictionary
    if not object_stream and (b"/Image" in stream.dictionary or budget <= 0):
        return None
    filters = _PDF_FILTER.findall(stream.dictionary)
    if not filters:
        return stream.body if object_stream else None
    if filters[0] != b"FlateDecode":
        if object_stream:
            raise _unreadable_pdf(subject, "it packs objects in a way that cannot be checked")
        return None
    try:
        decoded = zlib.decompressobj().decompress(stream.body, max(budget, 0) + 1)
    except zlib.error as exc:
        if object_stream:
            raise _unreadable_pdf(subject, "a compressed part is damaged or encrypted") from exc
        return None
    if object_stream and len(decoded) > budget:
        raise _unreadable_pdf(subject, "its compressed parts unpack to too much data")
    return decoded


def _unreadable_pdf(subject: _Subject, why: str) -> EvidenceError:
    return subject.error(
        FORMAT,
        f"{subject} cannot be checked: {why}. Print it to a new PDF (Print to PDF) without a "
        "password and attach that.",
    )


# --------------------------------------------------------------------------- archives


@dataclass
class _Budget:
    """Limits shared by an archive and the archives inside it."""

    rules: EvidenceRules
    members: int = 0
    unpacked: int = 0

    def count_members(self, count: int, subject: _Subject) -> None:
        self.members += count
        limit = self.rules.archive_max_members
        if self.members > limit:
            raise subject.error(
                ARCHIVE_UNSAFE,
                f"{subject} has more than {limit} files and folders, the most an archive may "
                "have. Attach fewer files, or only the ones that matter.",
            )

    def add_unpacked(self, size: int, subject: _Subject) -> None:
        self.unpacked += size
        if self.unpacked > self.rules.archive_max_uncompressed_bytes:
            raise self.unpacked_error(subject)

    def unpacked_error(self, subject: _Subject) -> EvidenceError:
        return subject.error(
            ARCHIVE_UNSAFE,
            f"{subject} unpacks to more than {_mb(self.rules.archive_max_uncompressed_bytes)}, "
            "the most an archive may unpack to (archives that unpack to far more than their "
            "size are used to crash servers). Attach fewer or smaller files.",
        )


@dataclass
class _Member:
    """An archive member as its headers describe it."""

    path: str
    packed: int
    declared: int
    is_dir: bool = False
    open: Callable[[], Iterable[bytes]] | None = field(default=None, repr=False)


def _check_member_headers(
    members: list[_Member], subject: _Subject, rules: EvidenceRules, budget: _Budget
) -> None:
    """Header checks: names, duplicates, and sizes the archive itself declares."""
    budget.count_members(len(members), subject)
    seen: set[str] = set()
    declared_total = 0
    for member in members:
        where = _Subject(subject.upload, _join(subject.member, member.path), subject.depth + 1)
        reason = _unsafe_path_reason(member.path)
        if reason:
            raise subject.error(
                ARCHIVE_UNSAFE,
                f'{subject} contains a file whose name {reason} ("{_printable(member.path)}"). '
                "Such names can overwrite other files when unpacked: create the archive again "
                "from a folder holding only your files.",
            )
        key = member.path.rstrip("/").casefold()
        if key in seen:
            raise subject.error(
                ARCHIVE_UNSAFE,
                f'{subject} contains "{_printable(member.path)}" twice. Create the archive '
                "again so that every file appears once.",
            )
        seen.add(key)
        program = _program_name(member.path)
        if program:
            raise where.error(
                ARCHIVE_UNSAFE,
                f"{where} has the name of a program or script (.{program}). Archives with "
                "programs or scripts are not accepted: remove it and create the archive again.",
            )
        if member.is_dir:
            continue
        declared_total += member.declared
        if budget.unpacked + declared_total > rules.archive_max_uncompressed_bytes:
            raise budget.unpacked_error(subject)
        _check_ratio(member.declared, member.packed, where, rules)


def _check_ratio(unpacked: int, packed: int, where: _Subject, rules: EvidenceRules) -> None:
    if unpacked > RATIO_MIN_BYTES and unpacked > max(packed, 1) * rules.archive_max_ratio:
        raise where.error(
            ARCHIVE_UNSAFE,
            f"{where} unpacks to more than {rules.archive_max_ratio} times its packed size, "
            "which is how archives that crash servers (zip bombs) are made. Attach the file "
            "itself, or create the archive again with normal compression.",
        )


def _join(parent: str, path: str) -> str:
    return f"{parent}/{path}" if parent else path


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else "?" for ch in text)


def _inspect_members(
    members: list[_Member], subject: _Subject, rules: EvidenceRules, budget: _Budget
) -> list[tuple[str, str, int]]:
    """Streams every member through the byte caps and inspects its content."""
    cap = max(rules.max_file_bytes, rules.max_archive_bytes)
    listing: list[tuple[str, str, int]] = []
    for member in members:
        if member.is_dir or member.open is None:
            continue
        where = _Subject(subject.upload, _join(subject.member, member.path), subject.depth + 1)
        data, size = _stream_member(member, where, cap, rules, budget)
        if size > cap:
            limit_kind = "a file in an archive"
            raise _too_large(str(where), subject.upload, size, rules.max_file_bytes, limit_kind)
        if _is_macos_metadata(member.path, data):
            continue
        try:
            fmt, nested = _inspect_content(data, member.path, where, rules, budget)
        except _ProgramError as exc:
            raise where.error(
                ARCHIVE_UNSAFE,
                f"{exc.message} Remove it from the archive and create the archive again.",
            ) from exc
        listing.append((where.member, fmt, size))
        listing.extend(nested)
    return listing


def _stream_member(
    member: _Member, where: _Subject, cap: int, rules: EvidenceRules, budget: _Budget
) -> tuple[bytes, int]:
    """Reads a member, keeping at most cap + 1 bytes, counting all it unpacks to."""
    assert member.open is not None
    buffer = bytearray()
    size = 0
    for chunk in member.open():
        size += len(chunk)
        budget.add_unpacked(len(chunk), where)
        _check_ratio(size, member.packed, where, rules)
        if len(buffer) <= cap:
            buffer += chunk[: cap + 1 - len(buffer)]
    return bytes(buffer), size


def _is_macos_metadata(path: str, data: bytes) -> bool:
    """Finder adds "__MACOSX/._name" AppleDouble files and ".DS_Store" to the zips it makes."""
    base = path.rsplit("/", 1)[-1]
    if path.startswith("__MACOSX/") and data.startswith(b"\x00\x05\x16\x07"):
        return True
    return base == ".DS_Store" and data[:8] == b"\x00\x00\x00\x01Bud1"


# ----- zip

_ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
# What zipfile (and the decompressors under it) raise on damaged or crafted members.
_ZIP_READ_ERRORS = (
    zipfile.BadZipFile,
    NotImplementedError,
    RuntimeError,
    EOFError,
    zlib.error,
    OSError,
    ValueError,
    struct.error,
    IndexError,
    KeyError,
)


def _inspect_zip(
    data: bytes, subject: _Subject, rules: EvidenceRules, budget: _Budget
) -> list[tuple[str, str, int]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except Exception as exc:  # crafted archives make zipfile raise many kinds of error
        raise _damaged(subject, "a zip archive", str(exc)) from exc
    for info in infos:
        if info.flag_bits & 0x1 or info.compress_type == 99:  # 99: WinZip AES
            raise subject.error(
                ARCHIVE_ENCRYPTED,
                f'{subject} is protected with a password ("{_printable(info.filename)}" is '
                "encrypted), so its content cannot be checked. Create the archive again "
                "without a password.",
            )
    _check_zip_entries(infos, subject)
    members = [
        _Member(
            path=_member_path(info.orig_filename),
            packed=info.compress_size,
            declared=info.file_size,
            is_dir=info.is_dir(),
            open=functools.partial(_zip_chunks, archive, info, subject),
        )
        for info in infos
    ]
    _check_member_headers(members, subject, rules, budget)
    return _inspect_members(members, subject, rules, budget)


def _check_zip_entries(infos: list[zipfile.ZipInfo], subject: _Subject) -> None:
    for info in infos:
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise subject.error(
                ARCHIVE_UNSAFE,
                f'{subject} contains a link ("{_printable(info.filename)}"). Links in archives '
                "can point at other files on the computer that unpacks them: create the archive "
                "again from the files themselves.",
            )
        if info.compress_type not in _ZIP_METHODS:
            raise subject.error(
                FORMAT,
                f"{subject} uses a compression method that cannot be checked (method "
                f"{info.compress_type}). Create the archive again with standard zip "
                "compression.",
            )
    # Overlapping members share bytes: how non-recursive zip bombs reach huge sizes.
    spans = sorted(infos, key=lambda info: info.header_offset)
    for info, following in itertools.pairwise(spans):
        name_length = len(info.orig_filename.encode("utf-8"))
        if info.header_offset + 30 + name_length + info.compress_size > following.header_offset:
            raise subject.error(
                ARCHIVE_UNSAFE,
                f"{subject} has files that overlap each other inside the archive, which is how "
                "archives that crash servers (zip bombs) are made. Create the archive again "
                "with a normal zip program.",
            )


def _zip_chunks(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, subject: _Subject
) -> Iterator[bytes]:
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
    except _ZIP_READ_ERRORS as exc:
        raise _damaged(subject, "a zip archive", f"{info.filename}: {exc}") from exc


# ----- rar


def _inspect_rar(
    data: bytes, subject: _Subject, rules: EvidenceRules, budget: _Budget
) -> list[tuple[str, str, int]]:
    import rarfile

    headers: list[Any] = []
    try:
        archive = rarfile.RarFile(io.BytesIO(data), info_callback=headers.append, errors="strict")
        infos = archive.infolist()
        needs_password = archive.needs_password()
    except rarfile.NeedFirstVolume as exc:
        raise _multivolume(subject) from exc
    except Exception as exc:  # crafted archives make rarfile raise many kinds of error
        if _rar_is_multivolume(headers):
            raise _multivolume(subject) from exc
        if any(getattr(h, "needs_password", lambda: False)() for h in headers):
            raise _rar_encrypted(subject) from exc
        raise _damaged(subject, "a RAR archive", str(exc)) from exc
    if needs_password or any(info.needs_password() for info in infos):
        raise _rar_encrypted(subject)
    if _rar_is_multivolume(headers):
        raise _multivolume(subject)
    for info in infos:
        if info.is_symlink() or getattr(info, "file_redir", None):
            raise subject.error(
                ARCHIVE_UNSAFE,
                f'{subject} contains a link ("{_printable(info.filename)}"). Links in archives '
                "can point at other files on the computer that unpacks them: create the archive "
                "again from the files themselves.",
            )
    members = {
        _member_path(info.filename).rstrip("/"): _Member(
            path=_member_path(info.filename),
            packed=info.compress_size,
            declared=info.file_size,
            is_dir=info.is_dir(),
        )
        for info in infos
    }
    listed = list(members.values())
    _check_member_headers(listed, subject, rules, budget)
    return _inspect_rar_content(data, members, subject, rules, budget)


def _inspect_rar_content(
    data: bytes,
    members: dict[str, _Member],
    subject: _Subject,
    rules: EvidenceRules,
    budget: _Budget,
) -> list[tuple[str, str, int]]:
    """Streams the content with libarchive, matching each entry to its checked header."""
    try:
        import libarchive
    except Exception as exc:  # libarchive-c fails in several ways when libarchive is missing
        raise RuntimeError(
            "RAR inspection needs libarchive: install it (Debian: apt-get install libarchive13)"
        ) from exc

    format_name = "rar5" if data.startswith(_RAR5_SIGNATURE) else "rar"
    listing: list[tuple[str, str, int]] = []
    unread = {key for key, member in members.items() if not member.is_dir}
    try:
        with libarchive.memory_reader(data, format_name=format_name, filter_name="none") as reader:
            for entry in reader:
                path = _member_path(entry.pathname or "")
                member = members.get(path.rstrip("/"))
                if member is None or entry.issym or entry.islnk:
                    raise subject.error(
                        ARCHIVE_UNSAFE,
                        f"{subject} holds content its headers do not list "
                        f'("{_printable(path)}"). Create the archive again.',
                    )
                if entry.isdir or member.is_dir:
                    continue
                unread.discard(path.rstrip("/"))
                blocks = entry.get_blocks(CHUNK)
                member.open = lambda blocks=blocks: blocks
                listing.extend(_inspect_members([member], subject, rules, budget))
    except libarchive.ArchiveError as exc:
        raise _damaged(subject, "a RAR archive", str(exc)) from exc
    if unread:
        raise _damaged(subject, "a RAR archive", f"{sorted(unread)[0]} could not be read")
    return listing


def _rar_is_multivolume(headers: list[Any]) -> bool:
    import rarfile

    for header in headers:
        flags = getattr(header, "flags", 0) or 0
        if header.type == rarfile.RAR_BLOCK_MAIN and flags & rarfile.RAR_MAIN_VOLUME:
            return True
        if header.type == rarfile.RAR_BLOCK_ENDARC and flags & rarfile.RAR_ENDARC_NEXT_VOLUME:
            return True
        if header.type == rarfile.RAR_BLOCK_FILE and flags & (
            rarfile.RAR_FILE_SPLIT_BEFORE | rarfile.RAR_FILE_SPLIT_AFTER
        ):
            return True
    return False


def _multivolume(subject: _Subject) -> EvidenceError:
    return subject.error(
        ARCHIVE_UNSAFE,
        f"{subject} is one part of an archive split into several files (a multi-volume RAR), "
        "which cannot be checked on its own. Create a single archive (a .zip) and attach that.",
    )


def _rar_encrypted(subject: _Subject) -> EvidenceError:
    return subject.error(
        ARCHIVE_ENCRYPTED,
        f"{subject} is protected with a password, so its content cannot be checked. Create the "
        "archive again without a password.",
    )

"""Evidence inspection: every accepted format, and every way a file is refused.

These tests need no Django and no database: run them with
`pytest tests/evidence -q -p no:django`.
"""

from __future__ import annotations

import email.message
import hashlib
import io
import pickle
import zipfile
import zlib
from collections.abc import Callable

import libarchive
import olefile
import pytest
import rarfile
from PIL import Image

from ombuds.evidence.inspection import (
    ARCHIVE_ENCRYPTED,
    ARCHIVE_UNSAFE,
    FORMAT,
    REQUIRED,
    TOO_LARGE,
    TOO_MANY,
    ZIP_REQUIRED,
    EvidenceError,
    InspectedFile,
    check_evidence_set,
    inspect_file,
    safe_filename,
)
from ombuds.policy.schema import EVIDENCE_FORMATS, EvidenceRules
from tests.evidence import corpus

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _email_over_smtp() -> None:
    """Overrides the project conftest's autouse fixture: these tests send no email and must
    run without pytest-django (its `settings` fixture is not there under -p no:django)."""


def rules(**overrides: object) -> EvidenceRules:
    values: dict[str, object] = {
        "allowed_formats": list(EVIDENCE_FORMATS),
        "max_file_bytes": 2 * MB,
        "max_archive_bytes": 2 * MB,
        "help": "Attach your evidence.",
    }
    values.update(overrides)
    return EvidenceRules(**values)  # type: ignore[arg-type]


ALL = rules()


def inspect(data: bytes, name: str, evidence_rules: EvidenceRules = ALL) -> InspectedFile:
    return inspect_file(io.BytesIO(data), name, evidence_rules)


def refusal(data: bytes, name: str, evidence_rules: EvidenceRules = ALL) -> EvidenceError:
    with pytest.raises(EvidenceError) as caught:
        inspect(data, name, evidence_rules)
    return caught.value


# --------------------------------------------------------------------------- accepted files

GOOD: list[tuple[str, Callable[[], bytes], str]] = [
    ("contract.doc", corpus.doc, "doc"),
    ("contract.docx", corpus.docx, "docx"),
    ("orders.xls", corpus.xls, "xls"),
    ("orders.xlsx", corpus.xlsx, "xlsx"),
    ("mail.eml", corpus.eml, "eml"),
    ("mime-first.eml", corpus.eml_mime_version_first, "eml"),
    ("mail.msg", corpus.msg, "msg"),
    ("receipt.pdf", corpus.pdf, "pdf"),
    ("photo.jpg", corpus.jpg, "jpg"),
    ("photo.JPEG", corpus.jpg, "jpg"),
    ("screen.png", corpus.png, "png"),
    ("anim.gif", corpus.gif, "gif"),
    ("photo.webp", corpus.webp, "webp"),
    ("notes.txt", corpus.txt, "txt"),
    ("bundle.zip", lambda: corpus.zip_of({"a.pdf": corpus.pdf(), "b.jpg": corpus.jpg()}), "zip"),
    ("bundle.rar", lambda: corpus.rar_of({"a.pdf": corpus.pdf(), "d/b.jpg": corpus.jpg()}), "rar"),
]


@pytest.mark.parametrize(("name", "make", "fmt"), GOOD, ids=[g[0] for g in GOOD])
def test_good_file_is_accepted_with_its_format_and_checksum(
    name: str, make: Callable[[], bytes], fmt: str
) -> None:
    data = make()
    result = inspect(data, name)
    assert result.format == fmt
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.size == len(data)
    assert result.safe_name == name
    assert result.mime.count("/") == 1


def test_mime_is_the_canonical_type_of_the_format() -> None:
    assert inspect(corpus.docx(), "a.docx").mime == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert inspect(corpus.eml(), "a.eml").mime == "message/rfc822"
    assert inspect(corpus.jpg(), "a.jpg").mime == "image/jpeg"


def test_real_files_on_disk(tmp_path: object) -> None:
    files = {
        "a.pdf": corpus.pdf(),
        "b.doc": corpus.doc(),
        "c.zip": corpus.zip_of({"x.gif": corpus.gif()}),
    }
    for path in corpus.write_all(str(tmp_path), files):
        with open(path, "rb") as handle:
            result = inspect_file(handle, path, ALL)
            assert handle.tell() == 0  # left at the start, for the caller to store it
        assert result.safe_name == path.rsplit("/", 1)[-1]


def test_archive_lists_its_members() -> None:
    result = inspect(corpus.rar_of({"a.pdf": corpus.pdf(), "d/b.jpg": corpus.jpg()}), "x.rar")
    assert result.archive_members == (
        ("a.pdf", "pdf", len(corpus.pdf())),
        ("d/b.jpg", "jpg", len(corpus.jpg())),
    )


def test_one_nested_zip_is_accepted_and_its_members_inspected() -> None:
    inner = corpus.zip_of({"receipt.pdf": corpus.pdf(), "photo.jpg": corpus.jpg()})
    result = inspect(corpus.zip_of({"inner.zip": inner, "notes.txt": corpus.txt()}), "all.zip")
    names = [m[0] for m in result.archive_members]
    assert names == ["inner.zip", "inner.zip/receipt.pdf", "inner.zip/photo.jpg", "notes.txt"]
    assert result.archive_members[0][1] == "zip"


def test_zip_inside_rar_is_one_level_and_accepted() -> None:
    inner = corpus.zip_of({"receipt.pdf": corpus.pdf()})
    result = inspect(corpus.rar_of({"inner.zip": inner}), "x.rar")
    assert [m[:2] for m in result.archive_members] == [
        ("inner.zip", "zip"),
        ("inner.zip/receipt.pdf", "pdf"),
    ]


def test_finder_metadata_in_a_zip_is_tolerated_and_not_listed() -> None:
    apple_double = b"\x00\x05\x16\x07\x00\x02\x00\x00" + bytes(74)
    data = corpus.zip_of(
        {
            "photo.jpg": corpus.jpg(),
            "__MACOSX/._photo.jpg": apple_double,
            ".DS_Store": b"\x00\x00\x00\x01Bud1" + bytes(60),
        }
    )
    result = inspect(data, "mac.zip")
    assert [m[0] for m in result.archive_members] == ["photo.jpg"]


def test_content_decides_the_format_and_the_safe_name_follows_it() -> None:
    png_named_jpg = inspect(corpus.png(), "screen.jpg")
    assert (png_named_jpg.format, png_named_jpg.safe_name) == ("png", "screen.png")
    no_extension = inspect(corpus.pdf(), "scan")
    assert (no_extension.format, no_extension.safe_name) == ("pdf", "scan.pdf")
    unknown_extension = inspect(corpus.pdf(), "scan.final")
    assert unknown_extension.safe_name == "scan.final.pdf"


def test_email_named_txt_is_text_when_eml_is_not_allowed() -> None:
    result = inspect(corpus.eml(), "mail.txt", rules(allowed_formats=["txt", "pdf"]))
    assert result.format == "txt"


def test_text_with_one_header_like_line_is_text_not_email() -> None:
    result = inspect(b"Subject: my complaint\n\nThe seller never answered.\n", "c.txt")
    assert result.format == "txt"


def test_reads_no_more_than_the_largest_limit_plus_one_byte() -> None:
    class CountingStream(io.BytesIO):
        read_total = 0
        size = 0  # a Django UploadedFile that under-reports its size

        def read(self, n: int | None = -1) -> bytes:
            chunk = super().read(n)
            self.read_total += len(chunk)
            return chunk

    stream = CountingStream(corpus.random_bytes(3 * MB))
    with pytest.raises(EvidenceError) as caught:
        inspect_file(stream, "big.pdf", rules(max_file_bytes=MB, max_archive_bytes=MB))
    assert caught.value.code == TOO_LARGE
    assert stream.read_total <= MB + 1


# --------------------------------------------------------------------------- refused files


def _zip_with_raw(*members: corpus.RawMember) -> bytes:
    return corpus.raw_zip(members)


BAD: list[tuple[str, Callable[[], bytes], str, str]] = [
    ("empty.pdf", lambda: b"", FORMAT, "is empty"),
    ("invoice.pdf", corpus.elf, FORMAT, "a Linux program"),
    ("invoice.pdf", corpus.pe, FORMAT, "a Windows program"),
    ("page.pdf", corpus.html, FORMAT, "a web page (HTML)"),
    ("notes.txt", corpus.shell_script, FORMAT, "a script"),
    ("notes.txt", lambda: b"<?php system($_GET['c']); ?>\n", FORMAT, "PHP script"),
    ("readme.html", corpus.txt, FORMAT, "name of a program or script (.html)"),
    ("invoice.pdf.exe", corpus.pdf, FORMAT, "name of a program or script (.exe)"),
    ("random.bin", lambda: corpus.random_bytes(5000), FORMAT, "a file of unknown type"),
    ("slides.doc", lambda: corpus.cfb({"PowerPoint Document": bytes(5000)}), FORMAT,
     "not a Word, Excel or Outlook file"),
    ("macro.doc", lambda: corpus.cfb({"WordDocument": bytes(5000), "Macros/VBA/dir": b"x"}),
     FORMAT, "contains macros"),
    ("locked.docx", lambda: corpus.cfb({"EncryptionInfo": b"x" * 100, "EncryptedPackage": bytes(5000)}),
     FORMAT, "protected with a password"),
    ("fake.docx", lambda: corpus.zip_of({"notes.txt": b"hello"}), FORMAT,
     "its content is a zip archive (.zip), not a Word document"),
    ("archive.pdf", lambda: corpus.zip_of({"a.pdf": corpus.pdf()}), FORMAT,
     "its content is a zip archive (.zip), not a PDF document"),
    ("report.docm", lambda: corpus.zip_of({
        "[Content_Types].xml": b'<Types><Override PartName="/word/document.xml" ContentType='
        b'"application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>',
        "word/document.xml": b"<w/>", "word/vbaProject.bin": b"x"}), FORMAT, "macros"),
    ("deck.pptx", lambda: corpus.zip_of({
        "[Content_Types].xml": b'<Types><Override PartName="/ppt/presentation.xml" ContentType='
        b'"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"'
        b"/></Types>", "ppt/presentation.xml": b"<p/>"}), FORMAT, "PowerPoint presentation"),
    ("broken.zip", lambda: corpus.zip_of({"a.pdf": corpus.pdf()})[:-30], FORMAT, "cannot be read"),
    ("cut.pdf", lambda: corpus.pdf()[:-40], FORMAT, "does not end like a PDF"),
    ("lying.zip", lambda: _zip_with_raw(corpus.RawMember(
        b"a.txt", zlib.compress(bytes(10 * MB))[2:-4], 1000, zlib.crc32(bytes(10 * MB)),
        method=zipfile.ZIP_DEFLATED)), FORMAT, "cannot be read"),
    # polyglots
    ("cat.gif", lambda: corpus.gif() + corpus.zip_of({"x.txt": b"hi"}), FORMAT,
     "GIF image (.gif) with a zip archive hidden inside it"),
    ("cat.gif", lambda: corpus.gif() + corpus.pe(), FORMAT, "with a Windows program hidden"),
    ("cat.png", lambda: corpus.png() + corpus.elf(), FORMAT, "with a Linux program hidden"),
    ("cat.jpg", lambda: corpus.jpg() + corpus.zip_of({"x.txt": b"hi"}), FORMAT,
     "JPEG image (.jpg) with a zip archive hidden"),
    ("cat.jpg", lambda: corpus.jpg() + corpus.rar_of({"x.txt": b"hi"}), FORMAT,
     "with a RAR archive hidden"),
    ("doc.pdf", lambda: corpus.pdf() + corpus.zip_of({"x.txt": b"hi"}), FORMAT,
     "PDF document (.pdf) with a zip archive hidden"),
    ("js.pdf", corpus.pdf_with_javascript, FORMAT, "contains JavaScript"),
    ("js.pdf", corpus.pdf_with_escaped_javascript, FORMAT, "contains JavaScript"),
    ("js.pdf", corpus.pdf_with_javascript_in_object_stream, FORMAT, "contains JavaScript"),
    ("run.pdf", corpus.pdf_with_launch, FORMAT, "launch action"),
    ("attach.pdf", lambda: corpus.pdf(extra_catalog=b"/Names << /EmbeddedFiles 9 0 R >> "),
     FORMAT, "embedded files"),
    ("short.pdf", lambda: corpus.pdf(extra_catalog=b"/AA << /O << /S /X /JS (x) >> >> "),
     FORMAT, "(/JS)"),
    ("mail.eml", lambda: corpus.eml_with_attachment("invoice.exe", corpus.pe()), FORMAT,
     'attachment "invoice.exe" that is a Windows program'),
    ("mail.eml", lambda: corpus.eml_with_attachment("invoice.pdf", corpus.elf()), FORMAT,
     "a Linux program"),
    ("mail.msg", lambda: corpus.msg_with_attachment("setup.exe", corpus.pe()), FORMAT,
     'attachment "setup.exe" that is a Windows program'),
    ("mail.msg", lambda: corpus.msg_with_attachment("run.js", b"alert(1)"), FORMAT, "a .js file"),
    # archives
    ("bomb.zip", corpus.overlap_bomb, ARCHIVE_UNSAFE, "overlap"),
    ("zeros.zip", corpus.deflate_bomb, ARCHIVE_UNSAFE, "more than 100 times its packed size"),
    ("evil.zip", lambda: corpus.zip_of({"../../etc/passwd": b"x"}), ARCHIVE_UNSAFE, "'..'"),
    ("evil.zip", lambda: corpus.zip_of({"..\\..\\windows\\x.txt": b"x"}), ARCHIVE_UNSAFE, "'..'"),
    ("evil.zip", lambda: _zip_with_raw(corpus.stored("/etc/cron.d/x", b"x")), ARCHIVE_UNSAFE,
     "absolute path"),
    ("evil.zip", lambda: _zip_with_raw(corpus.stored("C:/Windows/x.txt", b"x")), ARCHIVE_UNSAFE,
     "drive letter"),
    ("evil.zip", lambda: _zip_with_raw(corpus.stored("a.txt\x00.pdf", b"x")), ARCHIVE_UNSAFE,
     "NUL character"),
    ("evil.zip", lambda: _zip_with_raw(corpus.stored("a\nb.txt", b"x")), ARCHIVE_UNSAFE,
     "control character"),
    ("twice.zip", lambda: _zip_with_raw(corpus.stored("a.txt", b"x"), corpus.stored("A.TXT", b"y")),
     ARCHIVE_UNSAFE, "twice"),
    ("link.zip", lambda: _zip_with_raw(
        corpus.stored("passwd", b"/etc/passwd", external_attr=0o120777 << 16)), ARCHIVE_UNSAFE,
     "contains a link"),
    ("deep.zip", lambda: corpus.zip_of({"a.zip": corpus.zip_of({"b.zip": corpus.zip_of(
        {"x.pdf": corpus.pdf()})})}), ARCHIVE_UNSAFE, "archive inside an archive inside an archive"),
    ("prog.zip", lambda: corpus.zip_of({"invoice.pdf": corpus.pe()}), ARCHIVE_UNSAFE,
     '"invoice.pdf" in "prog.zip" is a Windows program'),
    ("prog.zip", lambda: corpus.zip_of({"tool": corpus.elf()}), ARCHIVE_UNSAFE, "Linux program"),
    ("prog.zip", lambda: corpus.zip_of({"tool": b"\xcf\xfa\xed\xfe" + bytes(60)}), ARCHIVE_UNSAFE,
     "macOS program"),
    ("prog.zip", lambda: corpus.zip_of({"notes": corpus.shell_script()}), ARCHIVE_UNSAFE, "a script"),
    ("prog.zip", lambda: corpus.zip_of({"notes.js": b"var a = 1;"}), ARCHIVE_UNSAFE, "(.js)"),
    ("prog.zip", lambda: corpus.zip_of({"x.lnk": b"L\x00\x00\x00"}), ARCHIVE_UNSAFE, "(.lnk)"),
    ("prog.zip", lambda: corpus.zip_of({"Tool.app/Contents/Info.txt": b"x"}), ARCHIVE_UNSAFE,
     "(.app)"),
    ("prog.zip", lambda: corpus.zip_of({"page.txt": corpus.html()}), ARCHIVE_UNSAFE, "web page"),
    ("poly.zip", lambda: corpus.zip_of({"cat.gif": corpus.gif() + corpus.pe()}), ARCHIVE_UNSAFE,
     "hidden inside it"),
    ("mixed.zip", lambda: corpus.zip_of({"data.xml": b"<?xml version='1.0'?><a/>"}), FORMAT,
     '"data.xml" in "mixed.zip" is an XML file'),
    ("mixed.zip", lambda: corpus.zip_of({"empty.pdf": b""}), FORMAT, "is empty"),
    ("secret.zip", corpus.encrypted_zip, ARCHIVE_ENCRYPTED, "protected with a password"),
    ("secret.rar", lambda: corpus.rar5([corpus.RarMember("a.pdf", corpus.pdf(), encrypted=True)]),
     ARCHIVE_ENCRYPTED, "protected with a password"),
    ("secret.rar", lambda: corpus.rar5([], header_encrypted=True), ARCHIVE_ENCRYPTED, "password"),
    ("part1.rar", lambda: corpus.rar5([corpus.RarMember("a.pdf", corpus.pdf(), split_after=True)],
     volume=True), ARCHIVE_UNSAFE, "multi-volume"),
    ("link.rar", lambda: corpus.rar5([corpus.RarMember("x", symlink_to="/etc/passwd")]),
     ARCHIVE_UNSAFE, "contains a link"),
    ("evil.rar", lambda: corpus.rar_of({"../x.pdf": corpus.pdf()}), ARCHIVE_UNSAFE, "'..'"),
    ("prog.rar", lambda: corpus.rar_of({"a.pdf": corpus.pe()}), ARCHIVE_UNSAFE, "Windows program"),
    ("prog.rar", lambda: corpus.rar_of({"run.bat": b"del *"}), ARCHIVE_UNSAFE, "(.bat)"),
    ("deep.rar", lambda: corpus.rar_of({"a.zip": corpus.zip_of({"b.rar": corpus.rar_of(
        {"x.pdf": corpus.pdf()})})}), ARCHIVE_UNSAFE, "inside an archive inside an archive"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "make", "code", "words"), BAD, ids=[f"{b[0]}-{b[3][:28]}" for b in BAD]
)
def test_bad_file_is_refused_with_its_code_and_an_explanation(
    name: str, make: Callable[[], bytes], code: str, words: str
) -> None:
    error = refusal(make(), name)
    assert error.code == code, error.message
    assert words in error.message
    assert error.filename == name
    assert str(error) == error.message


def test_format_not_allowed_names_the_kind_and_the_allowed_formats() -> None:
    error = refusal(corpus.jpg(), "photo.jpg", rules(allowed_formats=["pdf", "doc", "docx"]))
    assert error.code == FORMAT
    assert error.message == (
        '"photo.jpg" is a JPEG image (.jpg), which is not accepted here. Accepted formats: '
        ".pdf, .doc, .docx. Convert it to one of these formats, or attach another file."
    )


def test_member_of_a_format_not_allowed_is_refused() -> None:
    data = corpus.zip_of({"a.pdf": corpus.pdf(), "b.png": corpus.png()})
    error = refusal(data, "x.zip", rules(allowed_formats=["zip", "pdf", "jpg"]))
    assert error.code == FORMAT
    assert '"b.png" in "x.zip" is a PNG image (.png), which is not accepted here' in error.message


def test_nested_archive_must_be_an_allowed_format_too() -> None:
    data = corpus.zip_of({"inner.zip": corpus.zip_of({"a.pdf": corpus.pdf()})})
    assert inspect(data, "x.zip", rules(allowed_formats=["zip", "pdf"])).format == "zip"
    error = refusal(
        corpus.rar_of({"inner.zip": data}), "x.rar", rules(allowed_formats=["rar", "pdf"])
    )
    assert error.code == FORMAT and "zip archive (.zip), which is not accepted" in error.message


def test_too_large_file_names_the_limit_in_mb() -> None:
    data = corpus.pdf_with_random_payload(int(2.5 * MB))
    error = refusal(data, "scan.pdf")
    assert error.code == TOO_LARGE
    assert "a file may be at most 2 MB (this one is 2.6 MB)" in error.message


def test_too_large_archive_names_the_archive_limit() -> None:
    members = {f"p{i}.jpg": corpus.noisy_jpg(150_000, seed=i) for i in range(4)}
    data = corpus.zip_of(members)
    limits = rules(max_file_bytes=int(0.5 * MB), max_archive_bytes=int(0.5 * MB) - 1)
    assert len(data) > limits.max_file_bytes
    error = refusal(data, "photos.zip", limits)
    assert error.code == TOO_LARGE
    assert "an archive (.zip or .rar) may be at most 0.5 MB" in error.message


def test_file_under_the_archive_limit_but_over_the_file_limit_is_too_large() -> None:
    data = corpus.pdf_with_random_payload(int(1.5 * MB))
    error = refusal(data, "scan.pdf", rules(max_file_bytes=MB, max_archive_bytes=3 * MB))
    assert error.code == TOO_LARGE
    assert "a file may be at most 1 MB (this one is 1.6 MB)" in error.message


def test_archive_member_larger_than_any_file_may_be() -> None:
    data = corpus.zip_of({"big.pdf": corpus.pdf_with_random_payload(int(1.2 * MB))})
    assert len(data) < 1.5 * MB
    error = refusal(data, "x.zip", rules(max_file_bytes=MB, max_archive_bytes=int(1.5 * MB)))
    assert error.code == TOO_LARGE
    assert '"big.pdf" in "x.zip" is too large' in error.message


def test_too_many_members() -> None:
    data = corpus.zip_of({f"{i}.txt": b"note %d" % i for i in range(6)})
    error = refusal(data, "notes.zip", rules(archive_max_members=5))
    assert error.code == ARCHIVE_UNSAFE
    assert "more than 5 files and folders" in error.message


def test_members_count_across_nesting_levels() -> None:
    inner = corpus.zip_of({f"{i}.txt": b"note %d" % i for i in range(4)})
    data = corpus.zip_of({"inner.zip": inner, "a.txt": b"a note"})
    assert inspect(data, "x.zip", rules(archive_max_members=6)).format == "zip"
    assert refusal(data, "x.zip", rules(archive_max_members=5)).code == ARCHIVE_UNSAFE


def test_total_unpacked_size_is_limited() -> None:
    data = corpus.zip_of({"a.pdf": corpus.pdf_with_random_payload(700_000, seed=1),
                          "b.pdf": corpus.pdf_with_random_payload(700_000, seed=2)})  # fmt: skip
    error = refusal(data, "x.zip", rules(archive_max_uncompressed_bytes=MB))
    assert error.code == ARCHIVE_UNSAFE
    assert "unpacks to more than 1 MB" in error.message


def test_small_members_may_compress_very_well() -> None:
    data = corpus.zip_of({"blank.txt": b"x\n" * 100_000})  # 200 KB, ratio ~ 500
    assert inspect(data, "x.zip").format == "zip"


def test_ratio_limit_follows_the_rules() -> None:
    text = b"The seller never shipped. " * 80_000  # 2 MB of text, ratio ~ 300+
    data = corpus.zip_of({"long.txt": text})
    assert refusal(data, "x.zip").code == ARCHIVE_UNSAFE
    assert inspect(data, "x.zip", rules(archive_max_ratio=5000)).format == "zip"


# --------------------------------------------------------------------------- safe names


@pytest.mark.parametrize(
    ("given", "fmt", "expected"),
    [
        ("../../evil\x00.pdf", "pdf", "evil.pdf"),
        ("C:\\Users\\ann\\Desktop\\receipt.pdf", "pdf", "receipt.pdf"),
        ("/etc/passwd", None, "passwd"),
        (".htaccess", None, "htaccess"),
        ("...pdf", "pdf", "pdf.pdf"),
        ("", "pdf", "evidence.pdf"),
        ("   ", None, "evidence"),
        ("con.pdf", "pdf", "_con.pdf"),
        ("a<b>:c|d?e*.pdf", "pdf", "a_b__c_d_e_.pdf"),
        ('say "hi".txt', "txt", "say _hi_.txt"),
        ("invoice\u202efdp.exe", None, "invoicefdp.exe"),
        ("tab\tand\nnewline.pdf", "pdf", "tabandnewline.pdf"),
        ("report.pdf. . ", "pdf", "report.pdf"),
        ("photo.jpeg", "jpg", "photo.jpeg"),
        ("photo.png", "jpg", "photo.jpg"),
        ("photo", "jpg", "photo.jpg"),
        ("Résumé.pdf", "pdf", "Résumé.pdf"),
    ],
)
def test_safe_filename(given: str, fmt: str | None, expected: str) -> None:
    assert safe_filename(given, fmt) == expected


def test_safe_filename_limits_length_keeping_the_extension() -> None:
    name = safe_filename("a" * 400 + ".pdf", "pdf")
    assert len(name) == 150
    assert name.endswith("aaa.pdf")
    wide = safe_filename("日本" * 200 + ".xlsx", "xlsx")
    assert len(wide.encode("utf-8")) <= 255 and wide.endswith(".xlsx")


def test_inspected_file_has_the_safe_name() -> None:
    result = inspect(corpus.pdf(), "..\\..\\Windows\\evil\x00.pdf")
    assert result.safe_name == "evil.pdf"
    assert not inspect(corpus.pdf(), ".hidden.pdf").safe_name.startswith(".")


# --------------------------------------------------------------------------- sets of files


def _file(fmt: str, name: str) -> InspectedFile:
    return InspectedFile(format=fmt, mime="x/y", size=1, sha256="0" * 64, safe_name=name)


def test_required_evidence_missing() -> None:
    [error] = check_evidence_set([], rules(required=True, allowed_formats=["pdf", "jpg"]))
    assert error.code == REQUIRED
    assert "attach at least one file (.pdf, .jpg)" in error.message
    assert check_evidence_set([], rules()) == []


def test_too_many_files() -> None:
    files = [_file(fmt, f"a.{fmt}") for fmt in ("pdf", "jpg", "png", "gif")]
    [error] = check_evidence_set(files, rules(max_files=3))
    assert error.code == TOO_MANY
    assert "You attached 4 files; at most 3 are allowed" in error.message


def test_same_format_twice_needs_a_zip() -> None:
    files = [_file("pdf", "a.pdf"), _file("pdf", "b.pdf"), _file("jpg", "c.jpg")]
    [error] = check_evidence_set(files, rules())
    assert error.code == ZIP_REQUIRED
    assert '2 files of the same type (a PDF document (.pdf)): "a.pdf", "b.pdf"' in error.message
    assert "Put them in one .zip file" in error.message
    assert error.filename == "a.pdf, b.pdf"


def test_same_format_twice_without_zip_allowed_says_attach_one() -> None:
    files = [_file("pdf", "a.pdf"), _file("pdf", "b.pdf")]
    [error] = check_evidence_set(files, rules(allowed_formats=["pdf"]))
    assert error.code == ZIP_REQUIRED
    assert "Attach only the most important pdf file" in error.message


def test_several_archives_need_one_zip() -> None:
    [error] = check_evidence_set([_file("zip", "a.zip"), _file("rar", "b.rar")], rules())
    assert error.code == ZIP_REQUIRED
    assert "put all the files in one .zip file" in error.message


def test_one_file_per_format_can_be_switched_off() -> None:
    files = [
        _file("pdf", "a.pdf"),
        _file("pdf", "b.pdf"),
        _file("zip", "c.zip"),
        _file("zip", "d.zip"),
    ]
    assert check_evidence_set(files, rules(one_file_per_format=False)) == []


def test_one_of_each_is_fine() -> None:
    files = [_file("pdf", "a.pdf"), _file("jpg", "b.jpg"), _file("zip", "c.zip")]
    assert check_evidence_set(files, rules()) == []


def test_evidence_error_survives_pickling() -> None:
    error = EvidenceError(FORMAT, "message", "a.pdf")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.message, copy.filename) == (FORMAT, "message", "a.pdf")


# --------------------------------------------------------------------------- the corpus itself


def test_corpus_cfb_is_read_back_by_olefile() -> None:
    ole = olefile.OleFileIO(corpus.msg())
    assert ole.exists("__substg1.0_0037001F")
    assert ole.openstream("__substg1.0_0037001F").read().decode("utf-16-le") == (
        "Order 1234 not shipped"
    )
    assert ole.root.clsid == "00020D0B-0000-0000-C000-000000000046"
    doc = olefile.OleFileIO(corpus.doc())
    assert doc.openstream("WordDocument").read(2) == b"\xec\xa5"  # the FIB's wIdent


def test_corpus_rar5_is_listed_by_rarfile_and_read_by_libarchive() -> None:
    data = corpus.rar_of({"a.pdf": corpus.pdf(), "notes/b.txt": corpus.txt()})
    archive = rarfile.RarFile(io.BytesIO(data), errors="strict")
    assert archive.namelist() == ["a.pdf", "notes/b.txt"]
    assert archive.read("a.pdf") == corpus.pdf()  # rarfile checks the CRC32
    with libarchive.memory_reader(data, format_name="rar5") as reader:
        contents = {entry.pathname: b"".join(entry.get_blocks()) for entry in reader}
    assert contents == {"a.pdf": corpus.pdf(), "notes/b.txt": corpus.txt()}
    encrypted = corpus.rar5([corpus.RarMember("a.pdf", corpus.pdf(), encrypted=True)])
    assert rarfile.RarFile(io.BytesIO(encrypted)).needs_password()


def test_corpus_zip_bombs_are_small_and_unpack_past_their_limits() -> None:
    bomb = corpus.overlap_bomb()
    archive = zipfile.ZipFile(io.BytesIO(bomb))
    assert len(bomb) <= 50 * 1024
    assert sum(info.file_size for info in archive.infolist()) > 1024 * MB
    with archive.open(archive.infolist()[-1]) as member:  # read to the end: zipfile checks CRC
        while member.read(MB):
            pass
    assert len(corpus.deflate_bomb()) <= 50 * 1024


def test_corpus_zipcrypto_decrypts_with_the_password() -> None:
    archive = zipfile.ZipFile(io.BytesIO(corpus.encrypted_zip(b"secret")))
    assert archive.read("receipt.pdf", pwd=b"secret") == corpus.pdf()


def test_corpus_crc32_combine_matches_zlib() -> None:
    first, second = b"local header", bytes(100_000) + b"tail"
    combined = corpus.crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second))
    assert combined == zlib.crc32(first + second)


def test_corpus_images_open_in_pillow() -> None:
    for make in (corpus.jpg, corpus.png, corpus.gif, corpus.webp):
        Image.open(io.BytesIO(make())).verify()


# --------------------------------------------------------------------------- details


def test_headers_are_not_trusted_streaming_caps_stop_a_bomb_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With every header check switched off, the byte caps still stop the bomb early."""
    from ombuds.evidence import inspection

    monkeypatch.setattr(inspection, "_check_zip_entries", lambda *args: None)
    monkeypatch.setattr(inspection, "_check_member_headers", lambda *args: None)
    ratio = refusal(corpus.overlap_bomb(), "bomb.zip")
    assert ratio.code == ARCHIVE_UNSAFE and "times its packed size" in ratio.message
    total = refusal(
        corpus.overlap_bomb(),
        "bomb.zip",
        rules(archive_max_ratio=10**6, archive_max_uncompressed_bytes=5 * MB),
    )
    assert total.code == ARCHIVE_UNSAFE and "unpacks to more than 5 MB" in total.message


def test_image_carrying_php_in_its_metadata_is_refused() -> None:
    out = io.BytesIO()
    Image.open(io.BytesIO(corpus.jpg())).save(out, "JPEG", comment=b"<?php system($_GET[0]); ?>")
    error = refusal(out.getvalue(), "photo.jpg")
    assert error.code == FORMAT and "carries web code (<?php" in error.message


def test_utf16_text_is_text() -> None:
    data = "\ufeffThe seller did not answer.\r\n".encode("utf-16-le")
    assert inspect(data, "notes.txt").format == "txt"


def test_email_with_an_html_body_is_an_email() -> None:
    message = email.message.EmailMessage()
    message["From"] = "shop@example.com"
    message["To"] = "ann@example.com"
    message["Subject"] = "Your order"
    message.set_content("Plain version")
    message.add_alternative("<html><body><p>HTML version</p></body></html>", subtype="html")
    assert inspect(message.as_bytes(), "order.eml").format == "eml"


def test_mbox_from_line_before_the_headers() -> None:
    data = b"From ann@example.com Wed May  1 10:00:00 2024\n" + corpus.eml()
    assert inspect(data, "mail.eml").format == "eml"


def test_member_names_are_listed_with_forward_slashes() -> None:
    data = corpus.raw_zip([corpus.stored("docs\\receipt.pdf", corpus.pdf())])
    assert inspect(data, "x.zip").archive_members == (
        ("docs/receipt.pdf", "pdf", len(corpus.pdf())),
    )


def test_pdf_names_inside_image_bytes_are_not_a_false_alarm() -> None:
    payload = (
        corpus.random_bytes(4000) + b" /JS (not code, pixel bytes) " + corpus.random_bytes(4000)
    )
    assert inspect(corpus.pdf(payload=payload), "scan.pdf").format == "pdf"


def test_pdf_objects_hidden_after_a_short_stream_length_are_checked() -> None:
    # A reader trusting /Length 4 parses what follows the 4 bytes as objects.
    hidden = (
        b"<< /Length 4 >>\nstream\nabcd\nendobj 9 0 obj << /S /X /JS (app.alert(1)) >>\nendstream"
    )
    error = refusal(corpus.pdf(extra_objects=[hidden]), "trick.pdf")
    assert error.code == FORMAT and "(/JS)" in error.message


def test_invisible_characters_cannot_disguise_a_program_name() -> None:
    error = refusal(corpus.pdf(), "invoice\u202efdp.ex\u200be")
    assert error.code == FORMAT and "(.exe)" in error.message


def test_size_reported_by_the_upload_is_used_before_reading() -> None:
    class Upload(io.BytesIO):
        size = 5 * MB  # Django's UploadedFile.size

    error = refusal_stream(Upload(corpus.pdf()), "scan.pdf")
    assert error.code == TOO_LARGE and "(this one is 5 MB)" in error.message


def refusal_stream(stream: io.BytesIO, name: str) -> EvidenceError:
    with pytest.raises(EvidenceError) as caught:
        inspect_file(stream, name, ALL)
    return caught.value

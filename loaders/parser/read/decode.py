"""Bytes → str for text and web pages: byte-order mark, declared charset, UTF-8, GB18030, UTF-16, a guess."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from loaders.messages import kind, reason, warning
from loaders.models import ParseWarning
from loaders.parser.read.base import HAN, HAN_RANGE, ReadError, normalize_newlines

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Every GB guess is decoded as GB18030, the superset: charset-normalizer and old pages often say gb2312,
# yet real text carries characters outside it.
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "hz", "cp936", "ms936", "euc_cn", "iso2022_cn", "x-gbk"}
# Single-byte Western charsets decode any byte string, so a wrong declaration cannot show up as an error.
_SINGLE_BYTE = {"latin_1", "iso8859_1", "cp1252", "ascii", "iso8859_15"}
_MAX_BAD_SHARE = 0.01  # more control characters / NULs than this: binary, not text
_MAX_REPLACED_SHARE = 0.001  # a few broken bytes in otherwise valid text are tolerated, with a warning


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    warnings: tuple[ParseWarning, ...] = ()


def canonical_codec(label: str | None) -> str | None:
    """Python codec name for a charset label ("GB2312" → "gb18030", "UTF8" → "utf-8"); None if unknown."""
    label = (label or "").strip().strip("\"'").lower()
    if label in _GB_FAMILY:
        return "gb18030"
    try:
        name = codecs.lookup(label).name if label else None
    except LookupError:
        return None
    return "gb18030" if name and name.replace("-", "_") in _GB_FAMILY else name


def decode(data: bytes, name: str, declared: str | None = None) -> Decoded:
    """Decode `data`: a BOM wins, then the declared charset (when it decodes cleanly and nothing else reads
    better), then UTF-8, GB18030, UTF-16 without BOM, then charset-normalizer's guess. Raises ReadError
    for binary content."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _finish(_lenient(data[len(bom) :], encoding, name), name)
    if declared:
        result = _try_declared(data, name, declared)
        if result is not None:
            return _finish(result, name)
    for candidate in _candidates(data):
        result = _strict(data, candidate)
        if result is not None and plausible(result.text, candidate):
            # plausible() for any encoding includes the whole of _finish's check: without a U+FFFD to
            # remove, that check has just been made on this very text
            return _finish(result, name, checked="\ufffd" not in result.text)
    for candidate in ("utf-8", "gb18030"):
        result = _nearly(data, candidate, name)
        if result is not None:
            return _finish(result, name)
    return _finish(_guess(data, name), name)


def _candidates(data: bytes) -> list[str]:
    """Encodings to try strictly, most likely first. UTF-16 without BOM shows as NULs on one byte parity
    (ASCII digits, newlines and 一 = U+4E00 all have a zero byte)."""
    sample = data[:8192]
    half = max(len(sample) // 2, 1)
    zeros_even = sample[0::2].count(0) / half
    zeros_odd = sample[1::2].count(0) / half
    utf16 = []
    if zeros_odd > 0.05 and zeros_even < zeros_odd / 4:
        utf16 = ["utf-16-le"]
    elif zeros_even > 0.05 and zeros_odd < zeros_even / 4:
        utf16 = ["utf-16-be"]
    return [*utf16, "utf-8", "gb18030"]


def _strict(data: bytes, encoding: str) -> Decoded | None:
    try:
        return Decoded(data.decode(encoding), encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _lenient(data: bytes, encoding: str, name: str) -> Decoded:
    strict = _strict(data, encoding)
    if strict is not None:
        return strict
    text = data.decode(encoding, errors="replace")
    return Decoded(text, encoding, (_replaced_warning(text, encoding, name),))


def _nearly(data: bytes, encoding: str, name: str) -> Decoded | None:
    """Valid text in `encoding` except for a few broken bytes (a file cut mid-character, one bad sector)."""
    text = data.decode(encoding, errors="replace")
    bad = text.count("\ufffd")
    if bad > max(3, len(text) * _MAX_REPLACED_SHARE) or not plausible(text.replace("\ufffd", ""), encoding):
        return None
    return Decoded(text, encoding, (_replaced_warning(text, encoding, name),))


def _replaced_warning(text: str, encoding: str, name: str) -> ParseWarning:
    n = text.count("\ufffd")
    return warning("undecodable_bytes", name=name, n=n, encoding=encoding)


def _try_declared(data: bytes, name: str, declared: str) -> Decoded | None:
    """Decode with the page's declared charset unless that is demonstrably wrong: it fails (or, for a
    single-byte charset, reads worse) where another encoding decodes cleanly. None: no usable declaration."""
    codec = canonical_codec(declared)
    if codec is None:
        return None
    result = _strict(data, codec)
    clean_alternative = next(
        (r for c in _candidates(data) if c != codec and (r := _strict(data, c)) and plausible(r.text, c)),
        None,
    )
    trusted = clean_alternative is None or codec not in _SINGLE_BYTE or data.isascii()
    if result is not None and plausible(result.text, codec) and trusted:
        return result
    if clean_alternative is not None:
        wrong = warning("wrong_charset", name=name, declared=declared, encoding=clean_alternative.encoding)
        return Decoded(clean_alternative.text, clean_alternative.encoding, (wrong,))
    text = data.decode(codec, errors="replace")
    if text.count("\ufffd") > len(text) * 0.2:
        return None  # the declaration is hopeless: let detection decide
    return Decoded(text, codec, (_replaced_warning(text, codec, name),))


def _guess(data: bytes, name: str) -> Decoded:
    """Last resort: charset-normalizer's best guess, accepted only when the result reads as text."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    codec = canonical_codec(best.encoding) if best is not None else None
    if codec is not None:
        text = data.decode(codec, errors="replace")
        if plausible(text, codec) and text.count("\ufffd") <= len(text) * 0.01:
            return Decoded(text, codec, (warning("encoding_guessed", name=name, encoding=codec),))
    raise ReadError(name, reason("not_text", kind=kind("binary_or_unknown_encoding")))


def _finish(result: Decoded, name: str, checked: bool = False) -> Decoded:
    if not checked and not plausible(result.text.replace("\ufffd", ""), "utf-8"):
        raise ReadError(name, reason("not_text", kind=kind("binary_control_chars")))
    return Decoded(normalize_newlines(result.text), result.encoding, result.warnings)


def plausible(text: str, encoding: str) -> bool:
    """Does this look like real text? Few control characters, no private-use area; for multi-byte guesses
    (GB18030, UTF-16) the Chinese characters must be mostly common ones (in GB2312), since wrong decodings
    of Chinese produce rare characters."""
    sample = text[:20000]
    if not sample:
        return True
    # Counting with regular expressions and one bulk encode: a loop per character costs 10-40 ms a file.
    if len(_BAD.findall(sample)) > len(sample) * _MAX_BAD_SHARE:
        return False
    if encoding.startswith(("gb", "utf-16", "utf-32")):
        cjk = "".join(HAN.findall(sample))
        # Each CJK character outside GB2312 encodes to one b"?"; GB2312 bytes never include "?".
        common = len(cjk) - cjk.encode("gb2312", "replace").count(b"?")
        readable = len(sample) - len(_UNREADABLE.findall(sample))
        if len(cjk) >= 10 and common < len(cjk) * 0.9:
            return False
        if readable < len(sample) * 0.9:
            return False
    return True


# Control characters (tab, newlines, form feeds aside), C1 controls, the private-use area, U+FFFE.
_BAD = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ufffe]")
# Not ASCII, CJK ideographs, CJK / full-width / general punctuation, NBSP, middle dot or times sign.
_UNREADABLE = re.compile(f"[^\x00-\x7f{HAN_RANGE}\u3000-\u303f\uff00-\uffef\u2000-\u206f\xa0\xb7\xd7]")

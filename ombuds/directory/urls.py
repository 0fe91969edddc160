"""Normal forms of marketplace URLs, so that one page has one key however it is written."""

import re
from urllib.parse import urlsplit

_HAS_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_LOOKS_LIKE_HOST = re.compile(r"^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(:\d+)?(/|$)", re.I)


def looks_like_url(text: str) -> bool:
    text = text.strip()
    return bool(_HAS_SCHEME.match(text) or _LOOKS_LIKE_HOST.match(text))


def normalize_url(url: str) -> str:
    """https, lowercase host without `www.`, no query, fragment or trailing slash."""
    url = url.strip()
    if not _HAS_SCHEME.match(url):
        url = "https://" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    path = re.sub(r"/{2,}", "/", parts.path).rstrip("/")
    return f"https://{host}{port}{path}"

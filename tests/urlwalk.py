"""Walk the URL conf and produce one concrete path per pattern, with sample arguments."""

import re
import uuid
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

SAMPLES = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "uuid": str(uuid.UUID(int=1)),
    "path": "x",
    "drf_format_suffix": ".json",
}


@dataclass(frozen=True)
class WalkedURL:
    path: str
    name: str  # "namespace:name", or the dotted view name when the pattern has no name

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")


def _route_to_path(route: str) -> str:
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "str", "x"), route)


def _regex_to_path(regex: str) -> str:
    text = regex.lstrip("^").rstrip("$").replace("\\Z", "")
    # A named group of alternatives (admin's app_label) takes its first alternative.
    text = re.sub(r"\(\?P<\w+>([\w-]+)(?:\|[^)]*)?\)", r"\1", text)
    # DRF's format suffix, then any other group, becomes a sample value.
    text = re.sub(r"\\\.\(\?P<format>[^)]*\)/?\??", ".json", text)
    text = re.sub(r"\(\?P<\w+>[^)]*\)", "1", text)
    text = re.sub(r"\([^)]*\)", "1", text)
    return text.replace("\\", "").replace("/?", "/").replace("?", "")


def _piece(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return _route_to_path(str(pattern))
    if isinstance(pattern, RegexPattern):
        return _regex_to_path(pattern.regex.pattern)
    return str(pattern)


def walk(resolver: URLResolver | None = None, prefix: str = "/", namespace: str = ""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        piece = _piece(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, prefix + piece, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else entry.lookup_str
            yield WalkedURL(path=prefix + piece, name=name)


def all_urls() -> list[WalkedURL]:
    urls = []
    for url in walk():
        resolve(url.path)  # every generated sample must reach a real view
        urls.append(url)
    return urls

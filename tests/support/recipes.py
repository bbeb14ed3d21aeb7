"""Small readers of the content-negotiation recipes a static site ships: enough of mod_rewrite's
and of nginx's semantics to tell which file a request for a path gets (as the real servers do in
tests/web/test_site_hosts.py, where they are installed)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

#: What a browser sends.
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@dataclass(frozen=True)
class Condition:
    """A RewriteCond: a test string, a pattern (or -f, -d) and its flags."""

    test: str
    pattern: str
    flags: frozenset[str]


@dataclass(frozen=True)
class Rule:
    """A RewriteRule with the conditions above it."""

    conditions: tuple[Condition, ...]
    pattern: str
    substitution: str
    flags: frozenset[str]


def _flags(words: list[str]) -> frozenset[str]:
    return frozenset(words[0].strip("[]").split(",")) if words else frozenset()


class Htaccess:
    """The AddType table and the rewrite rules of an `.htaccess`."""

    def __init__(self, text: str) -> None:
        self.types: dict[str, str] = {}
        self.directives: dict[str, str] = {}
        self.rules: list[Rule] = []
        pending: list[Condition] = []
        for line in text.splitlines():
            words = line.split()
            if not words or words[0].startswith("#") or words[0].startswith("<"):
                continue
            if words[0] == "AddType":
                self.types[words[2]] = words[1]
            elif words[0] == "RewriteCond":
                pending.append(Condition(words[1], words[2], _flags(words[3:])))
            elif words[0] == "RewriteRule":
                self.rules.append(Rule(tuple(pending), words[1], words[2], _flags(words[3:])))
                pending = []
            else:
                self.directives[words[0]] = " ".join(words[1:])
        assert not pending, "a RewriteCond without its RewriteRule"

    def resolve(self, folder: Path, root: str, path: str, headers: Mapping[str, str]) -> str:
        """The path (relative to the folder, served at the URL path `root`) of what a request for
        `path` gets, or `redirect:<URL path>` for a redirect."""
        for rule in self.rules:
            match = re.search(rule.pattern, path)
            if match and all(self._holds(c, folder, root, path, headers) for c in rule.conditions):
                target = re.sub(r"\$(\d)", r"\\\1", rule.substitution)  # $1 -> \1
                target = match.expand(target)
                target = self._expand(target, folder, root, path, headers)
                return (
                    f"redirect:{target}" if any(f.startswith("R") for f in rule.flags) else target
                )
        if path == "" or path.endswith("/"):  # mod_dir
            return path + self.directives["DirectoryIndex"]
        return path

    def _holds(
        self,
        condition: Condition,
        folder: Path,
        root: str,
        path: str,
        headers: Mapping[str, str],
    ) -> bool:
        value = self._expand(condition.test, folder, root, path, headers)
        pattern, negated = condition.pattern, condition.pattern.startswith("!")
        if negated:
            pattern = pattern[1:]
        if pattern == "-f":
            found = Path(value).is_file()
        elif pattern == "-d":
            found = Path(value).is_dir()
        else:
            flags = re.IGNORECASE if "NC" in condition.flags else 0
            found = re.search(pattern, value, flags) is not None
        return found != negated

    @staticmethod
    def _expand(text: str, folder: Path, root: str, path: str, headers: Mapping[str, str]) -> str:
        def variable(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("HTTP:"):
                return headers.get(name[len("HTTP:") :], "")
            return {
                "HTTP_ACCEPT": headers.get("Accept", ""),
                "REQUEST_FILENAME": str(folder / path) if path else str(folder),
                "REQUEST_URI": root + path,
            }[name]

        return re.sub(r"%\{([^}]+)\}", variable, text)


class NginxConf:
    """The maps, the types, `index` and `try_files` of the recipe's location."""

    def __init__(self, text: str) -> None:
        self.maps: dict[str, tuple[str, str, list[tuple[str, str]]]] = {}
        for source, name, body in re.findall(r"map \$(\S+) \$(\S+) \{\n(.*?)\n\}", text, re.S):
            default, entries = "", []
            for line in body.splitlines():
                values = re.findall(r'"((?:[^"\\]|\\.)*)"', line)
                if line.strip().startswith("default"):
                    default = values[0]
                else:
                    entries.append((values[0], values[1]))
            self.maps[name] = (source, default, entries)
        types_block = re.search(r"types \{\n(.*?)\n\s*\}", text, re.S)
        assert types_block
        self.types = {
            "." + ext: media
            for media, ext in re.findall(r"^\s*(\S+) (\S+);$", types_block.group(1), re.M)
        }
        location = re.search(r"location (\S+) \{", text)
        index = re.search(r"^\s*index (.+);", text, re.M)
        try_files = re.search(r"^\s*try_files (.+);", text, re.M)
        assert location and index and try_files
        self.location = location.group(1)
        self.index = index.group(1).split()
        self.try_files = try_files.group(1).split()

    def variable(self, name: str, headers: Mapping[str, str]) -> str:
        """The value of a map's variable for a request with `headers`."""
        source, default, entries = self.maps[name]
        value = headers.get(source[len("http_") :].replace("_", "-").title(), "")
        for pattern, result in entries:
            flags = re.IGNORECASE if pattern.startswith("~*") else 0
            if re.search(pattern.lstrip("~*"), value, flags):
                return self.expand(result, headers)
        return self.expand(default, headers)

    def expand(self, text: str, headers: Mapping[str, str]) -> str:
        """`text` with the maps' variables in it replaced by their values."""
        return re.sub(r"\$(mdq_\w+)", lambda m: self.variable(m.group(1), headers), text)

    def resolve(self, folder: Path, uri: str, headers: Mapping[str, str]) -> str | None:
        """The path (relative to the folder) of the file a request for `uri` gets; None: 404."""
        assert uri.startswith(self.location), uri

        def expand(text: str) -> str:
            return self.expand(text.replace("$uri", uri), headers)

        for candidate in self.try_files[:-1]:
            local = expand(candidate)[len(self.location) :].lstrip("/")
            if local.endswith("/") or local == "":
                for name in self.index:
                    index = local + expand(name)
                    if (folder / index).is_file():
                        return index
            elif (folder / local).is_file():
                return local
        return None

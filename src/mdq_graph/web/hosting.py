"""What a web host needs besides the files of a static site: content-negotiation recipes for
Apache and nginx, `robots.txt` and the sitemap.

A resource published at `id/country/jp` has its files beside it (`jp.html`, `jp.ja.html`,
`jp.ttl`, `jp.jsonld`, ...; see `site.py`). The recipes map a request for the IRI itself to one of
them: the RDF format the Accept header names, else the page, in Japanese for a browser whose first
language is Japanese. The site's root in RDF is the DCAT-AP catalog (`catalog.ttl`, ...).
Regular expressions cannot weigh q-values: the first format of `NEGOTIATED` that the header names
wins, and a browser, which names none of them, gets the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from urllib.parse import quote, urlsplit
from xml.sax.saxutils import escape, quoteattr

from mdq_graph.graph.rdf_formats import FORMATS

#: What a page may load and run: only the site's own stylesheet and script, no inline code, no
#: plugins, no framing. 'wasm-unsafe-eval' lets the workbench compile the site's own WebAssembly
#: (the SPARQL engine a static site runs in the browser); it allows no JavaScript eval. `serve` sends it, the recipes below make the web server send it, and every
#: page carries it too (without frame-ancestors, which a <meta> cannot set), so it holds wherever
#: the static site is hosted.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
PAGE_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(" frame-ancestors 'none';", "")

#: The RDF representations a resource IRI negotiates, in order of preference: (media type, extension).
NEGOTIATED: tuple[tuple[str, str], ...] = tuple(
    (fmt.media_type, fmt.extension) for fmt in FORMATS.values()
)
#: The media types of the site's other files, by extension (every text file is UTF-8).
OTHER_TYPES: Mapping[str, str] = {
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".rq": "application/sparql-query",
    ".csv": "text/csv",
    ".srj": "application/sparql-results+json",
    # The workbench: its model and the browser's SPARQL engine.
    ".json": "application/json",
    ".wasm": "application/wasm",
}
#: What the sitemap protocol allows in one file.
SITEMAP_LIMIT = 50_000


def _root_path(base: str) -> str:
    """The path of the base on its host: "/" or "/mdq/"."""
    return urlsplit(base).path or "/"


def _regex(media_type: str) -> str:
    """A media type as a regular expression that matches it in an Accept header."""
    return media_type.replace(".", r"\.").replace("+", r"\+")


def _by_format() -> list[tuple[str, str]]:
    """Apache's condition that the Accept header names an RDF format, with that format's file
    extension, for each format in the order of NEGOTIATED."""
    return [
        (f"RewriteCond %{{HTTP_ACCEPT}} {_regex(media)} [NC]", ext) for media, ext in NEGOTIATED
    ]


def _by_language(languages: Sequence[str]) -> list[tuple[str, str]]:
    """Apache's condition that the browser's first language is `lang`, with the suffix of the
    page in it (`.ja.html`), for each of `languages`."""
    return [
        (f"RewriteCond %{{HTTP:Accept-Language}} ^{lang}\\b [NC]", f".{lang}.html")
        for lang in languages
    ]


def _rewrites(
    cases: list[tuple[str, str]], rule: Callable[[str], str], if_file: bool = False
) -> list[str]:
    """For each (condition, suffix) of `cases`: the condition, with `if_file` the condition that
    the requested file with that suffix exists, and `rule(suffix)`."""
    lines = []
    for condition, suffix in cases:
        lines.append(condition)
        if if_file:
            lines.append(f"RewriteCond %{{REQUEST_FILENAME}}{suffix} -f")
        lines.append(rule(suffix))
    return lines


def apache_htaccess(base: str, languages: Sequence[str]) -> str:
    """The `.htaccess` that makes Apache 2.4 (mod_rewrite) serve each IRI under `base` from its
    files; `languages[0]` is the language of the pages without a language in their name."""
    root = _root_path(base)
    others = languages[1:]
    lines = [
        "# Apache 2.4: content negotiation for the static site that `mdq-graph publish` wrote",
        f"# for the base <{base}>. Serve this folder at {root}, with mod_rewrite (mod_headers is",
        "# used where enabled) and the directives here allowed: AllowOverride All, or",
        "# AllowOverride FileInfo Indexes Options=Indexes,MultiViews,FollowSymLinks.",
        "# Without this file every page and file still works (the pages link to files); with it",
        "# the IRIs themselves resolve: an RDF format by the Accept header, else the page, in the",
        "# browser's first language.",
        "",
        "Options -MultiViews -Indexes",
        "DirectoryIndex index.html",
        "# A resource can have a folder of the same name (catalog.html and catalog/record.html):",
        "# the rules below add the slash to a folder only where there is no page.",
        "DirectorySlash Off",
        f"ErrorDocument 404 {root}404.html",
        "",
    ]
    types = [*((extension, media) for media, extension in NEGOTIATED), *OTHER_TYPES.items()]
    lines += [f"AddType {media} {extension}" for extension, media in types]
    lines += [f"AddCharset utf-8 {' '.join(extension for extension, _ in types)}", ""]
    lines += [
        "<IfModule mod_headers.c>",
        '  Header set Access-Control-Allow-Origin "*"',
        '  Header set X-Content-Type-Options "nosniff"',
        f'  Header set Content-Security-Policy "{CONTENT_SECURITY_POLICY}"',
        '  <FilesMatch "\\.(html|' + "|".join(e[1:] for _, e in NEGOTIATED) + ')$">',
        '    Header merge Vary "Accept, Accept-Language"',
        "  </FilesMatch>",
        "</IfModule>",
        "",
        "RewriteEngine On",
        "",
        "# The site's root: in RDF, the DCAT-AP catalog; else the home page.",
    ]
    lines += _rewrites(_by_format(), lambda suffix: f"RewriteRule ^$ catalog{suffix} [END]")
    lines += _rewrites(_by_language(others), lambda suffix: f"RewriteRule ^$ index{suffix} [END]")
    lines += ["", "# A resource in RDF: the file beside it with the format's extension."]
    lines += _rewrites(_by_format(), lambda suffix: f"RewriteRule ^(.+)$ $1{suffix} [END]", True)
    lines += ["", "# Else its page, in the browser's first language where there is a page in it."]
    lines += _rewrites(
        _by_language(others), lambda suffix: f"RewriteRule ^(.+)$ $1{suffix} [END]", True
    )
    lines += [
        "RewriteCond %{REQUEST_FILENAME}.html -f",
        "RewriteRule ^(.+)$ $1.html [END]",
        "",
        "# A folder that is no resource (such as id): add the slash, as Apache would have.",
        "RewriteCond %{REQUEST_FILENAME} -d",
        "RewriteCond %{REQUEST_URI} !/$",
        "RewriteRule ^ %{REQUEST_URI}/ [R=301,END]",
    ]
    return "\n".join(lines) + "\n"


#: Where the w3id.org rules send the IRIs until a publisher sets the host (w3id/.htaccess).
W3ID_PLACEHOLDER_HOST = "https://mdq.example.org/"
#: The extensions of the files a static site holds, which the w3id.org rules pass on as they are.
_FILE_EXTENSIONS = sorted(
    {*(extension[1:] for _, extension in NEGOTIATED), *(e[1:] for e in OTHER_TYPES), "ico", "svg"}
)


def w3id_htaccess(host: str, languages: Sequence[str] = ("en", "ja")) -> str:
    """The redirect rules for the w3id.org repository's `mdq/.htaccess`: every IRI under
    https://w3id.org/mdq/ to its file on `host`, where `mdq-graph publish` put the site.

    A thing (no file extension) is a 303 to the file of the RDF format the Accept header names,
    else to its page in the browser's first language (content negotiation, as the site's own
    `.htaccess` does it, so that a host that cannot negotiate, such as GitHub Pages, will do); the
    site's root in RDF is the DCAT-AP catalog. A file (a download, the context, a page) is a 302
    to the same path on the host. `host` is set in one line of the rules, which a publisher edits.
    """
    if not host.endswith("/") or urlsplit(host).scheme not in ("http", "https"):
        raise ValueError(f"the host must be an http(s) URL ending in '/', not {host!r}")
    others = languages[1:]
    host_, see = "%{ENV:MDQ_HOST}", "[R=303,L]"  # the target's host, and the redirect
    lines = [
        "# w3id.org/mdq: the persistent IRIs of the MDQ knowledge graph (https://w3id.org/mdq/).",
        "# For the w3id.org repository (https://github.com/perma-id/w3id.org) as mdq/.htaccess.",
        "# Written by mdq-graph (web/hosting.py, w3id_htaccess); see w3id/README.md.",
        "#",
        "# Things (id/..., graph/..., the ontology and its versions, the catalog and the dataset):",
        "# 303 See Other to the file of the RDF format the Accept header names, else to the page in",
        "# the browser's first language. Files (download/mdq.*, context.jsonld, pages): 302 Found",
        "# to the same path. The host is a static site that `mdq-graph publish` wrote for the base",
        "# https://w3id.org/mdq/ (its own .htaccess or nginx.conf may stay: it is not needed here).",
        "",
        "Options +FollowSymLinks",
        "RewriteEngine On",
        "",
        "# The host: edit this line (an http(s) URL ending in '/').",
        f"RewriteRule ^ - [E=MDQ_HOST:{host}]",
        "",
        "<IfModule mod_headers.c>",
        '  Header always set Vary "Accept, Accept-Language"',
        '  Header always set Access-Control-Allow-Origin "*"',
        "</IfModule>",
        "",
        "# Files: to the same path on the host.",
        f"RewriteRule ^(.+\\.({'|'.join(_FILE_EXTENSIONS)}))$ %{{ENV:MDQ_HOST}}$1 [R=302,L]",
        "",
        "# The root: in RDF, the DCAT-AP catalog; else the home page.",
    ]
    lines += _rewrites(_by_format(), lambda suffix: f"RewriteRule ^$ {host_}catalog{suffix} {see}")
    lines += _rewrites(
        _by_language(others), lambda suffix: f"RewriteRule ^$ {host_}index{suffix} {see}"
    )
    lines += [
        "RewriteRule ^$ %{ENV:MDQ_HOST} [R=303,L]",
        "",
        "# A thing in RDF: the file of the format the Accept header names.",
    ]
    lines += _rewrites(_by_format(), lambda suffix: f"RewriteRule ^(.+)$ {host_}$1{suffix} {see}")
    lines += ["", "# Else its page, in the browser's first language."]
    lines += _rewrites(
        _by_language(others), lambda suffix: f"RewriteRule ^(.+)$ {host_}$1{suffix} {see}"
    )
    lines += ["RewriteRule ^(.+)$ %{ENV:MDQ_HOST}$1.html [R=303,L]"]
    return "\n".join(lines) + "\n"


def nginx_conf(base: str, languages: Sequence[str]) -> str:
    """An nginx configuration (for the http {} block) that serves each IRI under `base` from its
    files; `languages[0]` is the language of the pages without a language in their name."""
    root = _root_path(base)
    folder = "/srv/mdq-site"
    where = f"root {folder};" if root == "/" else f"alias {folder}/;"
    types = [*((extension, media) for media, extension in NEGOTIATED), *OTHER_TYPES.items()]
    lines = [
        "# nginx: content negotiation for the static site that `mdq-graph publish` wrote for the",
        f"# base <{base}>. Include this file in the http {{}} block, after setting `listen`,",
        "# `server_name` and the folder the site was copied to (marked `# edit`), or copy the",
        "# maps and the location into your own configuration. Without it every page and file",
        "# still works: the pages link to files; this makes the IRIs themselves resolve (an RDF",
        "# format by the Accept header, else the page, in the browser's first language).",
        "",
        "# The extension of the RDF format the Accept header names (the first that matches).",
        "map $http_accept $mdq_rdf {",
        '    default "";',
        *(f'    "~*{_regex(media)}" "{extension}";' for media, extension in NEGOTIATED),
        "}",
        "",
        "# The language part of a page's name, from the browser's first language.",
        "map $http_accept_language $mdq_lang {",
        '    default "";',
        *(f'    "~*^{lang}\\b" ".{lang}";' for lang in languages[1:]),
        "}",
        "",
        "# The file that answers for the site's root: in RDF, the DCAT-AP catalog; else the home",
        "# page in the browser's first language.",
        "map $http_accept $mdq_root {",
        '    default "index$mdq_lang.html";',
        *(f'    "~*{_regex(media)}" "catalog{extension}";' for media, extension in NEGOTIATED),
        "}",
        "",
        "server {",
        "    listen 80;  # edit",
        "    server_name localhost;  # edit",
        "",
        f"    location {root} {{",
        f"        {where}  # edit: the folder mdq-graph publish wrote",
        "        types {",
        *(f"            {media} {extension[1:]};" for extension, media in types),
        "        }",
        "        charset utf-8;",
        "        charset_types " + " ".join(sorted({m for _, m in types} - {"text/html"})) + ";",
        '        add_header Access-Control-Allow-Origin "*" always;',
        '        add_header X-Content-Type-Options "nosniff" always;',
        f'        add_header Content-Security-Policy "{CONTENT_SECURITY_POLICY}" always;',
        '        add_header Vary "Accept, Accept-Language" always;',
        "        index $mdq_root index.html;",
        "        # A resource: the file asked for, else its RDF, else its page.",
        "        try_files $uri $uri$mdq_rdf $uri$mdq_lang.html $uri.html $uri/ =404;",
        f"        error_page 404 {root}404.html;",
        "    }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def robots_txt(base: str) -> str:
    """`robots.txt`: everything may be crawled; where the sitemap is."""
    return (
        "# Everything here may be crawled. (Crawlers read robots.txt only at the root of a host.)\n"
        "User-agent: *\n"
        "Allow: /\n"
        f"Sitemap: {base}sitemap.xml\n"
    )


def page_url(base: str, path: str) -> str:
    """The absolute URL of a file of the site (the home page as the base itself)."""
    return base if path == "index.html" else base + quote(path)


def sitemaps(
    base: str, pages: Sequence[Mapping[str, str]], lastmod: str | None = None
) -> dict[str, str]:
    """The sitemap files, by name: `sitemap.xml` lists every page (each with its other
    languages as `xhtml:link` alternates); beyond `SITEMAP_LIMIT` pages, `sitemap.xml` is an
    index of `sitemap-1.xml`, `sitemap-2.xml`, ..."""
    entries = []
    for variants in pages:
        alternates = "".join(
            f'\n    <xhtml:link rel="alternate" hreflang={quoteattr(lang)} '
            f"href={quoteattr(page_url(base, path))}/>"
            for lang, path in variants.items()
        )
        modified = f"\n    <lastmod>{escape(lastmod)}</lastmod>" if lastmod else ""
        entries += [
            f"  <url>\n    <loc>{escape(page_url(base, path))}</loc>{modified}{alternates}\n  </url>"
            for path in variants.values()
        ]
    chunks = [entries[i : i + SITEMAP_LIMIT] for i in range(0, len(entries), SITEMAP_LIMIT)]
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    namespaces = (
        'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:xhtml="http://www.w3.org/1999/xhtml"'
    )

    def urlset(chunk: list[str]) -> str:
        return f"{head}<urlset {namespaces}>\n" + "\n".join(chunk) + "\n</urlset>\n"

    if len(chunks) <= 1:
        return {"sitemap.xml": urlset(chunks[0] if chunks else [])}
    files = {f"sitemap-{n}.xml": urlset(chunk) for n, chunk in enumerate(chunks, 1)}
    listed = "\n".join(f"  <sitemap><loc>{escape(base + name)}</loc></sitemap>" for name in files)
    files["sitemap.xml"] = (
        f'{head}<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{listed}\n</sitemapindex>\n"
    )
    return files

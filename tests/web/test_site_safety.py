"""The static site can be put on the internet: data cannot put a link that runs code (only http(s)
IRIs become links), and every page, and the Apache and nginx recipes, carry a Content-Security-Policy."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from mdq_graph.cli import main
from mdq_graph.web.hosting import CONTENT_SECURITY_POLICY, PAGE_CONTENT_SECURITY_POLICY
from tests.conftest import TEST_DATA

HOSTILE = TEST_DATA / "site" / "hostile-links.ttl"
_LINK = re.compile(r'\b(?:href|src|cite|action)\s*=\s*"([^"]*)"', re.IGNORECASE)


def test_only_web_links_come_from_data_and_every_page_has_a_policy(tmp_path: Path) -> None:
    out = tmp_path / "site"
    args = ["--data", str(HOSTILE), "publish", str(out), "--base-uri", "http://127.0.0.1:8000/"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 4
    links = []
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert f'content="{PAGE_CONTENT_SECURITY_POLICY}"' in html.replace("&#39;", "'"), page
        links += _LINK.findall(html)
    schemes = {link.split(":", 1)[0].lower() for link in links if re.match(r"[A-Za-z]+:", link)}
    assert schemes <= {"http", "https"}, schemes
    assert "https://example.org/fine" in links
    meeting = (out / "id" / "meeting" / "test-1.html").read_text(encoding="utf-8")
    assert "javascript:alert(document.cookie)" in meeting  # shown as text, not linked
    recipes = (out / ".htaccess").read_text() + (out / "nginx.conf").read_text()
    assert recipes.count(f'Content-Security-Policy "{CONTENT_SECURITY_POLICY}"') == 2

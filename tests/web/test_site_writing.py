"""`mdq-graph publish` writes safely: it builds beside OUTDIR and swaps the site in, never leaves
half a site, replaces only a folder it wrote (or `--force`), and writes the same bytes each time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import mdq_graph.web.site as site
from mdq_graph import output
from mdq_graph.cli import main
from mdq_graph.errors import InputError, PublishError
from mdq_graph.web.publication import Publication
from mdq_graph.web.site import MARKER, BuiltSite, SiteFiles, write_site
from tests.conftest import TEST_DATA

SMALL = TEST_DATA / "site" / "small.ttl"
CLASH = TEST_DATA / "site" / "clash.ttl"
LOCAL_BASE = "http://127.0.0.1:8000/mdq/"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a folder, by its path in it."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def leftovers(folder: Path) -> list[str]:
    """Build or swap folders left beside the site."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".building", ".old")))


# --- The command, on a small graph ---------------------------------------------------------------


def test_publish_writes_the_site_and_rewrites_it_byte_for_byte(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    args = ["--data", str(SMALL), "publish", str(out), "--base-uri", LOCAL_BASE]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert f"wrote {out}: " in result.stdout
    assert "pages (2 languages), " in result.stdout
    first = snapshot(out)
    for name in ("index.html", "index.ja.html", "id/meeting/test-1.ja.html", "id/country/xx.ttl",
                 ".htaccess", "nginx.conf", "sitemap.xml", "robots.txt", MARKER):  # fmt: skip
        assert name in first, name
    assert "テスト会合" in first["id/meeting/test-1.ja.html"].decode()
    # The IRIs that cannot be files are named, with the reason; they are linked as they are.
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 3, result.stderr
    assert any("id/search?q=mdq: it has a query string" in w for w in warnings)
    assert any("id/.well-known" in w for w in warnings)
    assert any("id/doc#part: nothing is said about" in w for w in warnings)
    page = first["id/meeting/test-1.html"].decode()
    assert f'href="{LOCAL_BASE}id/search?q=mdq"' in page

    (out / "stray.txt").write_text("left by hand")
    again = runner.invoke(main, args)
    assert again.exit_code == 0, again.output
    assert snapshot(out) == first  # the stray file is gone, the rest is the same bytes
    assert leftovers(tmp_path) == []


def test_publish_refuses_a_folder_it_did_not_write(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "docs"
    out.mkdir()
    (out / "notes.md").write_text("mine")
    result = runner.invoke(main, ["--data", str(SMALL), "publish", str(out)])
    assert result.exit_code == 2, result.output
    assert "is not empty and was not written by mdq-graph publish" in result.stderr
    assert "--force" in result.stderr
    assert snapshot(out) == {"notes.md": b"mine"}
    assert leftovers(tmp_path) == []


def test_publish_refuses_a_file(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.write_text("a file")
    result = runner.invoke(main, ["--data", str(SMALL), "publish", str(out), "--force"])
    assert result.exit_code == 2, result.output
    assert "is a file, not a folder" in result.stderr


def test_two_resources_for_one_file_is_an_error(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = runner.invoke(main, ["--data", str(CLASH), "publish", str(out)])
    assert result.exit_code == 2, result.output
    assert "id/x.ja and https://w3id.org/mdq/id/x would both be published as id/x.ja.html" in (
        result.stderr
    )
    assert not out.exists()
    assert leftovers(tmp_path) == []


def test_publish_rejects_a_bad_base(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["publish", str(tmp_path / "s"), "--base-uri", "ftp://x/"])
    assert result.exit_code == 2, result.output
    assert "must be an absolute http:// or https:// IRI" in result.stderr


def test_publish_help_has_an_example(runner: CliRunner) -> None:
    result = runner.invoke(main, ["publish", "--help"])
    assert result.exit_code == 0
    assert "mdq-graph publish site" in result.output
    assert "--force" in result.output


# --- Replacing a folder: the swap, with a stand-in build -----------------------------------------


@pytest.fixture()
def quick_build(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make write_site's build a stand-in that writes a page and the marker (no publication is
    prepared); returns the list of folders it built in."""
    built: list[str] = []

    def build(publication: object, folder: Path) -> BuiltSite:
        built.append(folder.name)
        files = SiteFiles(folder)
        files.write("index.html", "<p>new</p>", "test")
        files.write(MARKER, "{}", "test")
        return BuiltSite(files, 1, ())

    monkeypatch.setattr(site, "publish", lambda source, base, service: object())
    monkeypatch.setattr(site, "build_site", build)
    return built


def test_the_site_is_built_beside_the_folder_and_swapped_in(
    quick_build: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "new" / "site"  # its parent does not exist yet
    report = write_site(object(), out)  # type: ignore[arg-type]
    assert len(quick_build) == 1
    assert quick_build[0].startswith(".site.") and quick_build[0].endswith(".building")
    assert snapshot(out) == {"index.html": b"<p>new</p>", MARKER: b"{}"}
    assert report.files == 2 and report.pages == 1
    assert oct(out.stat().st_mode & 0o777) == oct(0o777 & ~current_umask())
    assert leftovers(out.parent) == []


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_an_empty_folder_is_used(quick_build: list[str], tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    write_site(object(), out)  # type: ignore[arg-type]
    assert (out / "index.html").is_file()


def test_force_replaces_a_folder_it_did_not_write(quick_build: list[str], tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "notes.md").write_text("mine")
    with pytest.raises(PublishError, match="--force"):
        write_site(object(), out)  # type: ignore[arg-type]
    assert quick_build == []  # refused before building
    write_site(object(), out, force=True)  # type: ignore[arg-type]
    assert sorted(snapshot(out)) == [MARKER, "index.html"]
    assert leftovers(tmp_path) == []


def test_a_failed_build_leaves_the_old_site_as_it_was(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / MARKER).write_text("{}")
    (out / "index.html").write_text("<p>old</p>")

    def failing(publication: object, folder: Path) -> BuiltSite:
        SiteFiles(folder).write("index.html", "<p>half</p>", "test")
        raise RuntimeError("the build broke half-way")

    monkeypatch.setattr(site, "publish", lambda source, base, service: object())
    monkeypatch.setattr(site, "build_site", failing)
    with pytest.raises(RuntimeError, match="half-way"):
        write_site(object(), out)  # type: ignore[arg-type]
    assert snapshot(out) == {MARKER: b"{}", "index.html": b"<p>old</p>"}
    assert leftovers(tmp_path) == []


def test_a_failed_swap_puts_the_old_site_back(
    quick_build: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / MARKER).write_text("{}")
    (out / "index.html").write_text("<p>old</p>")
    rename = Path.rename

    def flaky(self: Path, target: Path) -> Path:
        if self.name.endswith(".building"):
            raise OSError("simulated: the disk went away")
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", flaky)
    # Where folders cannot be exchanged atomically (not Linux), the swap is two renames.
    monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    with pytest.raises(InputError, match="cannot write: simulated"):  # one line, naming the site
        write_site(object(), out)  # type: ignore[arg-type]
    assert snapshot(out) == {MARKER: b"{}", "index.html": b"<p>old</p>"}


def test_publishing_again_exchanges_the_folders_at_once(
    quick_build: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / MARKER).write_text("{}")
    (out / "index.html").write_text("<p>old</p>")
    exchanged: list[tuple[str, str]] = []
    exchange = output._exchange

    def spy(a: Path, b: Path) -> bool:
        exchanged.append((a.name, b.name))
        return exchange(a, b)

    monkeypatch.setattr(output, "_exchange", spy)
    write_site(object(), out)  # type: ignore[arg-type]
    assert [b for _, b in exchanged] == ["site"]
    assert (out / "index.html").read_bytes() != b"<p>old</p>"
    assert leftovers(tmp_path) == []
    assert leftovers(tmp_path) == []


def test_the_current_folder_is_never_replaced(
    quick_build: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    (out / "sub").mkdir(parents=True)
    monkeypatch.chdir(out / "sub")
    with pytest.raises(PublishError, match="holds, the current folder"):
        write_site(object(), out, force=True)  # type: ignore[arg-type]
    assert (out / "sub").is_dir()


def test_a_publication_brings_its_own_base(quick_build: list[str], tmp_path: Path) -> None:
    prepared = Publication.__new__(Publication)
    prepared.base = LOCAL_BASE
    report = write_site(prepared, tmp_path / "site", base="https://ignored.example/")
    assert report.base == LOCAL_BASE

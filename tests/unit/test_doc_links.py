"""The README and docs stand alone: every link points at a file (and heading) inside the repository."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _links(document: Path) -> list[str]:
    return LINK.findall(FENCE.sub("", document.read_text()))


def _anchors(document: Path) -> set[str]:
    """GitHub's anchors for the document's headings."""
    headings = re.findall(r"^#+\s+(.+)$", FENCE.sub("", document.read_text()), re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d.relative_to(ROOT).as_posix())
def test_every_link_stays_in_the_repository_and_finds_its_target(document: Path) -> None:
    for link in _links(document):
        assert not re.match(r"^[a-z][a-z0-9+.-]*:", link, re.IGNORECASE), (
            f"{link}: links outside the repository"
        )
        path, _, anchor = link.partition("#")
        target = (document.parent / path).resolve() if path else document
        assert target.is_relative_to(ROOT), f"{link}: leaves the repository"
        assert target.exists(), f"{link}: no such file"
        if anchor and target.suffix == ".md":
            assert anchor in _anchors(target), f"{link}: no such heading in {target.name}"


def test_the_readme_links_to_the_api_reference_and_the_openapi_document() -> None:
    links = _links(ROOT / "README.md")
    assert "docs/API.md" in links
    assert "openapi.json" in links

#!/usr/bin/env python3
"""Checks every relative link of the repository's Markdown files (run by scripts/test.sh).

A link `[text](path)`, `[text](path#fragment)`, `[text](#fragment)`, an image `![alt](path)` or an HTML
`href="..."`/`src="..."` that is not an absolute URL must name a file or directory of the repository (as tracked by
git, or present in the worktree), and a fragment into a Markdown file must name one of its headings (GitHub's
anchor rule) or one of its `<a id="...">`/`<a name="...">` anchors. Code spans and fenced blocks are skipped.

Usage: check-links.py [FILE.md ...]   (default: every tracked *.md file). Exit 1 when a link dangles.
"""

import pathlib
import re
import subprocess
import sys
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_LINK = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']+)["']""")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$")
EXPLICIT_ANCHOR = re.compile(r"""<a\s+[^>]*\b(?:id|name)\s*=\s*["']([^"']+)["']""")


def markdown_files() -> list[pathlib.Path]:
    try:
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.md"], cwd=ROOT,
                                check=True, capture_output=True, text=True).stdout.split()
        return [ROOT / name for name in listed if (ROOT / name).is_file()]
    except (OSError, subprocess.CalledProcessError):
        skip = {".build", ".run", ".venv", ".venv-bench", "node_modules", ".git"}
        return [path for path in ROOT.rglob("*.md") if not skip & set(path.relative_to(ROOT).parts)]


def prose_lines(text: str):
    """Yields (line number, line) outside fenced code blocks, with inline code spans blanked."""
    fence = None
    for number, line in enumerate(text.splitlines(), start=1):
        marker = re.match(r"^\s{0,3}(```+|~~~+)", line)
        if marker:
            if fence is None:
                fence = marker.group(1)[0] * 3
            elif line.strip().startswith(fence):
                fence = None
            continue
        if fence is None:
            yield number, re.sub(r"(`+)(?:(?!\1).)+?\1", "``", line)


def slug(heading: str) -> str:
    """GitHub's heading anchor: lower case, markup and punctuation dropped, spaces to hyphens."""
    text = re.sub(r"<[^>]+>", "", heading)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.strip().lower().replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: pathlib.Path) -> set[str]:
    found: set[str] = set()
    counts: dict[str, int] = {}
    text = path.read_text(encoding="utf-8")
    for _, line in prose_lines(text):
        heading = re.match(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading:
            base = slug(heading.group(1))
            count = counts.get(base, 0)
            counts[base] = count + 1
            found.add(base if count == 0 else f"{base}-{count}")
    found.update(EXPLICIT_ANCHOR.findall(text))
    return found


def check(path: pathlib.Path, cache: dict) -> list[str]:
    problems = []
    text = path.read_text(encoding="utf-8")
    for number, line in prose_lines(text):
        targets = LINK.findall(line) + HTML_LINK.findall(line)
        reference = REFERENCE.match(line)
        if reference:
            targets.append(reference.group(1))
        for target in targets:
            if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith("//"):
                continue  # http:, https:, mailto:, ...
            where = f"{path.relative_to(ROOT)}:{number}"
            location, _, fragment = target.partition("#")
            location = urllib.parse.unquote(location)
            if location:
                resolved = (ROOT / location.lstrip("/")) if location.startswith("/") else (path.parent / location)
                resolved = resolved.resolve()
                if ROOT not in resolved.parents and resolved != ROOT:
                    problems.append(f"{where}: {target} points outside the repository")
                    continue
                if not resolved.exists():
                    problems.append(f"{where}: {target} does not exist")
                    continue
            else:
                resolved = path
            if fragment and resolved.suffix == ".md" and resolved.is_file():
                if resolved not in cache:
                    cache[resolved] = anchors(resolved)
                if urllib.parse.unquote(fragment).lower() not in {anchor.lower() for anchor in cache[resolved]}:
                    problems.append(f"{where}: {target}: no heading or anchor #{fragment} in "
                                    f"{resolved.relative_to(ROOT)}")
    return problems


def main(arguments: list[str]) -> int:
    files = [pathlib.Path(name).resolve() for name in arguments] or markdown_files()
    cache: dict = {}
    problems = [problem for path in files for problem in check(path, cache)]
    for problem in problems:
        print(f"check-links: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"check-links: every relative link of {len(files)} Markdown files resolves")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

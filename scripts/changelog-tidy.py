#!/usr/bin/env python3
"""changelog-tidy — merge repeated '### Heading' sections inside [Unreleased] of CHANGELOG.md,
keeping Keep a Changelog's order (Security, Added, Changed, Deprecated, Removed, Fixed)."""
import re, sys
ORDER = ["Security", "Added", "Changed", "Deprecated", "Removed", "Fixed"]
path = sys.argv[1] if len(sys.argv) > 1 else "CHANGELOG.md"
text = open(path, encoding="utf-8").read()
start = text.index("## [Unreleased]")
end = text.find("\n## [", start + 5)
end = len(text) if end < 0 else end + 1
body = text[start:end]
parts = re.split(r"^### (\w+)\n", body, flags=re.M)
head, sections = parts[0], {}
for name, content in zip(parts[1::2], parts[2::2]):
    sections.setdefault(name, []).append(content.strip("\n"))
out = head.rstrip("\n") + "\n\n"
for name in ORDER + [n for n in sections if n not in ORDER]:
    if name in sections:
        out += "### " + name + "\n" + "\n".join(sections[name]) + "\n\n"
open(path, "w", encoding="utf-8").write(text[:start] + out + text[end:].lstrip("\n"))

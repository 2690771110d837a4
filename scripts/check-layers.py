#!/usr/bin/env python3
"""check-layers — walk the #include "..." graph of the tree and enforce the dependency rule.

    python3 scripts/check-layers.py [--graph]

The layers, top (depended upon) to bottom (DESIGN §1, docs/HACKING.md):

    core/base  core/db  core/net  core/security  core/jobs  core/connectors  core/domain
    core/ops  core/sync  |  tui (core/base only)  |  screens  |  cmd

A file may include files of its own folder and of folders ABOVE it. tui/ may include only
core/base/. A module is a .c with its .h; two modules that include each other (directly or
through others) form a circle. SQL lives in core/: a C string literal in screens/, tui/ or
cmd/ (adjacent literals joined, comments ignored) that reads like SQL (SELECT, INSERT INTO,
UPDATE t SET, DELETE FROM, WITH x AS, LISTEN, NOTIFY, BEGIN ISOLATION, SET LOCAL ...) is
refused: call a core function instead. Exit 1 on a forbidden folder-to-folder include, a
circle or SQL outside core, printing each; --graph also prints every folder-to-folder edge
with its count.
"""
import os
import re
import sys

ORDER = ["core/base", "core/db", "core/net", "core/security", "core/jobs", "core/connectors",
         "core/domain", "core/ops", "core/sync", "tui", "screens", "cmd"]
ALLOWED_EXTRA = {"tui": {"tui", "core/base"}}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
NO_SQL = ("screens", "tui", "cmd")
SQL = re.compile(r"\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|WITH \w+ AS|LISTEN|NOTIFY"
                 r"|TRUNCATE|BEGIN ISOLATION|SET LOCAL|SET statement_timeout|ANALYZE)\b")


def folder_of(path):
    return os.path.dirname(path)


def allowed(src, dst):
    if src in ALLOWED_EXTRA:
        return dst in ALLOWED_EXTRA[src]
    if src not in ORDER or dst not in ORDER:
        return True
    return ORDER.index(dst) <= ORDER.index(src)


def module(path):
    return os.path.splitext(path)[0]


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    os.chdir(root)
    files = []
    for top in ("core", "tui", "screens", "cmd"):
        for d, _, names in os.walk(top):
            files += [os.path.join(d, n) for n in names if n.endswith((".c", ".h"))]
    bad = []
    edges = {}
    graph = {}
    for f in sorted(files):
        with open(f, encoding="utf-8") as fh:
            text = fh.read()
        for inc in INCLUDE.findall(text):
            if not os.path.exists(inc):
                continue  # generated (build/gen) or system
            src, dst = folder_of(f), folder_of(inc)
            if src != dst:
                edges[(src, dst)] = edges.get((src, dst), 0) + 1
            if not allowed(src, dst):
                bad.append(f"{f}: includes {inc} ({src} may not depend on {dst})")
            a, b = module(f), module(inc)
            if a != b:
                graph.setdefault(a, set()).add(b)
    circles = find_circles(graph)
    sql = [f"{f}:{line}: SQL in a string literal ({m}); call a core function instead"
           for f in sorted(files) if f.split("/")[0] in NO_SQL
           for line, m in sql_literals(f)]
    bad += sql
    for line in bad:
        print("layers: " + line)
    for c in circles:
        print("layers: include circle: " + " -> ".join(c + [c[0]]))
    if "--graph" in sys.argv:
        for (s, d), n in sorted(edges.items()):
            print(f"{s:16} -> {d:16} {n}")
    print(f"layers: {len(files)} files, {len(bad) - len(sql)} forbidden includes, "
          f"{len(circles)} circles, {len(sql)} SQL literals outside core")
    return 1 if bad or circles else 0


def string_literals(text):
    """(line, text) of each run of adjacent C string literals, comments and chars skipped."""
    out, i, n, line = [], 0, len(text), 1
    run, run_line, last_end = None, 0, -1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            line += text.count("\n", i, j)
            i = j
            continue
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            lit = text[i + 1:j]
            if c == '"':
                joined = run is not None and text[last_end:i].strip() == ""
                if joined:
                    run += lit
                else:
                    if run is not None:
                        out.append((run_line, run))
                    run, run_line = lit, line
                last_end = j + 1
            line += lit.count("\n")
            i = j + 1
            continue
        i += 1
    if run is not None:
        out.append((run_line, run))
    return out


def sql_literals(path):
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    for line, lit in string_literals(text):
        m = SQL.search(lit)
        if m:
            yield line, m.group(0)


def find_circles(graph):
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def strong(v):
        work = [(v, iter(sorted(graph.get(v, ()))))]
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                elif nxt in on:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


if __name__ == "__main__":
    sys.exit(main())

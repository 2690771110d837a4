#!/usr/bin/env python3
"""check-layers — walk the #include "..." graph of the tree and enforce the dependency rule.

    python3 scripts/check-layers.py [--graph]

The layers, top (depended upon) to bottom (DESIGN §1, docs/HACKING.md):

    core/base  core/db  core/net  core/security  core/jobs  core/connectors  core/domain
    core/ops  core/sync  |  tui (core/base only)  |  screens  |  cmd

A file may include files of its own folder and of folders ABOVE it. tui/ may include only
core/base/. A module is a .c with its .h; two modules that include each other (directly or
through others) form a circle. Exit 1 on a forbidden folder-to-folder include or a circle,
printing each; --graph also prints every folder-to-folder edge with its count.
"""
import os
import re
import sys

ORDER = ["core/base", "core/db", "core/net", "core/security", "core/jobs", "core/connectors",
         "core/domain", "core/ops", "core/sync", "tui", "screens", "cmd"]
ALLOWED_EXTRA = {"tui": {"tui", "core/base"}}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


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
    for line in bad:
        print("layers: " + line)
    for c in circles:
        print("layers: include circle: " + " -> ".join(c + [c[0]]))
    if "--graph" in sys.argv:
        for (s, d), n in sorted(edges.items()):
            print(f"{s:16} -> {d:16} {n}")
    print(f"layers: {len(files)} files, {len(bad)} forbidden includes, {len(circles)} circles")
    return 1 if bad or circles else 0


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

"""Every .md file that code, tests, jobs or the README cite must exist in this repository, and
a cited section (docs/method.md §4) must be a heading of that page. Nothing outside the
repository may be cited: a design note that is not part of the project fails here.

usage: check_citations.py ROOT"""
import os
import re
import sys

root = os.path.abspath(sys.argv[1])
scan_dirs = ["src", "include", "tests", "jobs"]
scan_files = ["README.md"]
cite = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w-]+\.md)\b(?:\s*(?:§|section )\s*(\d+))?")
problems = []
# .md files that jobs write (reports, tables), named where their scripts are described: outputs,
# not citations. A new report of a job goes here.
outputs = {"perceptron_table.md", "perceptron_speed.md", "spline.md", "sparsity.md", "lowrank.md",
           "check.md", "projection.md", "rows.md"}


def resolve(name, here):
    candidates = [os.path.join(root, name), os.path.join(here, name)]
    if "/" not in name:
        candidates.append(os.path.join(root, "docs", name))
    for c in candidates:
        if os.path.isfile(c):
            return c
    return None


def sections(path):
    with open(path, encoding="utf-8") as f:
        return set(re.findall(r"^#+\s*§(\d+)", f.read(), re.M))


files = [os.path.join(root, f) for f in scan_files]
for d in scan_dirs:
    for dirpath, _, names in os.walk(os.path.join(root, d)):
        files += [os.path.join(dirpath, n) for n in names]
for path in sorted(files):
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (UnicodeDecodeError, FileNotFoundError):
        continue
    rel = os.path.relpath(path, root)
    for no, line in enumerate(lines, 1):
        for m in cite.finditer(line):
            before = line[:m.start()].split()
            if before and "://" in before[-1] and not line[m.start() - 1].isspace():
                continue  # part of a URL: not a file of ours
            name = m.group(1)
            stem = os.path.basename(name)[:-3]
            if os.path.basename(name) in outputs or (stem.isupper() and len(stem) > 1 and stem != "README"):
                continue  # a job's output, or a placeholder such as PREFIX.md in a usage text
            target = resolve(name, os.path.dirname(path))
            if not target:
                problems.append(f"{rel}:{no}: cites {m.group(1)}, which is not in the repository")
            elif m.group(2) and m.group(2) not in sections(target):
                problems.append(f"{rel}:{no}: cites {m.group(1)} §{m.group(2)}, which has no heading §{m.group(2)}")
for p in problems:
    print(p)
print(f"{len(problems)} citation problem(s) in {len(files)} files" if problems else f"every .md citation in {len(files)} files resolves")
sys.exit(1 if problems else 0)

#!/usr/bin/python3
"""Runs the ```console examples of a Markdown page (docs/cli.md) against a built flowfit.

Every line of a console block that starts with "$ " is a command (a trailing backslash continues
it on the next line); the other lines are the output the page shows. All commands run in order,
with bash, in one fresh temporary directory holding a copy of the example data, with the binary
under test first on PATH as `flowfit`. A command must exit 0 unless it ends with a comment
"# => exit N". Shown output lines that start with "flowfit: error", "flowfit: check failed" or
"flowfit: usage error" must appear verbatim in what the command printed, so the documented
messages cannot drift from the real ones.

Usage: run_doc_examples.py --binary BUILD/flowfit --doc docs/cli.md --data tests/data/cli
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

EXIT_RE = re.compile(r"#\s*=>\s*exit\s+(\d+)\s*$")
CHECKED_PREFIXES = ("flowfit: error", "flowfit: check failed", "flowfit: usage error")


def parse_examples(text):
    """Yields (line_number, command, expected_exit, shown_output_lines)."""
    examples = []
    in_block = False
    current = None
    pending = None  # a command continued with a backslash
    for number, line in enumerate(text.splitlines(), start=1):
        if not in_block:
            if line.strip().startswith("```console"):
                in_block = True
            continue
        if line.strip().startswith("```"):
            in_block = False
            current = None
            continue
        if pending is not None:
            pending[1] += "\n" + line
            if not line.endswith("\\"):
                examples.append(pending)
                current = pending
                pending = None
            continue
        if line.startswith("$ "):
            entry = [number, line[2:], []]
            if line.endswith("\\"):
                pending = entry
            else:
                examples.append(entry)
                current = entry
        elif current is not None:
            current[2].append(line)
    result = []
    for number, command, shown in examples:
        match = EXIT_RE.search(command)
        expected = int(match.group(1)) if match else 0
        result.append((number, command, expected, shown))
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--doc", required=True)
    parser.add_argument("--data", required=True)
    args = parser.parse_args()

    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        print(f"run_doc_examples: no executable at {binary}", file=sys.stderr)
        return 2
    with open(args.doc, encoding="utf-8") as f:
        examples = parse_examples(f.read())
    if not examples:
        print(f"run_doc_examples: no console examples in {args.doc}", file=sys.stderr)
        return 2

    failures = 0
    with tempfile.TemporaryDirectory(prefix="flowfit_doc_") as tmp:
        work = os.path.join(tmp, "work")
        shutil.copytree(args.data, work)
        bindir = os.path.join(tmp, "bin")
        os.mkdir(bindir)
        os.symlink(binary, os.path.join(bindir, "flowfit"))
        env = dict(os.environ)
        env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
        for number, command, expected, shown in examples:
            proc = subprocess.run(["bash", "-c", command], cwd=work, env=env,
                                  capture_output=True, text=True, timeout=300)
            printed = proc.stdout + proc.stderr
            problems = []
            if proc.returncode != expected:
                problems.append(f"exit code {proc.returncode}, expected {expected}")
            for line in shown:
                if line.startswith(CHECKED_PREFIXES) and line not in printed.splitlines():
                    problems.append(f"the page shows a line that was not printed:\n    {line}")
            status = "ok" if not problems else "FAIL"
            print(f"{args.doc}:{number}: {status}: $ {command.splitlines()[0]}")
            if problems:
                failures += 1
                for p in problems:
                    print(f"  {p}")
                print("  output was:\n" + "\n".join("    " + l for l in printed.splitlines()))
    print(f"{len(examples) - failures} of {len(examples)} examples passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

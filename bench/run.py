"""The build against the naive loop, measured in one run on the same workbooks and templates.

    python bench/run.py --workbooks 200 [--baseline-workbooks 200] [--dir /tmp/bench]

Before them, one unmeasured build of one workbook warms the file system's cache (the
program's modules and the templates), as any earlier run on the machine would. Then runs,
each in its own process:
  baseline   the naive loop, written here: openpyxl full load and a naive read of every
             cell, the project's own check and context, and a fresh docxtpl DocxTemplate
             render and save per document
  jobs 1     `projektmodell build --jobs 1` into a fresh output folder
  jobs 2     `projektmodell build --jobs 2` into a fresh output folder
  unchanged  `projektmodell build --jobs 1` again on the jobs-1 output, nothing changed
Prints documents/s (documents counted in each output folder), the ratio to the baseline,
and peak memory: the RSS of the largest single process, and of the whole process tree
summed as RSS and as PSS (a page shared by processes counted once), sampled every 50 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))

from bench.generate import generate  # noqa: E402

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass
class Measured:
    name: str
    seconds: float
    documents: int
    workbooks: int
    peak_process_mb: float
    peak_tree_mb: float
    peak_tree_pss_mb: float = 0.0


def count_documents(folder: Path) -> int:
    """The live documents (the archive's copies of approved ones are not counted)."""
    return sum(1 for p in folder.rglob("*.docx") if p.parent.name != "Arkiv")


def tree_memory_kb(pid: int, pss: bool) -> tuple[int, int]:
    """Resident memory of pid and all its descendants, from /proc: summed as each process
    counts it (RSS; pages a forked worker shares with its parent count in both), and, if
    `pss`, as their proportional shares (PSS; a shared page counts once in all)."""
    rss, proportional, pending = 0, 0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/statm") as statm:
                rss += int(statm.read().split()[1]) * PAGE_KB
            proportional += proportional_kb(current) if pss else 0
            with open(f"/proc/{current}/task/{current}/children") as children:
                pending.extend(int(child) for child in children.read().split())
        except (OSError, ValueError):
            continue
    return rss, proportional


def proportional_kb(pid: int) -> int:
    """The process's proportional set size (0 where the kernel does not give it)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_measured(name: str, command: list[str], output: Path, workbooks: int,
                 pss: bool = False) -> Measured:
    """Run command as a child; its wall time, documents in output and peak memory (PSS only
    when asked: reading it walks the processes' page tables, which slows a short run)."""
    peak_tree = peak_pss = 0
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_tree, peak_pss
        while not done.is_set():
            rss, proportional = tree_memory_kb(child.pid, pss)
            peak_tree, peak_pss = max(peak_tree, rss), max(peak_pss, proportional)
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):
        raise SystemExit(f"{name} failed ({child.returncode}): {child.stderr.read().decode()}")
    return Measured(name, seconds, count_documents(output), workbooks,
                    usage.ru_maxrss / 1024, peak_tree / 1024, peak_pss / 1024)


def build_command(input_folder: Path, output: Path, jobs: int) -> list[str]:
    return [sys.executable, "-m", "pipeline", "build", str(input_folder), str(output),
            "--jobs", str(jobs)]


def subset(workbooks: list[Path], folder: Path) -> Path:
    """A folder holding (links to) exactly these workbooks."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for path in workbooks:
        (folder / path.name).symlink_to(path)
    return folder


def compile_sources() -> None:
    """The program's modules compiled to bytecode once, as an installed package's are (an
    editable install, with PYTHONDONTWRITEBYTECODE set, would compile them in every run)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(BENCH.parent / "pipeline")],
                   check=True)


def warm_cache(books: list[Path], work: Path) -> None:
    """One build of one workbook, not measured: the program's modules, libraries and
    templates are then in the file system's cache for the first measured run as for the
    others."""
    output = work / "out-warm-up"
    shutil.rmtree(output, ignore_errors=True)
    done = subprocess.run(build_command(subset(books[:1], work / "input-warm-up"), output, 1),
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"warm-up build failed ({done.returncode}): {done.stderr.decode()}")


def measure(count: int, baseline_count: int, work: Path,
            baseline_rate: float | None = None, formatted_rows: int = 0) -> list[Measured]:
    compile_sources()
    books = generate(count, work / f"workbooks-{formatted_rows}", formatted_rows=formatted_rows)
    input_folder = subset(books, work / f"input-{count}")
    baseline_input = subset(books[:baseline_count], work / f"input-baseline-{baseline_count}")
    outputs = {name: work / f"out-{count}-{name}" for name in ("baseline", "jobs1", "jobs2")}
    for folder in outputs.values():
        shutil.rmtree(folder, ignore_errors=True)
    warm_cache(books, work)
    baseline = [sys.executable, str(BENCH / "baseline.py"), str(baseline_input),
                str(outputs["baseline"])]
    first = (earlier_baseline(baseline_rate) if baseline_rate else
             run_measured("baseline (naive loop)", baseline, outputs["baseline"],
                          baseline_count))
    return [
        first,
        run_measured("build --jobs 1", build_command(input_folder, outputs["jobs1"], 1),
                     outputs["jobs1"], count, pss=True),
        run_measured("build --jobs 2", build_command(input_folder, outputs["jobs2"], 2),
                     outputs["jobs2"], count, pss=True),
        run_measured("build --jobs 1, nothing changed",
                     build_command(input_folder, outputs["jobs1"], 1), outputs["jobs1"], count),
    ]


def earlier_baseline(rate: float) -> Measured:
    """The baseline as documents/s from an earlier run (it takes minutes and barely varies
    between builds); its time, documents and memory are not known here."""
    return Measured("baseline (naive loop), earlier run", 1.0 / rate, 1, 0, 0.0, 0.0)


def table(results: list[Measured]) -> str:
    base = results[0].documents / results[0].seconds
    cold = results[1].seconds
    lines = ["| run | workbooks | documents | seconds | documents/s | vs baseline "
             "| vs cold jobs 1 time | peak RSS, largest process | peak RSS, all processes "
             "| peak PSS, all processes |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for m in results:
        rate = m.documents / m.seconds
        lines.append(f"| {m.name} | {m.workbooks} | {m.documents} | {m.seconds:.1f} "
                     f"| {rate:.1f} | {rate / base:.1f}x | {m.seconds / cold:.1%} "
                     f"| {m.peak_process_mb:.0f} MB | {m.peak_tree_mb:.0f} MB "
                     f"| {f'{m.peak_tree_pss_mb:.0f} MB' if m.peak_tree_pss_mb else ''} |")
    lines.append("")
    lines.append("(unchanged run: documents/s counts the documents already in the folder)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workbooks", type=int, default=200)
    parser.add_argument("--baseline-workbooks", type=int, default=None,
                        help="measure the baseline on the first K of the workbooks only")
    parser.add_argument("--baseline-rate", type=float, default=None,
                        help="documents/s of an earlier baseline run: do not run it again")
    parser.add_argument("--formatted-rows", type=int, default=0,
                        help="workbooks as the earlier new wrote them: this many styled "
                             "empty rows per table (it wrote 200)")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/projektmodell-bench"))
    args = parser.parse_args()
    # The builds measured run without LibreOffice: the archive keeps its .docx and its PDF/A
    # conversion (one LibreOffice run, once per archived document) is not what is compared.
    os.environ["PROJEKTMODELL_SOFFICE"] = ""
    baseline_count = min(args.baseline_workbooks or args.workbooks, args.workbooks)
    print(table(measure(args.workbooks, baseline_count, args.dir, args.baseline_rate,
                        args.formatted_rows)))


if __name__ == "__main__":
    main()

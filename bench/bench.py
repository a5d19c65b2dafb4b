"""Throughput and latency of clinic-lint on a generated site.

    .venv/bin/python bench/bench.py [--size-mb 50] [--jobs 1,2] [--runs 11] [--pages DIR]

Builds (once; reused while the parameters match) a deterministic corpus of Markdown posts under
bench/corpus/: mostly clean clinic prose with paragraphs of the sample posts in seeds/ mixed in, about 5 KB
a post. Then it runs the real CLI (``python -m lint check CORPUS --format json --output FILE``) as a
subprocess over the whole corpus with every shipped pack and prints, per --jobs value: MB/s end to end
(discovery to report), the findings count, the peak memory (the largest process, from
``getrusage(RUSAGE_CHILDREN)``, and the sum over the process tree sampled from /proc), and the latency of
checking one post from a cold start (median of --runs) with a warm and with a cold compiled-pack cache.

Beside them: ripgrep's time on the same files with a fixed-string list of the packs' risky phrases (the
words marked in the rules' bad examples) -- a floor for "read every byte and look for words" -- and the
in-process latency of re-linting one post with an engine already built (what the language server does on
a keystroke). Each figure is printed with its target. ``--pages DIR`` mixes the prose of a directory of
real pages (Markdown, HTML or text) into the corpus with the sample posts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEEDS = ROOT / "seeds"
GENERATOR = 7  # bump when the corpus recipe changes: a stale corpus is rebuilt
POST_BYTES = 5000
SEED_SHARE = 0.15  # fraction of paragraphs taken from the sample posts (the risky ones live there)

CLINICS = [
    "Northway Health",
    "Harbor Family Clinic",
    "Lakeside Wellness",
    "Summit Medical Group",
    "Cedar Park Clinic",
    "Riverbend Health",
    "Bright Path Medical",
    "Oakwood Primary Care",
    "Meadow Lane Clinic",
    "Bayview Health",
]
CITIES = [
    "Portland",
    "Austin",
    "Denver",
    "Raleigh",
    "Tucson",
    "Madison",
    "Boise",
    "Omaha",
    "Richmond",
    "Spokane",
]
SERVICES = [
    "annual physicals",
    "flu shots",
    "telehealth visits",
    "lab work",
    "physical therapy",
    "nutrition counseling",
    "sports physicals",
    "travel vaccines",
    "sleep studies",
    "allergy testing",
    "diabetes education",
    "prenatal care",
    "hearing screenings",
    "skin checks",
]
STAFF = [
    "nurse practitioner",
    "physician assistant",
    "registered dietitian",
    "front desk team",
    "care coordinator",
    "pharmacist",
    "medical assistant",
    "family physician",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
TOPICS = [
    "Staying active in winter",
    "What to bring to your first visit",
    "Understanding your lab results",
    "Seasonal allergies",
    "Sleep and recovery",
    "Healthy eating on a budget",
    "Managing stress at work",
    "Preparing for a telehealth appointment",
    "Caring for aging parents",
    "Back-to-school checkups",
]
SENTENCES = [
    "Our {staff} at {clinic} in {city} is available {day} through {day2} for {service}.",
    "Parking is free in the lot behind the building, and the entrance is wheelchair accessible.",
    "Please arrive ten minutes early so we can update your insurance information.",
    "Bring a list of the medications and supplements you take, including the doses.",
    "If you have questions about {service}, call the office or send a message through the portal.",
    "Most insurance plans cover {service}; check with your plan if you are not sure.",
    "We follow the current guidance from the CDC and the USPSTF when we recommend screenings.",
    "Evening appointments are available on {day} until 7 p.m.",
    "A {staff} will review your history and talk through the options with you.",
    "Results are usually posted to the patient portal within three business days.",
    "Regular movement, enough sleep and a varied diet support overall health.",
    "Talk to your clinician before starting any new exercise program.",
    "Our {city} office moved to a new building on Main Street last spring.",
    "The clinic is closed on federal holidays; the answering service takes urgent calls.",
    "Dr. Lee and Dr. Patel have both practiced family medicine for more than a decade.",
    "Some patients prefer telehealth for follow-up visits, while others like to come in.",
    "We send reminders by text two days before each appointment.",
    "Children under 12 should be accompanied by a parent or guardian.",
    "Ask the front desk for a printed copy of your visit summary.",
    "Flu season usually peaks between December and February in {city}.",
    "Staying hydrated matters more than most people think, especially in summer.",
    "Our lab opens at 7 a.m. for fasting blood work.",
    "Everyone's needs are different, so the plan you leave with is built around yours.",
    "The waiting room has free Wi-Fi and a small play area for kids.",
    "We accept most major plans as well as HSA and FSA cards.",
    "Masks are available at the entrance for anyone who wants one.",
    "Refill requests are handled within two business days.",
    "The {staff} can help you set up an account on the patient portal.",
]


def sentence(rng: random.Random) -> str:
    return rng.choice(SENTENCES).format(
        staff=rng.choice(STAFF),
        clinic=rng.choice(CLINICS),
        city=rng.choice(CITIES),
        service=rng.choice(SERVICES),
        day=rng.choice(DAYS[:3]),
        day2=rng.choice(DAYS[3:]),
    )


def clean_paragraph(rng: random.Random) -> str:
    words = [sentence(rng) for _ in range(rng.randint(2, 5))]
    if rng.random() < 0.3:
        i = rng.randrange(len(words))
        words[i] = (
            f"**{words[i]}**" if rng.random() < 0.5 else words[i][:-1] + " ([details](https://example.org/info))."
        )
    return _wrap(" ".join(words), rng)


def _wrap(text: str, rng: random.Random) -> str:
    """Hard-wrap like an editor would, at 72-100 columns."""
    width = rng.randint(72, 100)
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines)


# The targets each figure is printed against (2 cores; a realistic corpus).
TARGET_MB_S = 10.0
TARGET_IN_PROCESS_MS = 10.0
TARGET_WARM_MS = 80.0
TARGET_COLD_MS = 1500.0


def seed_paragraphs(pages: Path | None = None) -> list[str]:
    """Prose paragraphs of the sample posts (HTML reduced to its text), risky and compliant alike; with
    ``pages``, those of every page in that directory too."""
    return _paragraphs(sorted(SEEDS.glob("*.*")) + (sorted(pages.rglob("*.*")) if pages else []))


def _paragraphs(paths: Iterable[Path]) -> list[str]:
    out = []
    for path in paths:
        if not path.is_file() or path.suffix not in (".md", ".html", ".htm", ".txt"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if path.suffix in (".html", ".htm"):
            text = re.sub(r"(?s)<(script|style)\b.*?</\1>|<!--.*?-->", "", text)
            text = re.sub(r"(?i)</(p|h\d|li|div|section|article)>", "\n\n", text)
            text = re.sub(r"<[^>]+>", "", text)
            text = text.replace("&amp;", "&").replace("&nbsp;", " ")
        for para in re.split(r"\n\s*\n", text):
            para = "\n".join(line.strip() for line in para.strip().splitlines())
            if len(para) > 40 and not para.startswith(("---", "<", "#")):
                out.append(para)
    return out


def post(rng: random.Random, seeds: list[str], n: int, risky_share: float = SEED_SHARE) -> str:
    title = f"{rng.choice(TOPICS)} ({rng.choice(CITIES)}, part {n % 97 + 1})"
    parts = [
        f'---\ntitle: "{title}"\ndescription: News and tips from {rng.choice(CLINICS)}.\n'
        f"date: 2024-{n % 12 + 1:02d}-{n % 28 + 1:02d}\n---",
        f"# {title}",
    ]
    size = sum(len(p) for p in parts)
    while size < POST_BYTES:
        roll = rng.random()
        if seeds and rng.random() < risky_share:
            block = rng.choice(seeds)
        elif roll < 0.11:
            block = f"## {rng.choice(TOPICS)}"
        elif roll < 0.22:
            block = "\n".join(f"- {sentence(rng)}" for _ in range(rng.randint(2, 5)))
        elif roll < 0.26:
            alt = f"{rng.choice(SERVICES)} at our {rng.choice(CITIES)} office"
            block = f"![{alt}](/img/photo-{rng.randint(1, 400)}.jpg)"
        elif roll < 0.28:
            block = f"> {sentence(rng)}"
        elif roll < 0.29:
            block = "```\nHours: Mon-Fri 8-5\n```"
        else:
            block = clean_paragraph(rng)
        parts.append(block)
        size += len(block) + 2
    return "\n\n".join(parts) + "\n"


def build_corpus(
    root: Path, size_mb: float, seed: int, risky_share: float = SEED_SHARE, pages: Path | None = None
) -> tuple[int, int]:
    """Write the corpus (or reuse it); returns (files, bytes)."""
    manifest = root / "MANIFEST.json"
    wanted = {
        "generator": GENERATOR,
        "size_mb": size_mb,
        "seed": seed,
        "risky_share": risky_share,
        "pages": str(pages.resolve()) if pages else None,
    }
    if manifest.exists():
        info = json.loads(manifest.read_text())
        if {k: info.get(k) for k in wanted} == wanted:
            return info["files"], info["bytes"]
    shutil.rmtree(root, ignore_errors=True)
    rng = random.Random(seed)
    seeds = seed_paragraphs(pages)
    files = total = 0
    while total < size_mb * 1_000_000:
        directory = root / f"site-{files // 1000:02d}" / f"{2015 + files // 100 % 10}"
        directory.mkdir(parents=True, exist_ok=True)
        data = post(rng, seeds, files, risky_share).encode("utf-8")
        (directory / f"post-{files:05d}.md").write_bytes(data)
        files += 1
        total += len(data)
    # A site is its own repository: without this, the .gitignore above (which ignores bench/corpus/)
    # would make clinic-lint skip every post.
    (root / ".git").mkdir(exist_ok=True)
    manifest.write_text(json.dumps({**wanted, "files": files, "bytes": total}))
    return files, total


# --------------------------------------------------------------------------- measuring


def cli_command() -> list[str]:
    script = Path(sys.executable).parent / "clinic-lint"
    return [str(script)] if script.exists() else [sys.executable, "-m", "lint"]


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants, from /proc (0 where /proc is missing)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/statm") as fh:
                rss[int(entry)] = int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, []))
    return total


def run_cli(args: list[str], env: dict[str, str], cwd: str | None = None) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds of the process tree, peak tree RSS KB sampled from /proc, peak RSS KB of the
    largest process) of one CLI run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(
        [*cli_command(), *args], env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True) if os.path.isdir("/proc") else None
    if sampler:
        sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    if sampler:
        sampler.join()
    if proc.returncode not in (0, 1):
        sys.exit(f"clinic-lint failed ({proc.returncode}): {err.decode(errors='replace')[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # includes the workers: the CLI waits for them
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu, peak[0], after.ru_maxrss


def throughput(corpus: Path, nbytes: int, jobs: int, env: dict[str, str]) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        args = ["check", str(corpus), "--format", "json", "--output", str(report), "--jobs", str(jobs)]
        wall, cpu, tree_kb, max_kb = run_cli(args, env)
        summary = json.loads(report.read_text(encoding="utf-8"))["summary"]
    return {
        "jobs": jobs,
        "seconds": wall,
        "cpu": cpu,
        "mb_s": nbytes / 1e6 / wall,
        "mb_cpu_s": nbytes / 1e6 / cpu,
        "findings": summary["findings"],
        "files": summary["files_checked"],
        "tree_rss_mb": tree_kb / 1024,
        "max_rss_mb": max_kb / 1024,
    }


def latency(post_path: Path, runs: int, env: dict[str, str], *, warm: bool) -> float:
    """Median wall seconds of ``clinic-lint check ONE_POST`` started from scratch, in the post's directory (a
    content repository, as the pre-commit hook runs)."""
    times = []
    where = str(post_path.parent)
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        env = {**env, "CLINIC_LINT_CACHE_DIR": str(cache)}
        if warm:
            run_cli(["check", str(post_path)], env, where)
        for _ in range(runs):
            if not warm:
                shutil.rmtree(cache, ignore_errors=True)
            times.append(run_cli(["check", str(post_path)], env, where)[0])
    return statistics.median(times)


def risky_phrases() -> list[str]:
    """The words the rules' bad examples mark (``[[...]]``): the phrase list ripgrep is given."""
    import yaml

    phrases: set[str] = set()
    for pack in sorted((ROOT / "rules").glob("*.yaml")):
        data = yaml.safe_load(pack.read_text(encoding="utf-8")) or {}
        for rule in data.get("rules", []) if isinstance(data, dict) else []:
            for example in (rule.get("examples") or {}).get("bad", []):
                text = example if isinstance(example, str) else str(example.get("text", ""))
                phrases.update(p.strip().lower() for p in re.findall(r"\[\[(.+?)\]\]", text) if p.strip())
    return sorted(phrases)


def ripgrep(corpus: Path, nbytes: int, runs: int = 3) -> str:
    """ripgrep's time on the corpus with the phrase list, or why it was not measured."""
    rg = shutil.which("rg")
    if rg is None:
        return "ripgrep: not installed (apt-get install ripgrep), not measured"
    phrases = risky_phrases()
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "phrases.txt"
        listing.write_text("\n".join(phrases) + "\n", encoding="utf-8")
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            done = subprocess.run(
                [rg, "--no-ignore", "-i", "-F", "-c", "-f", str(listing), str(corpus)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            times.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            return f"ripgrep: failed with exit code {done.returncode}"
    best = statistics.median(times)
    return f"ripgrep -i -F with {len(phrases)} phrases: {best:.2f} s, {nbytes / 1e6 / best:.1f} MB/s"


def in_process(one_post: str, runs: int) -> tuple[float, float, float]:
    """(median, 90th percentile, median CPU) milliseconds to re-lint one post with an engine already built
    and warm. The CPU figure is the one to compare when other work shares the machine."""
    sys.path.insert(0, str(ROOT))
    from lint.config import Config
    from lint.engine import build_engine, load_rule_set
    from lint.runner import check_bytes

    config = Config()
    engine = build_engine(config, rule_set=load_rule_set(config))
    data = one_post.encode("utf-8")
    for _ in range(3):
        check_bytes(data, "post.md", "markdown", engine)
    times, cpu = [], []
    for n in range(runs):
        edited = data.replace(b"\n\n", f" {n}\n\n".encode(), 1)  # a keystroke: the text differs each time
        start, start_cpu = time.perf_counter(), time.process_time()
        check_bytes(edited, "post.md", "markdown", engine)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9)], statistics.median(cpu)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=50.0, help="corpus size (default 50)")
    parser.add_argument("--jobs", default="1,2", help="comma-separated --jobs values to measure (default 1,2)")
    parser.add_argument("--runs", type=int, default=11, help="runs per single-post latency (default 11)")
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    parser.add_argument(
        "--risky-share",
        type=float,
        default=SEED_SHARE,
        help=f"share of sample-post paragraphs (default {SEED_SHARE})",
    )
    parser.add_argument("--pages", type=Path, help="a directory of real pages whose prose joins the corpus")
    args = parser.parse_args(argv)

    files, nbytes = build_corpus(args.corpus, args.size_mb, args.seed, args.risky_share, args.pages)
    # As installed: bytecode cached (an installed wheel has it).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    print(f"corpus: {files} files, {nbytes / 1e6:.1f} MB in {args.corpus}; {os.cpu_count()} cores")

    with tempfile.TemporaryDirectory() as tmp:
        env_warm = {**env, "CLINIC_LINT_CACHE_DIR": tmp}
        one = next(args.corpus.rglob("*.md"))
        run_cli(["check", str(one)], env_warm)  # fill the cache: throughput is measured warm
        for jobs in [int(j) for j in args.jobs.split(",")]:
            r = throughput(args.corpus, nbytes, jobs, env_warm)
            print(
                f"jobs={jobs}: {r['mb_s']:.2f} MB/s wall ({r['seconds']:.1f} s; target >= {TARGET_MB_S:g}), "
                f"{r['mb_cpu_s']:.2f} MB per CPU-second "
                f"({r['cpu']:.1f} CPU-s), {r['findings']} findings in {r['files']} files, peak RSS "
                f"{r['tree_rss_mb']:.0f} MB process tree / {r['max_rss_mb']:.0f} MB largest process"
            )

    print(ripgrep(args.corpus, nbytes))

    one_post = post(random.Random(args.seed), seed_paragraphs(), 0)
    median, p90, cpu = in_process(one_post, max(50, args.runs * 5))
    print(
        f"in process, one post re-linted ({len(one_post)} bytes): {median:.1f} ms median, {p90:.1f} ms "
        f"90th percentile, {cpu:.1f} ms CPU (target <= {TARGET_IN_PROCESS_MS:g} ms)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "one.md"
        target.write_text(one_post, encoding="utf-8")
        warm = latency(target, args.runs, env, warm=True)
        cold = latency(target, max(3, args.runs // 3), env, warm=False)
    print(
        f"one post ({len(one_post)} bytes), a new process: {warm * 1000:.0f} ms with a warm cache "
        f"(target <= {TARGET_WARM_MS:g}), {cold * 1000:.0f} ms cold (target <= {TARGET_COLD_MS:g}; median)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

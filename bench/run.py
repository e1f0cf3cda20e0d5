#!/usr/bin/python3
"""
run.py - time Noticeboard and Hugo on the same synthetic sites.

    bench/run.py --bin ./noticeboard [--sizes "1000 10000 100000"]
                 [--dir build/bench] [--runs 1] [--no-hugo] [--keep]

For each size: generate the site with bench/gen.py (kept between runs
while the generator is unchanged), then, `runs` times each, in this order:
Noticeboard's build into an empty folder, `cp -r` of its output (the
floor: writing the same bytes), and Hugo's build of the same records.  It
prints, for each: files written, MB written, wall time, files per second,
CPU time and peak memory (the child's own maximum resident set, from
wait4), and the ratios Hugo/Noticeboard and Noticeboard/cp.  With runs > 1
the fastest run of each is kept.  The outputs are removed at the end
(--keep keeps them).  Standard library only.
"""
import hashlib
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NOW = "2026-11-23"


def run(argv, env=None, cwd=None):
    """Run argv; returns (wall seconds, cpu seconds, peak RSS in MiB)."""
    t0 = time.monotonic()
    p = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.stderr.write(err.decode("utf-8", "replace")[-4000:])
        raise SystemExit("bench: %s failed with status %d"
                         % (" ".join(argv[:2]), p.returncode))
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0


def remove(path):
    """Remove an output folder: a folder, or a link to the folder the build
    swapped in (and the builds' other folders beside it).  Returns whether
    a folder was removed."""
    parent, base = os.path.split(path)
    removed = False
    if os.path.isdir(parent):
        for name in os.listdir(parent):
            if name == base or name.startswith(base + "."):
                p = os.path.join(parent, name)
                if os.path.islink(p) or not os.path.isdir(p):
                    os.unlink(p)
                else:
                    shutil.rmtree(p)
                    removed = True
    return removed


# ext4 without a journal (as on this machine) does not hand out an inode
# freed in the last minute, or the last six minutes once its inode table
# block is written to again, while it can find another; and looking costs
# the program that creates files, more the more files were removed.  A
# build started soon after the last one's output was removed pays for the
# removal (we measured a 100,000-consultation build 30% slower 75 s after
# one).  So every run writes into folders of its own, all outputs are
# removed at the end, and outputs left by an earlier bench are removed
# first and waited out.  Between the programs of a run the disk is synced,
# so that one's dirty pages are not written back while the next runs.
SETTLE_SECONDS = 370
OUTPUTS = ("nb-public", "cp-public", "hugo-public")


def settle(removed_at):
    subprocess.call(["sync"])
    if removed_at is not None:
        left = SETTLE_SECONDS - (time.monotonic() - removed_at)
        if left > 0:
            sys.stderr.write("bench: waiting %.0f s after removing old "
                             "outputs (see SETTLE_SECONDS)\n" % left)
            time.sleep(left)


def remove_outputs(d):
    """Remove every output folder under d.  Returns whether any was."""
    removed = False
    for name in OUTPUTS:
        for r in range(0, 100):
            removed |= remove(os.path.join(d, "%s-%d" % (name, r)))
        removed |= remove(os.path.join(d, name))   # older benches
    return removed


def tree_size(path):
    files = size = 0
    for root, _, names in os.walk(path):
        for n in names:
            files += 1
            size += os.lstat(os.path.join(root, n)).st_size
    return files, size


def generator_stamp():
    h = hashlib.sha256()
    for rel in ("gen.py",):
        with open(os.path.join(HERE, rel), "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def ensure_site(d, n):
    """Generate (once) the site of n consultations and its Hugo twin."""
    stamp = os.path.join(d, "stamp")
    want = "%s %d\n" % (generator_stamp(), n)
    if os.path.exists(stamp) and open(stamp).read() == want:
        return
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    t0 = time.monotonic()
    subprocess.check_call([sys.executable, os.path.join(HERE, "gen.py"),
                           str(n), os.path.join(d, "site"), "--hugo",
                           os.path.join(d, "hugo"),
                           os.path.join(HERE, "hugo", "layouts")])
    sys.stderr.write("bench: generated %d consultations in %.1f s\n"
                     % (n, time.monotonic() - t0))
    with open(stamp, "w") as f:
        f.write(want)


def best(results):
    return min(results, key=lambda r: r[0])


def fmt_row(name, files, size, wall, cpu, rss):
    return ("  %-12s %8d files %9.1f MB %8.2f s %9.0f files/s %8.2f s cpu %8.0f MiB"
            % (name, files, size / 1e6, wall, files / wall if wall else 0,
               cpu, rss))


def main(argv):
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--sizes", default="1000 10000 100000")
    ap.add_argument("--dir", default="build/bench")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--no-hugo", action="store_true")
    ap.add_argument("--keep", action="store_true",
                    help="keep the outputs (the next bench waits for their removal)")
    a = ap.parse_args(argv[1:])
    nb = os.path.abspath(a.bin)
    root = os.path.dirname(HERE)
    env = dict(os.environ)
    env["NOTICEBOARD_SHARE"] = root        # the default theme
    env.pop("SOURCE_DATE_EPOCH", None)
    hugo = shutil.which("hugo")
    if not a.no_hugo and not hugo:
        raise SystemExit("bench: hugo is not installed (apt-get install hugo)")
    if hugo:
        v = subprocess.run([hugo, "version"], capture_output=True, text=True)
        print("hugo: " + v.stdout.strip())
    print("machine: %d cores; figures are the fastest of %d run(s); "
          "ratios are from this run" % (os.cpu_count(), a.runs))
    summary = []
    sizes = [int(s) for s in a.sizes.split()]
    dirs = [os.path.abspath(os.path.join(a.dir, str(n))) for n in sizes]
    last_removed = None
    for d in dirs:
        if os.path.isdir(d) and remove_outputs(d):
            last_removed = time.monotonic()
    for n, d in zip(sizes, dirs):
        ensure_site(d, n)
        site = os.path.join(d, "site")
        nbr, cpr, hgr = [], [], []
        for r in range(a.runs):
            out = os.path.join(d, "nb-public-%d" % r)
            copy = os.path.join(d, "cp-public-%d" % r)
            hout = os.path.join(d, "hugo-public-%d" % r)
            settle(last_removed)
            last_removed = None
            nbr.append(run([nb, "build", "--quiet", "--source", site,
                            "--output", out, "--now", NOW], env=env))
            settle(None)
            # the folder itself, where the output is a link to it
            cpr.append(run(["cp", "-r", os.path.realpath(out), copy]))
            if not a.no_hugo:
                settle(None)
                hgr.append(run([hugo, "--quiet", "--source",
                                os.path.join(d, "hugo"), "--destination",
                                hout], env=env))
        files, size = tree_size(os.path.realpath(out))
        print("%d consultations:" % n)
        w, c, m = best(nbr)
        print(fmt_row("noticeboard", files, size, w, c, m))
        cw, cc, cm = best(cpr)
        print(fmt_row("cp -r", files, size, cw, cc, cm))
        row = {"n": n, "nb": w, "cp": cw, "rss": m, "hugo": None}
        if hgr:
            hfiles, hsize = tree_size(hout)
            hw, hc, hm = best(hgr)
            print(fmt_row("hugo", hfiles, hsize, hw, hc, hm))
            row["hugo"] = hw
            print("  hugo / noticeboard: %.2fx wall, %.2fx cpu"
                  % (hw / w, hc / c if c else 0))
        print("  noticeboard / cp -r: %.2fx wall" % (w / cw if cw else 0))
        summary.append(row)
    if not a.keep:
        for d in dirs:
            remove_outputs(d)
    print("summary:")
    for r in summary:
        print("  %7d: noticeboard %.2f s, peak %.0f MiB, %.2fx cp -r%s"
              % (r["n"], r["nb"], r["rss"], r["nb"] / r["cp"] if r["cp"] else 0,
                 ", %.2fx faster than hugo" % (r["hugo"] / r["nb"])
                 if r["hugo"] else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

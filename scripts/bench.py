"""scripts/bench: measure sealed against the alternatives, in one run, and rewrite BENCHMARKS.md.

Run through `scripts/bench [--quick]`, which provides the project's venv (moto, boto3). Starts
its own KMS emulator and stops it. Ratios from one run are the figures that count; absolute times
are context (machines here are shared and noisy).
"""
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUICK = "--quick" in sys.argv
TARGET = ROOT / "target"
RELEASE = TARGET / "release"
STATE = TARGET / "bench-kms"
VENV_PY = ROOT / ".venv" / "bin" / "python"
CIPHERTEXTS = []

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_cold  # noqa: E402  (section 3: TLS, CPU shares)
import bench_storm  # noqa: E402  (section 8: a cold-start storm against the KMS quota)


def log(message):
    print(f"==> {message}", flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, cwd=kw.pop("cwd", ROOT), **kw)


def start_kms():
    out = subprocess.run([ROOT / "scripts" / "dev-kms"], capture_output=True, text=True, check=True,
                         env={**os.environ, "SEALED_DEV_KMS_STATE": str(STATE)}).stdout
    env = dict(re.findall(r"^export (\w+)=(.*)$", out, re.M))
    os.environ.update(env)
    import boto3  # from the venv
    kms = boto3.client("kms", endpoint_url=env["AWS_ENDPOINT_URL_KMS"], region_name=env["AWS_REGION"])
    key = kms.create_key()["KeyMetadata"]["Arn"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"hello, world!")["CiphertextBlob"]
    import base64
    os.environ["SEALED_BENCH_KEY"] = key
    os.environ["SEALED_BENCH_CIPHERTEXT"] = base64.b64encode(blob).decode()
    # section 3: as many ciphertexts of the same plaintext as its largest program has values
    CIPHERTEXTS[:] = [base64.b64encode(kms.encrypt(KeyId=key, Plaintext=b"hello, world!")["CiphertextBlob"]).decode()
                      for _ in range(max(bench_cold.COUNTS))]


def stop_kms():
    subprocess.run([ROOT / "scripts" / "dev-kms", "stop"], capture_output=True,
                   env={**os.environ, "SEALED_DEV_KMS_STATE": str(STATE)})


def spread(samples):
    return f"{min(samples):.1f}–{max(samples):.1f}"


# 1. hot access ---------------------------------------------------------------------------------
def hot_access():
    log("hot access (criterion)")
    args = ["--warm-up-time", "1", "--measurement-time", "2" if QUICK else "5"]
    run(["cargo", "bench", "--quiet", "-p", "sealed-bench", "--bench", "hot_access", "--", *args],
        stdout=subprocess.DEVNULL)
    results = {}
    for name in ["sealed_get", "sealed_try_get", "bundle_value_get", "bundle_value_try_get", "oncelock_get",
                 "oncelock_get_via_handle", "env_var"]:
        est = json.loads((TARGET / "criterion" / "hot_access" / name / "new" / "estimates.json").read_text())
        mean = est["mean"]
        results[name] = (mean["point_estimate"], mean["confidence_interval"]["lower_bound"],
                         mean["confidence_interval"]["upper_bound"])
    est = json.loads((TARGET / "criterion" / "bundle_open" / "first_get_after_unwrap" / "new" /
                      "estimates.json").read_text())["mean"]
    results["bundle_open"] = (est["point_estimate"], est["confidence_interval"]["lower_bound"],
                              est["confidence_interval"]["upper_bound"])
    return results


# 2 and 4. KMS calls and prefetch ------------------------------------------------------------------
def kms_calls():
    log("KMS calls and prefetch against the emulator (release build)")
    run(["cargo", "build", "--quiet", "--release", "-p", "sealed-bench", "--bins"])
    out = run([RELEASE / "kms-calls"], capture_output=True, text=True).stdout
    latency = run([RELEASE / "kms-calls", "--latency-model"], capture_output=True, text=True).stdout
    return {**json.loads(out), **json.loads(latency)}


# 3 and 7. process cost and size ----------------------------------------------------------------
BOTO3 = """
import base64, os, boto3
kms = boto3.client("kms")
out = kms.decrypt(CiphertextBlob=base64.b64decode(os.environ["SEALED_BENCH_CIPHERTEXT"]),
                  KeyId=os.environ["SEALED_BENCH_KEY"])
print(len(out["Plaintext"]))
"""


def measure_process(cmd, runs):
    """Wall time of the whole process, and its peak RSS from GNU time (`wait4` on a child forked
    from this Python process would report this process's own RSS)."""
    times, rss = [], []
    report = TARGET / "bench-rss.txt"
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", str(report), *cmd],
                              capture_output=True, text=True, cwd=ROOT)
        times.append((time.perf_counter() - started) * 1000)
        assert proc.returncode == 0 and proc.stdout.strip() == "13", (cmd, proc.stdout, proc.stderr)
        rss.append(int(report.read_text().strip().splitlines()[-1]) / 1024)  # KiB → MiB
    return times, rss


def process_cost():
    log("time to first plaintext and peak memory (whole processes)")
    runs = 5 if QUICK else 21
    programs = {
        "sealed": [str(RELEASE / "first-plaintext-sealed")],
        "aws-sdk-kms directly": [str(RELEASE / "first-plaintext-sdk")],
        "Python boto3": [str(VENV_PY), "-c", BOTO3],
    }
    results = {}
    for name, cmd in programs.items():
        measure_process(cmd, 2)  # warm the page cache
        results[name] = measure_process(cmd, runs)
    sizes = {}
    for name in ["first-plaintext-sealed", "first-plaintext-sdk"]:
        path = RELEASE / name
        stripped = TARGET / f"{name}.stripped"
        shutil.copy(path, stripped)
        subprocess.run(["strip", str(stripped)], check=True)
        sizes[name] = (path.stat().st_size, stripped.stat().st_size)
    return results, sizes, runs


# 5. Lambda cold path ----------------------------------------------------------------------------
free_port, wait_port = bench_cold.free_port, bench_cold.wait_port


def first_invocation(prefetch):
    """Runtime API of `cargo lambda watch --only-lambda-apis`; the function started by hand; after
    INIT has had time to finish, the first invocation is timed (HTTP POST to the invoke API)."""
    import urllib.request
    port = free_port()
    env = {**os.environ, "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}"}
    watch = subprocess.Popen(["cargo", "lambda", "watch", "--only-lambda-apis", "-A", "127.0.0.1", "-P", str(port)],
                             cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    function = None
    try:
        wait_port(port)
        function = subprocess.Popen([str(RELEASE / "lambda-cold")], cwd=ROOT, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, env={
                                        **os.environ, "SEALED_BENCH_PREFETCH": "1" if prefetch else "0",
                                        "AWS_LAMBDA_RUNTIME_API": f"http://127.0.0.1:{port}/.rt",
                                        "AWS_LAMBDA_FUNCTION_NAME": "_", "AWS_LAMBDA_FUNCTION_VERSION": "1",
                                        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128"})
        time.sleep(1.5)  # INIT: well over the ~10 ms it takes here
        request = urllib.request.Request(f"http://127.0.0.1:{port}/2015-03-31/functions/_/invocations",
                                         data=b"{}", method="POST")
        started = time.perf_counter()
        body = urllib.request.urlopen(request, timeout=30).read()
        elapsed = (time.perf_counter() - started) * 1000
        assert body.strip() == b"13", body
        return elapsed
    finally:
        for proc in (function, watch):
            if proc:
                proc.terminate()
                proc.wait()


def lambda_cold():
    log("Lambda cold path: first invocation with and without prefetch in INIT")
    runs = 3 if QUICK else 7
    return {mode: [first_invocation(mode == "prefetch") for _ in range(runs)] for mode in ("prefetch", "lazy")}, runs


# 6. build cost ---------------------------------------------------------------------------------
BUILD_PROGRAMS = {
    "1,000 sealed!": "build-sealed",
    "1,000 byte strings": "build-bytes",
    "1,000 byte strings registered with linkme": "build-linkme",
    "1,000 hand-written expansions, unregistered": "build-expanded",
}


def build_cost():
    """`cargo check` of each build-cost program of bench/programs (its build script writes 1,000
    copies of one value in each form), after touching it, in a target directory of its own."""
    log("build cost: cargo check of 1,000 sealed! against 1,000 byte-string constants")
    env = {**os.environ, "CARGO_TARGET_DIR": str(TARGET / "bench-build" / "target"),
           "SEALED_BENCH_BUILD_VALUES": "1000"}
    env.pop("SEALED_BENCH_SECRETS", None)
    runs = 3 if QUICK else 7
    results = {}
    for name, program in BUILD_PROGRAMS.items():
        check = ["cargo", "check", "--quiet", "-p", "sealed-bench-programs", "--bin", program]
        subprocess.run(check, cwd=ROOT, env=env, check=True)
        samples = []
        for _ in range(runs):
            (ROOT / "bench" / "programs" / "src" / "bin" / f"{program}.rs").touch()
            started = time.perf_counter()
            subprocess.run(check, cwd=ROOT, env=env, check=True)
            samples.append(time.perf_counter() - started)
        results[name] = samples
    log("clean build of sealed-macro with its dependencies")
    macro_target = TARGET / "bench-macro"
    shutil.rmtree(macro_target, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run(["cargo", "build", "--quiet", "-p", "sealed-macro", "--target-dir", str(macro_target)],
                   cwd=ROOT, check=True)
    macro_seconds = time.perf_counter() - started
    return results, macro_seconds, runs


# report ------------------------------------------------------------------------------------------
def write_report(hot, calls, process, build, cold, cold_tls, bundles, floor, storm, snapstart):
    processes, sizes, process_runs = process
    build_samples, macro_seconds, build_runs = build
    mode = "scripts/bench --quick" if QUICK else "scripts/bench"
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    lines = [
        "# Benchmarks",
        "",
        f"Produced by `{mode}` on {time.strftime('%Y-%m-%d')} ({os.cpu_count()} cores, {cpu}, "
        f"{platform.system()} {platform.release()}), against the moto KMS emulator on loopback, all in one "
        "run. Ratios within one run are the figures that count; absolute times are context (the machine is "
        "shared and noisy). Each table names the command that produced it; `scripts/bench` reruns all.",
        "",
        "## 1. Hot access (after the first decrypt)",
        "",
        "`cargo bench -p sealed-bench --bench hot_access` (criterion; mean and its 95% interval).",
        "",
        "| access | time | vs `OnceLock::get` |",
        "|---|---|---|",
    ]
    base = hot["oncelock_get"][0]
    names = {"sealed_get": "`Sealed::get().await` (polled once)", "sealed_try_get": "`Sealed::try_get()`",
             "bundle_value_get": "a bundle value's `get().await`",
             "bundle_value_try_get": "a bundle value's `try_get()`",
             "oncelock_get": "`OnceLock::get` on the same bytes",
             "oncelock_get_via_handle": "`OnceLock::get` through a `&'static` handle",
             "env_var": "`std::env::var` (plaintext in the environment)"}
    for key, label in names.items():
        mean, lo, hi = hot[key]
        lines.append(f"| {label} | {mean:.2f} ns ({lo:.2f}–{hi:.2f}) | {mean / base:.2f}× |")
    get_ratio = hot["sealed_get"][0] / base
    handle_ratio = hot["sealed_get"][0] / hot["oncelock_get_via_handle"][0]
    lines += [
        "",
        f"Target `get()` ≤ 1.2× `OnceLock::get`: **{'met' if get_ratio <= 1.2 else 'missed'} ({get_ratio:.2f}×)**. "
        "What it took: the first measurement was 4.1× (2.0 ns) — `get()` was an `async fn` and `try_get()` a plain "
        "function, neither inlinable across crates. Both are now `#[inline]`, and `get()` decides the hot path in the "
        "caller's crate and returns an already-ready two-word future (the first access is boxed behind it). The "
        "floor: a `Sealed` is a handle (`&'static Entry`), so that a `Sealed` reached through a `const` refers to "
        "the one value `sealed!` emitted and never decrypts twice; that is one dependent load more than a "
        f"`OnceLock` in a `static` ({hot['oncelock_get_via_handle'][0] / base:.2f}×, the handle row). `try_get()` sits "
        f"on that floor ({hot['sealed_try_get'][0] / base:.2f}×); `get()` adds one poll of the future "
        f"({handle_ratio:.2f}× the floor). A hot access costs about {hot['sealed_get'][0]:.2f} ns, "
        f"{hot['env_var'][0] / hot['sealed_get'][0]:.0f}× less than reading the plaintext from an environment variable.",
        "",
        f"A bundle value is a `Sealed` like any other once opened: its hot access is the same code "
        f"({hot['bundle_value_get'][0] / hot['sealed_get'][0]:.2f}× a plain value's `get()`, "
        f"{hot['bundle_value_try_get'][0] / hot['sealed_try_get'][0]:.2f}× its `try_get()`; target: as fast: "
        f"**{'met' if hot['bundle_value_get'][0] <= 1.2 * hot['sealed_get'][0] else 'missed'}**).",
        "",
        "**Opening a bundle value (format 2).** `cargo bench -p sealed-bench --bench hot_access -- bundle_open`: the "
        "first `get()` of a bundle value whose bundle's private key is already unwrapped, on a current-thread runtime "
        "as a caller meets it — one HPKE open (a P-256 ECDH, the key schedule, AES-256-GCM, RustCrypto through the "
        "`hpke` crate, `p256`'s precomputed base-point tables on), the handoff to the library's thread and back: "
        f"**{hot['bundle_open'][0] / 1e6:.2f} ms** ({hot['bundle_open'][1] / 1e3:.0f}–{hot['bundle_open'][2] / 1e3:.0f} µs). "
        f"32 values opened at start-up would be ≈ {32 * hot['bundle_open'][0] / 1e6:.1f} ms of CPU, against the 7.2 ms "
        "a 128 MB function gets per 100 ms period: `prefetch()` unwraps a bundle's private key and leaves each value "
        "to open on its first access (§3).",
        "",
        "## 2. KMS calls",
        "",
        "`target/release/kms-calls` (in `scripts/bench`): one process, the emulator on loopback.",
        "",
        "| scenario | Decrypt calls | time |",
        "|---|---|---|",
        f"| 1,000 handler invocations, `sealed` | {calls['sealed_calls']} | {calls['sealed_ms']:.1f} ms |",
        f"| 1,000 handler invocations, Decrypt in the handler (the seed approach) | {calls['naive_calls']} | {calls['naive_ms']:.1f} ms |",
        f"| 1,000 concurrent first accesses | {calls['concurrent_calls']} | |",
        "",
        f"The first access of a bundle value (its data key's `Decrypt`, then the local open) against a plain "
        f"value's `Decrypt`, interleaved, medians of 15: **{calls['bundle_first_ms']:.2f} ms vs "
        f"{calls['plain_first_ms']:.2f} ms, {calls['bundle_first_ms'] / calls['plain_first_ms']:.2f}×** "
        f"(target ≤ 1.1×: **{'met' if calls['bundle_first_ms'] <= 1.1 * calls['plain_first_ms'] else 'missed'}**).",
        "",
    ]
    invocations = 10_000_000
    naive_cost = max(invocations - 20_000, 0) * 0.03 / 10_000
    lines += [
        f"At $0.03 per 10,000 requests (after 20,000 free a month), 10 M invocations a month cost "
        f"**${naive_cost:,.2f}** in KMS requests when every invocation decrypts, and **$0.00** with `sealed`: "
        "one Decrypt per execution environment (per cold start), far inside the free tier for any "
        "plausible number of cold starts (even one cold start per 1,000 invocations is 10,000 requests).",
        "",
    ]
    lines += bench_cold.report(*cold_tls, QUICK)
    lines += bundles
    lines += floor
    lines += [
        "",
        "### Context: over plain HTTP to loopback at full CPU, and peak memory",
        "",
        f"Each program started {process_runs} times (after 2 warm-up runs) by `scripts/bench`: wall time from "
        "spawn to exit (including GNU `time`, the same for all), and peak RSS (`/usr/bin/time -f %M`). Same "
        "ciphertext, same emulator.",
        "",
        "| program | median time | spread | median peak RSS | time vs boto3 | memory vs boto3 | time vs SDK |",
        "|---|---|---|---|---|---|---|",
    ]
    med = {name: (statistics.median(t), statistics.median(r)) for name, (t, r) in processes.items()}
    boto, sdk = med["Python boto3"], med["aws-sdk-kms directly"]
    for name, (t, r) in processes.items():
        mt, mr = med[name]
        lines.append(f"| {name} | {mt:.1f} ms | {spread(t)} ms | {mr:.1f} MiB | {mt / boto[0]:.3f}× | "
                     f"{mr / boto[1]:.2f}× | {mt / sdk[0]:.2f}× |")
    s = med["sealed"]
    lines += [
        "",
        f"Targets: ≤ 0.05× boto3 in time — **{'met' if s[0] / boto[0] <= 0.05 else 'missed'} "
        f"({s[0] / boto[0]:.3f}×)**; ≤ 0.3× in peak memory — **{'met' if s[1] / boto[1] <= 0.3 else 'missed'} "
        f"({s[1] / boto[1]:.2f}×)**; ≤ 1.1× the direct SDK program — **{'met' if s[0] / sdk[0] <= 1.1 else 'missed'} "
        f"({s[0] / sdk[0]:.2f}×)**.",
        "",
        "## 4. Prefetch",
        "",
        "`target/release/kms-calls`: 32 values decrypted with `prefetch_values`, awaited one "
        "by one, and a single value; medians of 7 rounds.",
        "",
        "| scenario | median time | vs one decrypt |",
        "|---|---|---|",
        f"| one decrypt | {calls['single_ms']:.2f} ms | 1.00× |",
        f"| 32 values, prefetch | {calls['prefetch32_ms']:.2f} ms | {calls['prefetch32_ms'] / calls['single_ms']:.2f}× |",
        f"| 32 values, one by one | {calls['serial32_ms']:.2f} ms | {calls['serial32_ms'] / calls['single_ms']:.2f}× |",
        "",
    ]
    pf = calls['prefetch32_latency_ms'] / calls['single_latency_ms']
    lines += [
        f"Against moto, 32 values cost about 32 decrypts either way: moto handles each request in Python "
        "under one interpreter lock, so concurrent requests are served one at a time and the emulator, not "
        "the client, is the floor. AWS KMS seen from a function is latency-bound instead; "
        "`kms-calls --latency-model` puts the library's client in front of a loopback stand-in that answers "
        "`Decrypt` after 20 ms without queueing:",
        "",
        "| scenario (20 ms latency model) | median time | vs one decrypt |",
        "|---|---|---|",
        f"| one decrypt | {calls['single_latency_ms']:.2f} ms | 1.00× |",
        f"| 32 values, `prefetch_values` | {calls['prefetch32_latency_ms']:.2f} ms | {pf:.2f}× |",
        "",
        f"Target prefetch ≤ 1.5× one decrypt: **{'met' if pf <= 1.5 else 'missed'} ({pf:.2f}×)** in the latency "
        "model (`PREFETCH_CONCURRENCY` is 32: the 32 requests are one wave; with the earlier bound of 16 "
        "they were two waves, 2.09×).",
        "",
        "## 6. Build cost",
        "",
        f"`cargo check -p sealed-bench-programs --bin build-…` after touching the program ({build_runs} runs, "
        "dependencies built; `bench/programs/build.rs` writes the values, `SEALED_BENCH_BUILD_VALUES=1000`): "
        "1,000 `sealed!` values against the same 1,000 ciphertexts as byte-string `static`s.",
        "",
        "| program | median | spread |",
        "|---|---|---|",
    ]
    medians = {k: statistics.median(v) for k, v in build_samples.items()}
    for name, samples in build_samples.items():
        lines.append(f"| {name} | {medians[name]:.2f} s | {min(samples):.2f}–{max(samples):.2f} s |")
    ratio = medians["1,000 sealed!"] / medians["1,000 byte strings"]
    extra = medians["1,000 sealed!"] - medians["1,000 byte strings"]
    linkme_share = (medians["1,000 byte strings registered with linkme"] - medians["1,000 byte strings"]) / extra
    typing_share = (medians["1,000 hand-written expansions, unregistered"] - medians["1,000 byte strings"]) / extra
    macro_share = 1 - linkme_share - typing_share
    lines += [
        "",
        f"Ratio: **{ratio:.2f}×** (target ≤ 1.3×: **{'missed' if ratio > 1.3 else 'met'}**). Why: every `sealed!` "
        "also expands `linkme`'s `#[distributed_slice]` attribute (a second proc macro that parses the whole "
        "`static` with `syn`) so that `prefetch()` can find it; the third row isolates that cost: "
        f"**{linkme_share:.0%}** of the difference. Type-checking the `Entry` statics the macro emits (fourth "
        f"row: the same code written out, unregistered) is **{typing_share:.0%}**, and running `sealed!` itself "
        f"(parse, base64 and layout checks, quote) the remaining **{macro_share:.0%}**. So the floor of this design "
        "(one typed, registered `static` per value), with a macro that cost nothing, is "
        f"**{(medians['1,000 hand-written expansions, unregistered'] + medians['1,000 byte strings registered with linkme'] - medians['1,000 byte strings']) / medians['1,000 byte strings']:.1f}×**: "
        "the 1.3× target is below it. Possible next steps, not taken here: emit the link section "
        "directly instead of through `linkme`'s attribute, or let values opt out of registration. In absolute "
        f"value: the 1,000 values add {(medians['1,000 sealed!'] - medians['1,000 byte strings']):.2f} s to `cargo check`, "
        f"about {(medians['1,000 sealed!'] - medians['1,000 byte strings']):.2f} ms each. Clean build of "
        f"`sealed-macro` with all its dependencies (syn, quote, proc-macro2, base64, sealed-format, "
        f"sealed-syntax): **{macro_seconds:.1f} s** (`cargo build -p sealed-macro --target-dir target/bench-macro`).",
        "",
        "## 7. Binary size",
        "",
        "The release binaries of section 3 (`cargo build --release -p sealed-bench --bins`), as built and "
        "stripped.",
        "",
        "| program | size | stripped |",
        "|---|---|---|",
    ]
    for name, (full, stripped) in sizes.items():
        lines.append(f"| `{name}` | {full / 2**20:.2f} MiB | {stripped / 2**20:.2f} MiB |")
    a, b = sizes["first-plaintext-sealed"], sizes["first-plaintext-sdk"]
    lines += [
        "",
        f"Ratio (stripped): **{a[1] / b[1]:.3f}×** (target ≤ 1.05×: **{'met' if a[1] / b[1] <= 1.05 else 'missed'}**).",
        "",
        "## 5. Lambda cold path",
        "",
        f"The runtime API of `cargo lambda watch --only-lambda-apis`, the release binary `lambda-cold` started "
        f"by hand, 1.5 s for INIT, then the first invocation timed as an HTTP request to the invoke API "
        f"({cold[1]} runs each; `scripts/bench`). Same value, same emulator.",
        "",
        "| INIT | first invocation, median | spread |",
        "|---|---|---|",
        f"| `prefetch()` in INIT (recommended) | {statistics.median(cold[0]['prefetch']):.2f} ms | {spread(cold[0]['prefetch'])} ms |",
        f"| nothing: decrypt on first access | {statistics.median(cold[0]['lazy']):.2f} ms | {spread(cold[0]['lazy'])} ms |",
        "",
        f"With prefetch the first invocation is {statistics.median(cold[0]['lazy']) / statistics.median(cold[0]['prefetch']):.1f}× "
        "faster here, where a Decrypt costs ~2 ms on loopback; against AWS KMS the first access also pays DNS, "
        "the TLS handshake and the network round trips, all moved into INIT.",
        "",
    ]
    lines += bench_storm.report(*storm)
    lines += snapstart_report(snapstart)
    # sections in the order of the measures (1 … 8), whatever order they were measured in
    text = "\n".join(lines)
    head, *sections = re.split(r"(?m)^(?=## \d)", text)
    sections.sort(key=lambda section: int(re.match(r"## (\d+)", section).group(1)))
    (ROOT / "BENCHMARKS.md").write_text(head + "".join(sections).rstrip() + "\n")
    log("BENCHMARKS.md written")


SNAPSTART_COMMAND = ("cargo test --release -p lambda-snapstart --features emulator --test snapstart -- "
                     "--ignored --nocapture")


def snapstart_restore():
    """Section 9: `examples/lambda-snapstart`'s benchmark (an ignored test), its secrets sealed
    with this run's emulator as `scripts/test` seals them; the lines it prints."""
    import boto3
    kms = boto3.client("kms")
    if not any(a["AliasName"] == "alias/snapstart" for a in kms.list_aliases()["Aliases"]):
        kms.create_alias(AliasName="alias/snapstart", TargetKeyId=kms.create_key()["KeyMetadata"]["KeyId"])
    run(["cargo", "build", "--quiet", "-p", "sealed-cli"])
    secrets = ROOT / "examples" / "lambda-snapstart" / "secrets"
    for name, plaintext in (("db-password", "snapstart-db-password-Qv27mc"), ("api-token", "snapstart-api-token-Xk93wd")):
        run([TARGET / "debug" / "cargo-sealed", "sealed", "encrypt", "--key", "alias/snapstart",
             "--out", secrets / f"{name}.kms"], input=plaintext.encode(), stdout=subprocess.DEVNULL)
    out = run(SNAPSTART_COMMAND.split(), capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line.startswith(("restore ->", "8 concurrent"))]


def snapstart_report(found):
    rows = []
    for line in found:
        what, figure = line.rsplit(": ", 1)
        rows.append(f"| {what} | {figure} |")
    return [
        "## 9. SnapStart's restore and Managed Instances' concurrency",
        "",
        f"`{SNAPSTART_COMMAND}` (in `scripts/bench`): `examples/lambda-snapstart` under the project's own "
        "Runtime API, each environment a process of its own, KMS (moto behind test-support's quota front) over "
        "TLS through the test CA, the container-credentials endpoint on loopback; 7 runs each after one "
        "warm-up. The restore is `/restore/next` answered; the time runs to the first invocation's answer. "
        "`decrypted after the restore` is the default (`prefetch()` in INIT deferred to the after-restore hook: "
        "the configuration loaded, credentials fetched, a TLS handshake, a `Decrypt` per value); `plaintext "
        "kept in the snapshot` is `allow_plaintext_in_snapshot()` (a memory read; what it costs in revocation "
        "is in docs/snapstart.md). 128 MB is a cgroup with that function's CPU quota. The concurrent row: "
        "`run_concurrent()` with `AWS_LAMBDA_MAX_CONCURRENCY=8`, no `prefetch()`, eight first invocations "
        "queued at once, the time until all eight answered (one `Decrypt` for all).",
        "",
        "| what | time |",
        "|---|---|",
        *rows,
        "",
        "A real restore also pays what this harness does not: DNS, the network round trips to KMS and to the "
        "credentials endpoint, and the snapshot's pages faulted in.",
        "",
    ]


def main():
    started = time.time()
    start_kms()
    try:
        hot = hot_access()
        calls = kms_calls()
        process = process_cost()
        build = build_cost()
        cold = lambda_cold()
        cold_tls = bench_cold.cold_start(os.environ["AWS_ENDPOINT_URL_KMS"], os.environ["SEALED_BENCH_KEY"],
                                         CIPHERTEXTS, VENV_PY, QUICK)
        bundles = bench_cold.bundle_report(bench_cold.bundle_cost(
            os.environ["AWS_ENDPOINT_URL_KMS"], os.environ["SEALED_BENCH_KEY"], CIPHERTEXTS, 5 if QUICK else 11))
        floor = bench_cold.floor_report(bench_cold.floor_cost(
            os.environ["AWS_ENDPOINT_URL_KMS"], os.environ["SEALED_BENCH_KEY"], CIPHERTEXTS, 5 if QUICK else 11,
            3 if QUICK else 7))
        floor += [""] + bench_cold.perf_report(bench_cold.perf_breakdown(
            os.environ["AWS_ENDPOINT_URL_KMS"], os.environ["SEALED_BENCH_KEY"], CIPHERTEXTS))
        storm = bench_storm.measure(QUICK)
        snapstart = snapstart_restore()
    finally:
        stop_kms()
    write_report(hot, calls, process, build, cold, cold_tls, bundles, floor, storm, snapstart)
    log(f"done in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()

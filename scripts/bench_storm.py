"""A cold-start storm against KMS's account-wide request quota, on real parts.

N execution environments start at once as separate processes (each with its own SDK client and
retry budget, as on Lambda), each with S sealed values and `prefetch()` in its INIT, against a
loopback KMS stand-in that enforces a request quota Q (test-support's `kms-quota` in front of the
moto emulator, answering `ThrottlingException` beyond it). Per variant: the share of INITs that
succeed, INIT latency p50/p99 (spawn to exit), `Decrypt`s sent and throttled.

Variants: S separate values (`sealed!(file = …)` each) or one bundle of S values
(`sealed!(bundle = …, name = …)`, made with `cargo sealed bundle`); the library's retry settings
(`KmsSettings::default()`), or the SDK's adaptive retry mode (client-side rate limiting) with the
library's attempts and timeouts.

    .venv/bin/python scripts/bench_storm.py [--processes 60] [--values 10] [--rate 100]
                                            [--debug] [--json FILE] [--only values|bundle]

Needs the emulator's environment (`eval "$(scripts/dev-kms)"`); `scripts/bench` gives it. Used
by scripts/bench.py (section 8); `sealed-cli/tests/storm.rs` runs a smaller storm of the same
programs in Rust.
"""
import argparse
import base64
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "target" / "bench-storm"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_cold import free_port, log, make_bundle, programs_env, wait_port, write_secrets  # noqa: E402


def run(cmd, **kwargs):
    return subprocess.run(cmd, check=True, **kwargs)


def kms():
    import boto3
    return boto3.client("kms")


def make_secrets(values, secrets):
    """A new key; S values encrypted one by one, and the same S values in one bundle (made with
    `cargo sealed bundle`, which talks to moto directly): what bench/programs' build script reads."""
    client = kms()
    key = client.create_key()["KeyMetadata"]["Arn"]
    texts = [base64.b64encode(client.encrypt(KeyId=key, Plaintext=f"storm-value-{i}".encode())["CiphertextBlob"]).decode()
             for i in range(values)]
    write_secrets(secrets, key, texts)
    make_bundle(secrets / "app.bundle", key, [f"v{i}" for i in range(values)],
                lambda name: f"storm-value-{name[1:]}")


def build(values, debug):
    """The storm programs (bench/programs/src/bin/storm-*.rs) with `emulator`, their values made
    here: debug in the scratch target directory the tests share, release in the cold start's."""
    secrets = WORK / "secrets"
    make_secrets(values, secrets)
    target = ROOT / "target" / ("scratch" if debug else "bench-cold/target")
    profile = [] if debug else ["--release"]
    run(["cargo", "build", "--quiet", *profile, "-p", "sealed-bench-programs", "--features", "emulator",
         "--bin", "storm-values", "--bin", "storm-bundle"], cwd=ROOT, env=programs_env(target, secrets))
    return target / ("debug" if debug else "release")


class Quota:
    """The quota front (test-support's `kms-quota`, built here) in front of moto."""

    def __init__(self, rate):
        upstream = os.environ["AWS_ENDPOINT_URL_KMS"].split("://", 1)[1].rstrip("/")
        run(["cargo", "build", "--quiet", "-p", "sealed-test-support", "--bin", "kms-quota"], cwd=ROOT)
        self.port = free_port()
        self.process = subprocess.Popen(
            [str(ROOT / "target" / "debug" / "kms-quota"), "--upstream", upstream,
             "--rate", str(rate), "--port", str(self.port)], stdout=subprocess.DEVNULL)
        wait_port(self.port)
        self.url = f"http://127.0.0.1:{self.port}"

    def call(self, path, method="GET"):
        request = urllib.request.Request(self.url + path, method=method, data=b"" if method == "POST" else None)
        with urllib.request.urlopen(request, timeout=10) as answer:
            body = answer.read()
        return json.loads(body) if body else None

    def drain(self):
        """Waits until moto has answered every request forwarded so far (the clients of a
        storm give up on requests moto still queues), then lets the bucket refill."""
        deadline = time.monotonic() + 120
        while self.call("/__stats")["in_flight"] and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.5)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def storm(binary, processes, retry, quota):
    """N processes at once; each one's INIT time (spawn → exit) and outcome."""
    quota.drain()
    quota.call("/__reset", "POST")
    env = {**os.environ, "AWS_ENDPOINT_URL_KMS": quota.url, "AWS_ENDPOINT_URL": quota.url,
           "SEALED_STORM_RETRY": retry}
    started, children = {}, {}
    for _ in range(processes):
        child = subprocess.Popen([binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        started[child.pid] = time.monotonic()
        children[child.pid] = child
    latency, ok = {}, {}
    while len(latency) < processes:
        pid, status = os.wait()
        if pid in started:
            latency[pid] = time.monotonic() - started[pid]
            ok[pid] = os.waitstatus_to_exitcode(status) == 0
    outcomes = {}
    for pid, child in children.items():
        child.returncode = 0  # reaped above
        outcomes[pid] = child.stdout.read().decode().strip()
        child.stdout.close()
    stats = quota.call("/__stats")
    times = sorted(latency.values())
    good = sorted(latency[p] for p in latency if ok[p])
    failures = {}
    for pid, text in outcomes.items():
        if not ok[pid]:
            kinds = text.split(" ", 2)[2] if text.count(" ") >= 2 else text or "crashed"
            failures[kinds] = failures.get(kinds, 0) + 1

    def pct(values, q):
        return values[min(len(values) - 1, int(q * len(values)))] if values else None

    return {
        "processes": processes,
        "succeeded": len(good),
        "p50": pct(times, 0.5),
        "p99": pct(times, 0.99),
        "p50_ok": pct(good, 0.5),
        "p99_ok": pct(good, 0.99),
        "slowest": times[-1],
        "decrypt_sent": stats["by_operation"]["forwarded"].get("Decrypt", 0)
        + stats["by_operation"]["throttled"].get("Decrypt", 0),
        "decrypt_throttled": stats["by_operation"]["throttled"].get("Decrypt", 0),
        "failures": failures,
    }


def run_storms(processes, values, rate, debug=False, only=None, retries=("library", "adaptive")):
    """Builds the programs, starts the quota in front of moto, and runs each variant."""
    log(f"storm: building the programs ({values} values; {'debug' if debug else 'release'})")
    binaries = build(values, debug)
    quota = Quota(rate)
    results = []
    try:
        for shape in ("values", "bundle"):
            if only and shape != only:
                continue
            for retry in retries:
                log(f"storm: {processes} processes × {values} values as {shape}, {retry} retries, "
                    f"quota {rate:g}/s")
                result = storm(binaries / f"storm-{shape}", processes, retry, quota)
                result.update(shape=shape, retry=retry, values=values, rate=rate)
                log(f"storm: {result['succeeded']}/{result['processes']} INITs succeeded, "
                    f"p50 {result['p50']:.2f} s, p99 {result['p99']:.2f} s, {result['decrypt_sent']} Decrypts sent, "
                    f"{result['decrypt_throttled']} throttled {result['failures'] or ''}")
                results.append(result)
    finally:
        quota.stop()
    return results


# The scale that fits this machine: moto answers 150–300 Decrypts a second on 2 cores while the
# storm's processes start (at 150/s its answers sometimes fell behind and attempts timed out), so
# the quota is set well below that — the emulator must not be the limit — and the fleet scaled to
# it: 60 processes × 10 values = 600 Decrypts against 100/s, 6 seconds of quota at once (AWS's
# default is 10,000/s: the same storm at 100× the size).
PROCESSES, VALUES, RATE = 60, 10, 100


def measure(quick):
    """Section 8 of scripts/bench."""
    del quick  # about a minute and a half: the same storm in --quick
    return run_storms(PROCESSES, VALUES, RATE), PROCESSES


def report(results, processes):
    """Section 8 of BENCHMARKS.md."""
    lines = [
        "## 8. Fleet: a cold-start storm against the KMS request quota",
        "",
        f"`scripts/bench_storm.py --processes {processes} --values {VALUES} --rate {RATE}` (in `scripts/bench`): "
        f"{processes} execution environments started at once as separate processes (each its own SDK client "
        f"and retry budget), each with {VALUES} sealed values and `prefetch()` in INIT, against moto behind "
        f"test-support's `kms-quota`, which answers `ThrottlingException` beyond {RATE} requests/s (a token bucket "
        "holding one second's worth, shared by all). INIT is spawn → exit; Lambda's limit is 10 s.",
        "",
        "| values as | retries | INITs that succeed | INIT p50 | INIT p99 | `Decrypt`s sent | throttled |",
        "|---|---|---|---|---|---|---|",
    ]
    labels = {"values": f"{VALUES} separate values", "bundle": f"one bundle of {VALUES}"}
    retry_labels = {"library": "the library's", "adaptive": "SDK adaptive mode"}
    for r in results:
        failures = ", ".join(f"{n} {k}" for k, n in r["failures"].items())
        lines.append(
            f"| {labels[r['shape']]} | {retry_labels[r['retry']]} | {r['succeeded']}/{r['processes']}"
            f"{f' ({failures})' if failures else ''} | {r['p50']:.2f} s | {r['p99']:.2f} s | "
            f"{r['decrypt_sent']:,} | {r['decrypt_throttled']:,} |")
    lines += [
        "",
        "The library's retries: the SDK's 3 attempts, then — for throttling only — the request sent again "
        "after a jittered pause (0.5–1 s, then 1–2 s) until `THROTTLED_RETRY_DEADLINE` (9 s after the first "
        "attempt; a round still in flight ends there too). Before that (3 attempts, then `Throttled`, at "
        "commit 12f43b7), a larger storm of separate values — 100 × 10 against 150/s — ended with 20/100 INITs "
        "succeeding (p50 2.08 s; 2,510 `Decrypt`s sent, 2,005 throttled). The "
        "SDK's adaptive mode paces each process's own requests, but a process cannot see the rest of the "
        "fleet: its client-side limiter waits past the 6 s operation timeout instead.",
        "",
        f"Sizing: a storm succeeds when its `Decrypt`s fit in what the quota serves before the deadline — "
        f"about N × (bundles per function, or values without bundles) ≤ 9 s × Q, less what else in the account "
        f"and region uses the quota (S3 and Lambda's own environment-variable decryption among them). At AWS's "
        f"default 10,000/s that is ~90,000 cold starts at once with one bundle each, ~9,000 with 10 separate "
        f"values; a steady rate of cold starts needs N/s × bundles ≤ Q.",
        "",
    ]
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=PROCESSES)
    parser.add_argument("--values", type=int, default=VALUES)
    parser.add_argument("--rate", type=float, default=RATE)
    parser.add_argument("--debug", action="store_true", help="debug builds (in target/scratch, as the test's)")
    parser.add_argument("--only", choices=("values", "bundle"))
    parser.add_argument("--retry", choices=("library", "adaptive"), action="append")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args()
    if "AWS_ENDPOINT_URL_KMS" not in os.environ:
        sys.exit("bench_storm: needs the KMS emulator: run `eval \"$(scripts/dev-kms)\"` first")
    results = run_storms(args.processes, args.values, args.rate, args.debug, args.only,
                         args.retry or ("library", "adaptive"))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return results


if __name__ == "__main__":
    main()

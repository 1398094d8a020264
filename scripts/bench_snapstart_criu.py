"""SnapStart's restore, under CRIU: one checkpoint of a process that did a SnapStart INIT with the
library's two steps, restored twice, each copy an execution environment of its own.

The program (`bench/programs/src/bin/snapstart-restore.rs`) has a plain sealed value and a
bundle of 8. It calls `prefetch()` in INIT with `AWS_LAMBDA_INITIALIZATION_TYPE=snap-start`
(which defers it), then `snapstart::before_snapshot()`, and waits. CRIU dumps it there. The dump
is restored twice: once in this PID namespace, once in a new one (CRIU restores the original
process id, which one namespace can hold only once). Both copies then run
`snapstart::after_restore()` at the same moment, against moto behind test-support's quota front
at 1 request/s, so they are throttled and back off. The script prints what each environment
decrypted, and the back-off each one drew (the SDK's, between attempts, and the library's, after
a throttled round).

    eval "$(scripts/dev-kms)"; .venv/bin/python scripts/bench_snapstart_criu.py --criu PATH [--control]

It also reads the checkpoint's files for the plaintexts, raw and base64; `--control` reads the
plain value in INIT, so that the checkpoint holds it and the search is seen to find it.

It needs root and CRIU 4.x. Debian 12's criu 3.17 fails `criu check` on these machines
(`vdso: Unexpected rt vDSO area bounds`). CRIU 4.2.1, built from Debian sid's source package
(`apt-get source criu` with a `deb-src` line for sid, then `make criu`), passes. The script is
not part of CI.
"""
import argparse
import base64
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "target" / "bench-snapstart-criu"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_cold import log, make_bundle, programs_env, write_secrets  # noqa: E402
from bench_storm import Quota  # noqa: E402


def build(criu):
    """The program, with a plain value and a bundle of 8 sealed by the emulator."""
    import boto3
    client = boto3.client("kms")
    key = client.create_key()["KeyMetadata"]["Arn"]
    secrets = WORK / "secrets"
    text = base64.b64encode(client.encrypt(KeyId=key, Plaintext=b"criu-plain-value")["CiphertextBlob"]).decode()
    write_secrets(secrets, key, [text])
    make_bundle(secrets / "app.bundle", key, [f"v{i}" for i in range(8)], lambda name: f"criu-bundle-{name}")
    target = ROOT / "target" / "scratch"
    subprocess.run(["cargo", "build", "--quiet", "-p", "sealed-bench-programs", "--features", "emulator",
                    "--bin", "snapstart-restore"], check=True, cwd=ROOT, env=programs_env(target, secrets))
    return target / "debug" / "snapstart-restore"


def criu_run(criu, args, **kwargs):
    return subprocess.run([criu, *args], check=True, **kwargs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--criu", default=os.environ.get("CRIU", "criu"), help="the CRIU binary (4.x)")
    parser.add_argument("--rate", type=float, default=1.0, help="the quota front's requests per second")
    parser.add_argument("--control", action="store_true",
                        help="read the plain value in INIT: the checkpoint must then hold its plaintext")
    args = parser.parse_args()
    check = subprocess.run([args.criu, "check"], capture_output=True, text=True)
    if check.returncode != 0:
        sys.exit(f"`{args.criu} check` fails here, so nothing can be restored:\n{check.stdout}{check.stderr}")

    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    binary = build(args.criu)
    quota = Quota(args.rate)
    out, go, dump = WORK / "out", WORK / "go", WORK / "dump"
    out.mkdir()
    dump.mkdir()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(WORK),
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_ENDPOINT_URL_KMS": quota.url,
        "AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start",
        "SNAPSHOT_OUT": str(out),
        "SNAPSHOT_GO": str(go),
    }
    if args.control:
        env["SNAPSHOT_CONTROL"] = "1"
    try:
        process = subprocess.Popen([str(binary)], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 30
        while not (out / "ready").exists():
            if time.monotonic() > deadline or process.poll() is not None:
                sys.exit("the program never reached its snapshot point")
            time.sleep(0.05)
        log(f"INIT done ({(out / 'ready').read_text().split()[1]} values kept for the restore); "
            f"requests to KMS so far: {quota.call('/__stats')['forwarded']}")
        criu_run(args.criu, ["dump", "-t", str(process.pid), "-D", str(dump), "-o", "dump.log"])
        process.wait()
        log(f"checkpoint: {sum(f.stat().st_size for f in dump.iterdir()) // 1024} KiB in {dump}")
        # the checkpoint is the snapshot: every page of the process, on disk
        plaintexts = ["criu-plain-value"] + [f"criu-bundle-v{i}" for i in range(8)]
        needles = [p.encode() for p in plaintexts] + [base64.b64encode(p.encode()) for p in plaintexts]
        image = b"".join(f.read_bytes() for f in dump.iterdir())
        found = sum(1 for needle in needles if needle in image)
        log(f"plaintexts (raw or base64) in the checkpoint: {found} of {len(needles)} looked for")
        copies = []
        for n in (1, 2):
            copy = WORK / f"dump{n}"
            shutil.copytree(dump, copy)
            copies.append(copy)
        go.touch()
        # the first copy in this PID namespace, the second in one of its own (CRIU restores the
        # original process id); both start decrypting at once
        criu_run(args.criu, ["restore", "-D", str(copies[0]), "-d", "-o", "restore.log"])
        second = subprocess.Popen(["unshare", "-p", "-f", "--mount-proc", args.criu, "restore", "-D", str(copies[1]),
                                   "-o", "restore.log"], start_new_session=True,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            logs = sorted(out.glob("env-*.log"))
            if len(logs) == 2 and all("RESULT" in p.read_text() for p in logs):
                break
            time.sleep(0.1)
        else:
            sys.exit(f"the restored environments did not both finish: {[p.name for p in out.glob('env-*.log')]}")
        second.wait(timeout=30)
        stats = quota.call("/__stats")
        log(f"KMS: {stats['forwarded']} requests forwarded, {stats['throttled']} throttled")
        for path in sorted(out.glob("env-*.log")):
            text = path.read_text()
            pauses = re.findall(r"pause_ms=(\d+)", text)
            retries = [f"{float(ms):.0f}" for ms in re.findall(r"retrying after ([\d.]+)ms", text)]
            result = next(line for line in text.splitlines() if line.startswith("RESULT"))
            print(f"environment {path.stem[4:12]}: {result[7:]}")
            print(f"  the SDK's back-off between attempts (ms): {', '.join(retries) or 'none'}")
            print(f"  the library's pauses after throttled rounds (ms): {', '.join(pauses) or 'none'}")
    finally:
        quota.stop()


if __name__ == "__main__":
    main()

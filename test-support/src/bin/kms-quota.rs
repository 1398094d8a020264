//! `kms-quota --upstream HOST:PORT --rate N [--burst N] [--port N]`: the quota front of
//! `sealed_test_support::quota` as a process of its own, for `scripts/bench_storm.py`. Prints
//! `listening on PORT` once ready and serves until killed.

use std::time::Duration;

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut upstream, mut rate, mut burst, mut port) = (None, None, None, 0);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .unwrap_or_else(|| usage(&format!("{flag} takes a value")));
        let number = |v: &str| {
            v.parse::<f64>()
                .unwrap_or_else(|_| usage(&format!("{flag}: not a number: {v}")))
        };
        match flag.as_str() {
            "--upstream" => upstream = Some(value),
            "--rate" => rate = Some(number(&value)),
            "--burst" => burst = Some(number(&value)),
            "--port" => {
                port = value
                    .parse()
                    .unwrap_or_else(|_| usage(&format!("--port: not a port: {value}")));
            }
            _ => usage(&format!("unknown argument {flag}")),
        }
    }
    let upstream = upstream.unwrap_or_else(|| usage("--upstream is required"));
    let rate = rate.unwrap_or_else(|| usage("--rate is required"));
    let quota =
        sealed_test_support::quota::Quota::start(&upstream, rate, burst.unwrap_or(rate), port);
    println!("listening on {}", quota.port);
    loop {
        std::thread::sleep(Duration::from_hours(1));
    }
}

fn usage(problem: &str) -> ! {
    eprintln!("kms-quota: {problem}\nusage: kms-quota --upstream HOST:PORT --rate N [--burst N] [--port N]");
    std::process::exit(2);
}

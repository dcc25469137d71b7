//! `#[checkpoint]` in numbers: the gradient of 10^6 integration steps of a 16-element
//! state, taped (every iteration's carried values kept) and checkpointed (binomial
//! checkpointing, 64 snapshots), each run in a process of its own so that its peak
//! resident memory (`VmHWM` in `/proc/self/status`) is its own.
//!
//! `cargo run --release --example checkpoint_memory`

use std::process::Command;
use std::time::Instant;

use autodiff::{Tensor, differentiable};

const STEPS: usize = 1_000_000;

#[differentiable(wrt(k))]
fn taped(k: f64, x0: Tensor<f64, 16>) -> f64 {
    let mut x = x0;
    let mut v = Tensor::<f64, 16>::zeros();
    for _ in 0..STEPS {
        v = v + (x * -k - v * 0.1) * 1e-4;
        x = x + v * 1e-4;
    }
    x.dot(x)
}

#[differentiable(wrt(k))]
fn checkpointed(k: f64, x0: Tensor<f64, 16>) -> f64 {
    let mut x = x0;
    let mut v = Tensor::<f64, 16>::zeros();
    #[checkpoint]
    for _ in 0..STEPS {
        v = v + (x * -k - v * 0.1) * 1e-4;
        x = x + v * 1e-4;
    }
    x.dot(x)
}

/// Peak resident memory of this process so far, in MiB (Linux).
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() {
    let x0 = Tensor::from_fn(|i, _| (i as f64 * 0.37).sin());
    if let Some(which) = std::env::args().nth(1) {
        // The child: one gradient, then its time and peak memory on stdout.
        let start = Instant::now();
        let (_, g) = match which.as_str() {
            "taped" => taped_grad(2.0, x0),
            _ => checkpointed_grad(2.0, x0),
        };
        let seconds = start.elapsed().as_secs_f64();
        println!("{g:e} {seconds} {}", peak_mib().unwrap_or(f64::NAN));
        return;
    }
    let run = |which: &str| -> (f64, f64, f64) {
        let exe = std::env::current_exe().expect("the example's own path");
        let out = Command::new(exe)
            .arg(which)
            .output()
            .expect("the child runs");
        let text = String::from_utf8_lossy(&out.stdout);
        let fields: Vec<f64> = text
            .split_whitespace()
            .map(|f| f.parse().expect("numbers"))
            .collect();
        (fields[0], fields[1], fields[2])
    };
    let (g_taped, t_taped, m_taped) = run("taped");
    let (g_ck, t_ck, m_ck) = run("checkpointed");
    println!("{STEPS} steps of a 16-element state, d loss / d k:");
    println!("  taped:        {g_taped:.12e}  {t_taped:.3} s  peak {m_taped:.1} MiB");
    println!("  checkpointed: {g_ck:.12e}  {t_ck:.3} s  peak {m_ck:.1} MiB");
    println!(
        "  checkpointed / taped: time {:.2}x, peak memory {:.3}x",
        t_ck / t_taped,
        m_ck / m_taped
    );
    assert!(
        (g_taped - g_ck).abs() <= 1e-9 * g_taped.abs(),
        "the gradients differ"
    );
    if m_taped.is_finite() {
        assert!(
            m_ck <= m_taped / 8.0,
            "checkpointing did not cut peak memory by 8x"
        );
    }
}

//! Shared helpers for the integration tests: the PyTorch float64 oracle
//! (`tests/data/oracle.json`, copied from the project's reference values) and comparison.
#![allow(dead_code)] // each test crate uses a different subset

use autodiff::Tensor;
use serde_json::Value;
use std::sync::OnceLock;

fn oracle() -> &'static Value {
    static ORACLE: OnceLock<Value> = OnceLock::new();
    ORACLE.get_or_init(|| {
        let text = include_str!("../data/oracle.json");
        serde_json::from_str(text).expect("tests/data/oracle.json is valid JSON")
    })
}

/// One case of the oracle.
pub struct Case {
    json: &'static Value,
}

pub fn case(name: &str) -> Case {
    let json = oracle()["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no oracle case {name}"));
    Case { json }
}

pub fn case_names() -> Vec<String> {
    oracle()["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| c["name"].as_str().expect("name").to_string())
        .collect()
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("an array of numbers")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}

impl Case {
    fn named(&self, list: &str, name: &str) -> Vec<f64> {
        let entry = self.json[list]
            .as_array()
            .and_then(|l| l.iter().find(|e| e["name"] == name))
            .unwrap_or_else(|| panic!("{} has no {list} entry {name}", self.json["name"]));
        numbers(&entry["values"])
    }

    /// An input of the case as a tensor (values are row-major).
    pub fn input<const R: usize, const C: usize>(&self, name: &str) -> Tensor<f64, R, C> {
        Tensor::from_row_slice(&self.named("inputs", name))
    }

    pub fn constant<const R: usize, const C: usize>(&self, name: &str) -> Tensor<f64, R, C> {
        Tensor::from_row_slice(&self.named("constants", name))
    }

    pub fn output(&self) -> Vec<f64> {
        numbers(&self.json["output"]["values"])
    }

    pub fn grad(&self, name: &str) -> Vec<f64> {
        numbers(&self.json["grads"][name]["values"])
    }
}

/// Row-major elements of a tensor.
pub fn elems<const R: usize, const C: usize>(t: Tensor<f64, R, C>) -> Vec<f64> {
    t.to_row_major_vec()
}

/// `got` equals `want` elementwise to `rel` relative error, or `rel` absolute error near
/// zero (approx's `relative_eq!` with `epsilon = max_relative = rel`); the message names
/// the element that differs.
pub fn assert_close(what: &str, got: &[f64], want: &[f64], rel: f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            approx::relative_eq!(*g, *w, epsilon = rel, max_relative = rel),
            "{what}[{i}]: got {g:e}, PyTorch {w:e} (error {:e})",
            (g - w).abs()
        );
    }
}

//! Long straight-line bodies: a long block is printed as runs of bindings, each run one
//! block (see the macro's `emit/scopes.rs`), so that rustc's debug info does not
//! overflow its stack on thousands of nested scopes. These check that the runs keep
//! every value the rest of the body reads, through calls, element stores and mutable
//! state, and that a body of 3,000 statements builds (this file is compiled with debug
//! info by `cargo test`).

use autodiff::{Tensor, differentiable, gradcheck, tensor};

#[differentiable]
fn helper(b: Tensor<f64, 3>, w: f64) -> Tensor<f64, 3> {
    b * w.tanh() + b.cos() * 0.5
}

/// Six statements per step: a product, a transcendental, a call, a whole store, an
/// element store and a mutable scalar.
macro_rules! long_body {
    ($(#[$attr:meta])* $name:ident; $($step:tt)*) => {
        $(#[$attr])*
        fn $name(x: Tensor<f64, 3>, w: f64) -> f64 {
            let mut state = x;
            let mut total = 0.0;
            $(
                let a = state * 0.999 + x * 0.001;
                let b = a.sin() * 0.5 + a * ($step as f64 * 1e-4);
                let c = helper(b, w);
                state = c;
                state[1] = state[1] * 0.9 + a[0] * 0.1;
                total += c.sum() * 0.01 * w;
            )*
            total + state.sum()
        }
    };
}

long_body!(#[differentiable] sixty_steps;
    0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29
    30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59);
long_body!(sixty_steps_plain;
    0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29
    30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59);

fn helper_plain(b: Tensor<f64, 3>, w: f64) -> Tensor<f64, 3> {
    b * w.tanh() + b.cos() * 0.5
}

#[test]
fn a_long_body_keeps_every_value() {
    let (x, w) = (tensor![0.3, -0.8, 1.1], 0.7);
    // The plain twin calls `helper` too; `helper_plain` is the same function.
    assert_eq!(helper(x, w), helper_plain(x, w));
    assert_eq!(sixty_steps(x, w), sixty_steps_plain(x, w));

    let (value, (gx, gw)) = sixty_steps_grad(x, w);
    assert_eq!(value, sixty_steps_plain(x, w));
    let report = gradcheck(|x| sixty_steps_plain(x, w), x, gx).within(1e-7, 1e-6);
    assert!(report.passed(), "x: {report}");
    let report = gradcheck(|w| sixty_steps_plain(x, w), w, gw).within(1e-7, 1e-6);
    assert!(report.passed(), "w: {report}");

    // Forward mode along (dx, dw) gives the gradient's dot product with it.
    let (dx, dw) = (tensor![0.2, 0.5, -1.0], 0.3);
    let (fx, df) = sixty_steps_jvp(x, w, dx, dw);
    assert_eq!(fx, value);
    let want = gx.dot(dx) + gw * dw;
    assert!(
        (df - want).abs() < 1e-12 * want.abs().max(1.0),
        "{df} vs {want}"
    );

    // The Hessian-vector product against central differences of the gradient.
    let (_, (hx_g, hw_g), (hx, hw)) = sixty_steps_hvp(x, w, dx, dw);
    assert_eq!((hx_g, hw_g), (gx, gw));
    let h = 1e-5;
    let (_, (gx_p, gw_p)) = sixty_steps_grad(x + dx * h, w + dw * h);
    let (_, (gx_m, gw_m)) = sixty_steps_grad(x - dx * h, w - dw * h);
    let fd_x = (gx_p - gx_m) / (2.0 * h);
    let fd_w = (gw_p - gw_m) / (2.0 * h);
    assert!(
        (hx - fd_x).norm() < 1e-5 * fd_x.norm().max(1.0),
        "{hx} vs {fd_x}"
    );
    assert!(
        (hw - fd_w).abs() < 1e-5 * fd_w.abs().max(1.0),
        "{hw} vs {fd_w}"
    );
}

/// Six light statements per step (about eight operations).
macro_rules! light_body {
    ($(#[$attr:meta])* $name:ident; $($step:tt)*) => {
        $(#[$attr])*
        fn $name(x: Tensor<f64, 3>, w: f64) -> f64 {
            let mut state = x;
            let mut total = 0.0;
            $(
                let a = state * 0.999;
                let b = a.sin();
                let c = helper(b, w);
                state = c + x;
                state[$step % 3] = state[1] * 0.9;
                total += c[0];
            )*
            total + state.sum()
        }
    };
}

// 500 steps: 3,000 statements.
light_body!(#[differentiable] three_thousand_statements;
    0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24
    25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49
    50 51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74
    75 76 77 78 79 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95 96 97 98 99
    100 101 102 103 104 105 106 107 108 109 110 111 112 113 114 115 116 117 118 119 120 121 122 123 124
    125 126 127 128 129 130 131 132 133 134 135 136 137 138 139 140 141 142 143 144 145 146 147 148 149
    150 151 152 153 154 155 156 157 158 159 160 161 162 163 164 165 166 167 168 169 170 171 172 173 174
    175 176 177 178 179 180 181 182 183 184 185 186 187 188 189 190 191 192 193 194 195 196 197 198 199
    200 201 202 203 204 205 206 207 208 209 210 211 212 213 214 215 216 217 218 219 220 221 222 223 224
    225 226 227 228 229 230 231 232 233 234 235 236 237 238 239 240 241 242 243 244 245 246 247 248 249
    250 251 252 253 254 255 256 257 258 259 260 261 262 263 264 265 266 267 268 269 270 271 272 273 274
    275 276 277 278 279 280 281 282 283 284 285 286 287 288 289 290 291 292 293 294 295 296 297 298 299
    300 301 302 303 304 305 306 307 308 309 310 311 312 313 314 315 316 317 318 319 320 321 322 323 324
    325 326 327 328 329 330 331 332 333 334 335 336 337 338 339 340 341 342 343 344 345 346 347 348 349
    350 351 352 353 354 355 356 357 358 359 360 361 362 363 364 365 366 367 368 369 370 371 372 373 374
    375 376 377 378 379 380 381 382 383 384 385 386 387 388 389 390 391 392 393 394 395 396 397 398 399
    400 401 402 403 404 405 406 407 408 409 410 411 412 413 414 415 416 417 418 419 420 421 422 423 424
    425 426 427 428 429 430 431 432 433 434 435 436 437 438 439 440 441 442 443 444 445 446 447 448 449
    450 451 452 453 454 455 456 457 458 459 460 461 462 463 464 465 466 467 468 469 470 471 472 473 474
    475 476 477 478 479 480 481 482 483 484 485 486 487 488 489 490 491 492 493 494 495 496 497 498 499);

#[test]
fn a_body_of_three_thousand_statements_builds_and_differentiates() {
    // Unoptimised, each of the body's values has its own stack slot: the gradient
    // measured between 1 and 2 MiB of stack, too close to a test thread's 2 MiB; it runs
    // with a main thread's 8 MiB.
    let run = || {
        let (x, w) = (tensor![0.3, -0.8, 1.1], 0.7);
        let (value, (gx, gw)) = three_thousand_statements_grad(x, w);
        assert_eq!(value, three_thousand_statements(x, w));
        let report = gradcheck(|x| three_thousand_statements(x, w), x, gx).within(1e-7, 1e-6);
        assert!(report.passed(), "x: {report}");
        let report = gradcheck(|w| three_thousand_statements(x, w), w, gw).within(1e-7, 1e-6);
        assert!(report.passed(), "w: {report}");
    };
    let main_thread_stack = 8 << 20;
    std::thread::Builder::new()
        .stack_size(main_thread_stack)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
}

//! The harness's stopwatch: `Instant` natively, `performance.now()` in the browser (where
//! `Instant::now` panics on wasm32-unknown-unknown).

#[cfg(not(target_arch = "wasm32"))]
pub(crate) struct Stopwatch(std::time::Instant);

#[cfg(not(target_arch = "wasm32"))]
impl Stopwatch {
    pub(crate) fn start() -> Stopwatch {
        Stopwatch(std::time::Instant::now())
    }

    pub(crate) fn elapsed_s(&self) -> f64 {
        self.0.elapsed().as_secs_f64()
    }
}

#[cfg(target_arch = "wasm32")]
pub(crate) struct Stopwatch(f64);

#[cfg(target_arch = "wasm32")]
impl Stopwatch {
    fn now_ms() -> f64 {
        web_sys::window()
            .and_then(|w| w.performance())
            .map_or(0.0, |p| p.now())
    }

    pub(crate) fn start() -> Stopwatch {
        Stopwatch(Self::now_ms())
    }

    pub(crate) fn elapsed_s(&self) -> f64 {
        (Self::now_ms() - self.0) / 1000.0
    }
}

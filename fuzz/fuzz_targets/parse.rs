//! Arbitrary bytes into the scenario parser: the raw RON layer, the duration parser and the
//! full loader. Nothing may panic, and every diagnostic must render.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lyncsim::scenario;

fuzz_target!(|data: &[u8]| {
    // Invalid UTF-8 is what `load` reports itself; the parser sees text.
    let text = String::from_utf8_lossy(data);
    if let Err(d) = scenario::parse(&text) {
        let rendered = d.render("fuzz.ron", &text);
        assert!(!rendered.is_empty());
    }
    let _ = scenario::duration::parse_duration(&text);
    match scenario::load_str("fuzz.ron", &text) {
        Ok(loaded) => {
            let _ = loaded.render_warnings();
        }
        Err(failed) => {
            assert!(failed.error_count() > 0, "a failed load without an error");
            let _ = failed.render();
        }
    }
});

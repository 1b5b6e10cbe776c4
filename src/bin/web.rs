//! The web entry point, built by trunk into the page.

fn main() {
    kafka_playground::ui::start();
}

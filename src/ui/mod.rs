//! The Yew front-end: draws what the engine does. Compiled only with the `ui` feature.

pub mod i18n;
mod stage;

use i18n::{t, Lang, Text};
use yew::prelude::*;

/// The whole page: header, stage, footer.
#[component]
pub fn App() -> Html {
    let lang = use_state(|| Lang::En);
    let toggle = {
        let lang = lang.clone();
        Callback::from(move |_| lang.set(lang.other()))
    };
    let l = *lang;
    html! {
        <div class="app" lang={l.tag()}>
            <header class="topbar">
                <h1>{ t(l, Text::Title) }</h1>
                <p class="tagline">{ t(l, Text::Tagline) }</p>
                <button class="lang" onclick={toggle}>{ t(l, Text::SwitchLanguage) }</button>
            </header>
            <main>
                <stage::Stage lang={l} />
            </main>
            <footer class="footer">
                { format!("{} {} {}", t(l, Text::Title), t(l, Text::Version), crate::VERSION) }
            </footer>
        </div>
    }
}

/// Mounts the app on the document body.
pub fn start() {
    yew::Renderer::<App>::new().render();
}

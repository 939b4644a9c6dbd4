//! Generated documentation: facts and links to docs.asterisk.org, never Asterisk's prose.

use proc_macro2::TokenStream;
use quote::quote;

/// Base of the official documentation site.
pub const DOCS_BASE: &str = "https://docs.asterisk.org/Latest_API/API_Documentation";

/// `#[doc = "…"]` attributes, one per line.
pub fn doc_lines<S: AsRef<str>>(lines: &[S]) -> TokenStream {
    let attrs = lines.iter().map(|l| {
        let text = format!(" {}", l.as_ref());
        quote! { #[doc = #text] }
    });
    quote! { #(#attrs)* }
}

/// Markdown code span for a wire value (backticks doubled when the value holds one).
pub fn code(s: &str) -> String {
    if s.contains('`') {
        format!("`` {s} ``")
    } else {
        format!("`{s}`")
    }
}

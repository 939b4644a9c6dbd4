//! `ami/responses.rs`: one typed success response per action of
//! `specs/fixes/ami_responses.toml`, decoding the headers its C handler appends
//! and keeping the whole `Response`.

use super::{code_list, doc, tokens};
use crate::fixes::ami_responses::Repeat;
use crate::fixes::ami_types::HeaderType;
use crate::model::ami::{ActionModel, Model, ResponseFieldModel, ResponseModel};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Rust type of one value of a response field.
fn value_type(ty: &HeaderType) -> TokenStream {
    match ty {
        HeaderType::Text | HeaderType::Enum => quote!(Text),
        HeaderType::Bool => quote!(bool),
        HeaderType::Number(n) => tokens(n),
        HeaderType::Domain(d) => {
            let d = format_ident!("{}", d);
            quote!(crate::domain::#d)
        }
        HeaderType::Runtime(r) => {
            let r = format_ident!("{}", r);
            quote!(asterisk_sdk_runtime::ami::#r)
        }
    }
}

fn type_doc(ty: &HeaderType) -> String {
    match ty {
        HeaderType::Text | HeaderType::Enum => "text".into(),
        HeaderType::Bool => "boolean".into(),
        HeaderType::Number(n) => format!("`{n}`"),
        HeaderType::Domain(d) => format!("[`{d}`](crate::domain::{d})"),
        HeaderType::Runtime(r) => format!("[`{r}`](asterisk_sdk_runtime::ami::{r})"),
    }
}

/// The field's Rust type.
fn field_type(f: &ResponseFieldModel) -> TokenStream {
    let v = value_type(&f.ty);
    match f.repeat {
        Repeat::One => quote!(Option<#v>),
        Repeat::All | Repeat::Prefix => quote!(Vec<#v>),
        Repeat::Rest => quote!(Vec<(Text, Text)>),
    }
}

fn field_doc(f: &ResponseFieldModel) -> TokenStream {
    let what = match f.repeat {
        Repeat::One => format!("`{}` header: {}.", f.header, type_doc(&f.ty)),
        Repeat::All => format!(
            "Every `{}` header, in order: {}.",
            f.header,
            type_doc(&f.ty)
        ),
        Repeat::Prefix => format!(
            "Every header whose name starts with `{}` (numbered), in order: {}.",
            f.header,
            type_doc(&f.ty)
        ),
        Repeat::Rest => "Every other header (not `Response`, `ActionID`, `Message` nor a field above), as (name, value) pairs in order.".into(),
    };
    doc(&[what])
}

/// Expression giving one value of header `i` of `raw`, as `Option<T>`.
fn value_expr(ty: &HeaderType) -> TokenStream {
    match ty {
        HeaderType::Text | HeaderType::Enum => quote!(Some(raw.value_text(i))),
        _ => quote!(typed(raw, i)),
    }
}

/// The statements taking header `i` (named `name`) into the field, ending with
/// `continue` when it is the field's header.
fn take(f: &ResponseFieldModel) -> Option<TokenStream> {
    let l = format_ident!("f_{}", f.ident);
    let header = &f.header;
    let value = value_expr(&f.ty);
    Some(match f.repeat {
        Repeat::One => quote! {
            if name.eq_ignore_ascii_case(#header) {
                if #l.is_none() {
                    #l = #value;
                }
                continue;
            }
        },
        Repeat::All => quote! {
            if name.eq_ignore_ascii_case(#header) {
                #l.extend(#value);
                continue;
            }
        },
        Repeat::Prefix => quote! {
            if name.len() > #header.len()
                && name.as_bytes()[..#header.len()].eq_ignore_ascii_case(#header.as_bytes())
            {
                #l.extend(#value);
                continue;
            }
        },
        Repeat::Rest => return None,
    })
}

fn serialize_field(f: &ResponseFieldModel) -> TokenStream {
    let i = format_ident!("{}", f.ident);
    let key = f.ident.trim_end_matches('_');
    let domain = matches!(f.ty, HeaderType::Domain(_));
    match (f.repeat, domain) {
        (Repeat::One, true) => quote! {
            if let Some(v) = &self.#i {
                m.serialize_entry(#key, OpenEnum::as_str(v))?;
            }
        },
        (Repeat::One, false) => quote! {
            if let Some(v) = &self.#i {
                m.serialize_entry(#key, v)?;
            }
        },
        (_, true) => quote! {
            m.serialize_entry(#key, &self.#i.iter().map(OpenEnum::as_str).collect::<Vec<_>>())?;
        },
        (_, false) => quote!(m.serialize_entry(#key, &self.#i)?;),
    }
}

fn emit_response(a: &ActionModel, r: &ResponseModel) -> TokenStream {
    let ty = format_ident!("{}", r.ty);
    let action_ty = &a.ty;
    let headers: Vec<String> = r.fields.iter().map(|f| f.header.clone()).collect();
    let d = doc(&[
        format!(
            "The success response of [`{action_ty}`](super::actions::{action_ty}), with its headers {} decoded.",
            code_list(&headers)
        ),
        String::new(),
        format!("Fix `{}`: {}", r.fix, r.reason),
        String::new(),
        "Every header stays reachable in `response.raw`; the fields of".to_string(),
        "[`Response`] (`status`, `message`, `raw`, …) are reached through `Deref`. An".to_string(),
        "`Error` answer decodes too (its fields are then mostly empty): check".to_string(),
        "[`is_success`](Response::is_success) or call [`into_result`](Self::into_result)."
            .to_string(),
    ]);
    let decls = r.fields.iter().map(|f| {
        let i = format_ident!("{}", f.ident);
        let t = field_type(f);
        let fd = field_doc(f);
        quote!(#fd pub #i: #t,)
    });
    let inits = r.fields.iter().map(|f| {
        let l = format_ident!("f_{}", f.ident);
        match f.repeat {
            Repeat::One => quote!(let mut #l = None;),
            _ => quote!(let mut #l = Vec::new();),
        }
    });
    let takes: Vec<TokenStream> = r.fields.iter().filter_map(take).collect();
    let rest = r.fields.iter().find(|f| f.repeat == Repeat::Rest).map(|f| {
        let l = format_ident!("f_{}", f.ident);
        quote! {
            if !["Response", "ActionID", "Message"]
                .iter()
                .any(|s| name.eq_ignore_ascii_case(s))
            {
                #l.push((Text::from(name), raw.value_text(i)));
            }
        }
    });
    let names = r.fields.iter().map(|f| {
        let i = format_ident!("{}", f.ident);
        let l = format_ident!("f_{}", f.ident);
        quote!(#i: #l)
    });
    let needs_typed = r
        .fields
        .iter()
        .any(|f| !matches!(f.ty, HeaderType::Text | HeaderType::Enum));
    let typed_import = needs_typed.then(|| {
        quote!(
            use asterisk_sdk_runtime::ami::decode::typed;
        )
    });
    let ser = r.fields.iter().map(serialize_field);
    quote! {
        #d
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub struct #ty {
            #(#decls)*
            /// The whole answer: status, `Message`, and every header in `raw`.
            pub response: Response,
        }
        impl #ty {
            /// `Ok(self)` when the action succeeded, else [`AmiError::ActionFailed`]
            /// naming the action.
            pub fn into_result(self) -> Result<Self, AmiError> {
                ActionResponse::into_result(self)
            }
        }
        impl ActionResponse for #ty {
            fn from_response(response: Response) -> Self {
                #typed_import
                #(#inits)*
                {
                    let raw = &response.raw;
                    for i in 0..raw.len() {
                        let name = raw.name(i);
                        #(#takes)*
                        #rest
                    }
                }
                Self { #(#names,)* response }
            }
            fn response(&self) -> &Response {
                &self.response
            }
            fn into_response(self) -> Response {
                self.response
            }
        }
        impl std::ops::Deref for #ty {
            type Target = Response;
            fn deref(&self) -> &Response {
                &self.response
            }
        }
        #[cfg(feature = "serde")]
        impl serde::Serialize for #ty {
            /// `{"name": <Response value>, "headers": [[name, value], …], typed fields…}`;
            /// unset single fields are left out.
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut m = s.serialize_map(None)?;
                m.serialize_entry("name", self.response.raw.response().unwrap_or_default())?;
                m.serialize_entry("headers", &WireHeaders(&self.response.raw))?;
                #(#ser)*
                m.end()
            }
        }
    }
}

/// `ami/responses.rs`.
pub fn emit_responses(m: &Model) -> TokenStream {
    let items = m
        .actions
        .iter()
        .filter_map(|a| a.response.as_ref().map(|r| emit_response(a, r)));
    let serde_enum = m.actions.iter().any(|a| {
        a.response.as_ref().is_some_and(|r| {
            r.fields
                .iter()
                .any(|f| matches!(f.ty, HeaderType::Domain(_)))
        })
    });
    let open_enum = serde_enum.then(|| {
        quote! {
            #[cfg(feature = "serde")]
            use asterisk_sdk_runtime::open_enum::OpenEnum;
        }
    });
    quote! {
        //! Typed success responses: for each action whose C handler appends
        //! headers of its own to `Response: Success` (`Getvar`, `Ping`,
        //! `CoreSettings`, …), a struct decoding them that
        //! [`AmiClient::send`](super::AmiClient::send) returns for that action
        //! ([`Action::Response`](super::Action::Response)). Every other action
        //! answers with the plain [`Response`].
        use asterisk_sdk_runtime::ami::{ActionResponse, AmiError, Response, Text};
        #[cfg(feature = "serde")]
        use asterisk_sdk_runtime::ami::WireHeaders;
        #open_enum
        #(#items)*
    }
}

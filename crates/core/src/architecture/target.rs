//! Targets, the second small language of a check: where a rule looks
//! (`create_user`, `UserService::create`, `impl UserService`, `mod domain`,
//! `*`). Parsed once, when info.toml is loaded, so that a typo is a catalog
//! error with a fix; resolving a target against a file is `index`'s job.

use super::pattern::{ANCHORS, is_identifier};

/// The kind word that may precede a target: `fn create_user`, `mod domain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemKind {
    Fn,
    Struct,
    Enum,
    Union,
    Trait,
    Mod,
    Type,
    Const,
    Static,
}

impl ItemKind {
    const ALL: [ItemKind; 9] = [
        ItemKind::Fn,
        ItemKind::Struct,
        ItemKind::Enum,
        ItemKind::Union,
        ItemKind::Trait,
        ItemKind::Mod,
        ItemKind::Type,
        ItemKind::Const,
        ItemKind::Static,
    ];

    pub(crate) fn keyword(self) -> &'static str {
        match self {
            ItemKind::Fn => "fn",
            ItemKind::Struct => "struct",
            ItemKind::Enum => "enum",
            ItemKind::Union => "union",
            ItemKind::Trait => "trait",
            ItemKind::Mod => "mod",
            ItemKind::Type => "type",
            ItemKind::Const => "const",
            ItemKind::Static => "static",
        }
    }

    fn from_keyword(word: &str) -> Option<ItemKind> {
        ItemKind::ALL.into_iter().find(|k| k.keyword() == word)
    }
}

/// Where a rule looks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// `*`: every item of the file outside `#[cfg(test)]`.
    File,
    /// A named item, optionally of one kind. A path of one segment names a
    /// module-level item (never a method); `Type::method` names a method of
    /// any `impl Type` or `impl Trait for Type`, `Trait::method` every
    /// implementation of it and the trait's default body, `module::item` an
    /// item of an inline module.
    Item {
        kind: Option<ItemKind>,
        path: Vec<String>,
    },
    /// `impl Type` (every impl block of the type, inherent or trait) or
    /// `impl Trait for Type` (that one).
    Impl {
        self_ty: Vec<String>,
        trait_: Option<Vec<String>>,
    },
}

/// A target with the text it was written as, for summaries and errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TargetSpec {
    pub(crate) text: String,
    pub(crate) target: Target,
}

const TARGET_FORMS: &str = "a fn (\"create_user\"), a method (\"UserService::create\"), \"impl UserService\", \"impl Trait for Type\", \"mod domain\", an item with its kind (\"struct UserService\") or \"*\" for the whole file";

impl TargetSpec {
    pub(crate) fn parse(text: &str) -> Result<TargetSpec, String> {
        let trimmed = text.trim();
        let words: Vec<&str> = trimmed.split_whitespace().collect();
        let target = match words.as_slice() {
            [] => return Err(format!("the target is empty; name {TARGET_FORMS}")),
            ["*"] => Target::File,
            ["impl"] => {
                return Err("write the type after impl, as in \"impl UserService\"".to_string());
            }
            ["impl", ty] => Target::Impl {
                self_ty: target_path(ty)?,
                trait_: None,
            },
            ["impl", tr, "for", ty] => Target::Impl {
                self_ty: target_path(ty)?,
                trait_: Some(target_path(tr)?),
            },
            ["impl", ..] => {
                return Err(
                    "write \"impl Type\" or \"impl Trait for Type\", without generics or bounds"
                        .to_string(),
                );
            }
            [path] => Target::Item {
                kind: None,
                path: target_path(path)?,
            },
            [word, path] => match ItemKind::from_keyword(word) {
                Some(kind) => Target::Item {
                    kind: Some(kind),
                    path: target_path(path)?,
                },
                None => {
                    let keywords: Vec<&str> = ItemKind::ALL.iter().map(|k| k.keyword()).collect();
                    return Err(format!(
                        "\"{word}\" is not an item kind; use one of {}, or impl",
                        keywords.join(", ")
                    ));
                }
            },
            _ => return Err(format!("expected {TARGET_FORMS}")),
        };
        Ok(TargetSpec {
            text: words.join(" "),
            target,
        })
    }

    /// How the learner sees the target in a "not found" detail.
    pub(crate) fn describe(&self, expect_fn: bool) -> String {
        match &self.target {
            Target::Item { kind: None, path }
                if expect_fn
                    && path.len() == 1
                    && path[0].starts_with(|c: char| c.is_lowercase() || c == '_') =>
            {
                format!("fn {}", self.text)
            }
            _ => self.text.clone(),
        }
    }
}

fn target_path(text: &str) -> Result<Vec<String>, String> {
    if text.contains('<') || text.contains('>') {
        let base = text.split('<').next().unwrap_or_default();
        return Err(format!(
            "generic arguments are not matched; drop them and write \"{base}\""
        ));
    }
    if text.contains('*') {
        return Err(format!(
            "\"*\" stands alone for the whole file; to name items, write {TARGET_FORMS}"
        ));
    }
    if let Some(bare) = text.strip_suffix("()") {
        return Err(format!("drop the parentheses and write \"{bare}\""));
    }
    let body = text.strip_prefix("::").unwrap_or(text);
    let mut segments = Vec::new();
    for segment in body.split("::") {
        if segment.is_empty() {
            return Err(format!("\"{text}\" has an empty segment around \"::\""));
        }
        if !is_identifier(segment) {
            return Err(format!("\"{segment}\" is not a Rust identifier"));
        }
        if !ANCHORS.contains(&segment) || !segments.is_empty() {
            segments.push(segment.to_string());
        }
    }
    if segments.is_empty() {
        return Err(format!("name an item after \"{text}\""));
    }
    Ok(segments)
}

//! `require_calls_after` and `require_calls_before`: a call on the right
//! side of another on every path, through helpers, branches and `?`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;

const INVALIDATE_AFTER_WRITE: &str = r#"
kind = "require_calls_after"
in = ["UserService::rename", "UserService::delete"]
calls = "UserCache::invalidate"
after = ["UserRepository::save", "UserRepository::delete"]
message = "Drop the cached entry after the write."
"#;

fn service(rename: &str, delete: &str) -> String {
    format!(
        r#"trait UserRepository {{ fn save(&mut self, id: u64) -> Result<(), E>; fn delete(&mut self, id: u64) -> bool; }}
struct UserCache;
impl UserCache {{ fn invalidate(&self, id: u64) {{}} fn clear(&self) {{}} }}
struct UserService<R> {{ repo: R, cache: UserCache }}
impl<R: UserRepository> UserService<R> {{
    fn rename(&mut self, id: u64) -> Result<(), E> {{
{rename}
    }}
    fn delete(&mut self, id: u64) -> bool {{
{delete}
    }}
    fn after_write(&self, id: u64) {{ self.cache.invalidate(id) }}
    fn persist(&mut self, id: u64) -> Result<(), E> {{ self.repo.save(id) }}
}}
"#
    )
}

const DELETE_THEN_INVALIDATE: &str = "        let deleted = self.repo.delete(id);\n        self.cache.invalidate(id);\n        deleted";

#[test]
fn a_call_after_the_write_on_every_path_passes_in_any_spelling() {
    for rename in [
        // The solution's shape: `?` leaves with the error, nothing to drop.
        "        self.repo.save(id)?;\n        self.cache.invalidate(id);\n        Ok(())",
        // Through helpers, on both sides.
        "        self.persist(id)?;\n        self.after_write(id);\n        Ok(())",
        // Invalidate whatever the write answered, then return its answer.
        "        let saved = UserRepository::save(&mut self.repo, id);\n        self.cache.invalidate(id);\n        saved",
        // In both branches.
        "        if id > 9 { self.repo.save(id)?; self.cache.invalidate(id); }\n        else { self.repo.save(id)?; self.after_write(id); }\n        Ok(())",
    ] {
        let source = service(rename, DELETE_THEN_INVALIDATE);
        assert_eq!(
            run(INVALIDATE_AFTER_WRITE, &source),
            Vec::<String>::new(),
            "{rename}"
        );
    }
}

#[test]
fn a_call_before_the_write_or_on_some_paths_only_fails_at_the_write() {
    let before = service(
        "        self.cache.invalidate(id);\n        self.repo.save(id)?;\n        Ok(())",
        DELETE_THEN_INVALIDATE,
    );
    assert_eq!(
        run(INVALIDATE_AFTER_WRITE, &before),
        [
            "8:19 calls UserRepository::save with no UserCache::invalidate after it on some path (the one at 7:20 comes before it)"
        ]
    );
    let sometimes = service(
        "        self.repo.save(id)?;\n        if id > 9 { self.cache.invalidate(id); }\n        Ok(())",
        DELETE_THEN_INVALIDATE,
    );
    assert_eq!(
        run(INVALIDATE_AFTER_WRITE, &sometimes),
        ["7:19 calls UserRepository::save with no UserCache::invalidate after it on some path"]
    );
    // A plain `return` is a path like any other.
    let returns = service(
        "        self.persist(id)?;\n        if id > 9 { return Ok(()); }\n        self.after_write(id);\n        Ok(())",
        DELETE_THEN_INVALIDATE,
    );
    assert_eq!(
        run(INVALIDATE_AFTER_WRITE, &returns),
        [
            "18:65 UserService::rename -> UserService::persist -> calls UserRepository::save with no UserCache::invalidate after it on some path"
        ]
    );
    // Clearing something else is no invalidation, and a target without the
    // write at all says so.
    let cleared = service(
        "        self.repo.save(id)?;\n        self.cache.clear();\n        Ok(())",
        "        self.cache.invalidate(id);\n        true",
    );
    assert_eq!(
        run(INVALIDATE_AFTER_WRITE, &cleared),
        [
            "7:19 calls UserRepository::save with no UserCache::invalidate after it on some path",
            "11:8 UserService::delete calls none of UserRepository::save, UserRepository::delete"
        ]
    );
}

const CACHE_BEFORE_REPOSITORY: &str = r#"
kind = "require_calls_before"
in = "CatalogService::product"
calls = "ProductCache::get"
before = "ProductRepository::find"
message = "Read the cache first."
"#;

fn catalog(body: &str) -> String {
    format!(
        r#"trait ProductRepository {{ fn find(&self, id: u64) -> Option<u8>; }}
struct ProductCache;
impl ProductCache {{ fn get(&self, id: u64) -> Option<u8> {{ None }} fn insert(&self, p: u8) {{}} }}
struct CatalogService<R> {{ repo: R, cache: ProductCache }}
impl<R: ProductRepository> CatalogService<R> {{
    fn product(&self, id: u64) -> Option<u8> {{
{body}
    }}
    fn load(&self, id: u64) -> Option<u8> {{ let p = self.repo.find(id)?; self.cache.insert(p); Some(p) }}
}}
"#
    )
}

#[test]
fn the_cache_read_before_the_repository_passes_in_any_spelling() {
    for body in [
        "        if let Some(p) = self.cache.get(id) { return Some(p); }\n        self.repo.find(id)",
        "        self.cache.get(id).or_else(|| self.repo.find(id))",
        "        self.cache.get(id).or_else(|| self.load(id))",
        "        match self.cache.get(id) { Some(p) => Some(p), None => self.load(id) }",
    ] {
        assert_eq!(
            run(CACHE_BEFORE_REPOSITORY, &catalog(body)),
            Vec::<String>::new(),
            "{body}"
        );
    }
}

#[test]
fn the_repository_read_first_fails_at_the_repository() {
    let body = "        let fresh = self.repo.find(id);\n        self.cache.get(id).or(fresh)";
    assert_eq!(
        run(CACHE_BEFORE_REPOSITORY, &catalog(body)),
        [
            "7:31 calls ProductRepository::find with no ProductCache::get before it on some path (the one at 8:20 comes after it)"
        ]
    );
    let helper = "        self.load(id).or_else(|| self.cache.get(id))";
    assert_eq!(
        run(CACHE_BEFORE_REPOSITORY, &catalog(helper)),
        [
            "9:63 CatalogService::product -> CatalogService::load -> calls ProductRepository::find with no ProductCache::get before it on some path"
        ]
    );
}

use std::path::Path;

pub fn slugify(title: &str) -> String {
    title
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn write_fixture(dir: &Path, name: &str) {
        Command::new("sh")
            .arg("-c")
            .arg(format!("mkdir -p {} && touch {}/{}", dir.display(), dir.display(), name))
            .status()
            .unwrap();
    }

    #[test]
    fn slug_matches_fixture_name() {
        let dir = std::env::temp_dir().join("slug-fixtures");
        let slug = slugify("Hello, World!");
        write_fixture(&dir, &slug);
        assert!(dir.join("hello-world").exists());
    }
}

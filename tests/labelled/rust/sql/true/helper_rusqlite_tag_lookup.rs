use rusqlite::{Connection, Result};

pub fn notes_with_tag(conn: &Connection, tag: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT n.title FROM notes n JOIN note_tags t ON t.note_id = n.id WHERE t.tag = '{}'",
        tag
    ))?;
    let titles = stmt
        .query_map([], |row| row.get(0))?
        .collect::<Result<Vec<String>>>()?;
    Ok(titles)
}

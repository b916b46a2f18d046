//! The source interface: whatever the inputs live in (the disk, memory in tests, a Git revision
//! written out for `kbundle diff`), the pipeline reads them as a stream of [`Input`]s, one file
//! at a time. The pipeline classifies and parses each object as it arrives and keeps only what
//! it needs (a bundle's parsed form, a pass-through object), so the parsed YAML trees of a large
//! repository are never all held at once.

use super::{Item, disk::parse_file_bytes};
use crate::diag::Diagnostic;

/// One thing a source yields: an object, or a problem met while reading.
#[derive(Debug)]
pub enum Input {
    Item(Item),
    Problem(Diagnostic),
}

impl From<Item> for Input {
    fn from(i: Item) -> Input {
        Input::Item(i)
    }
}

/// A source of input objects, read a file at a time.
pub trait Source {
    /// The objects of the next file and the problems reading it; `None` when nothing is left.
    /// A file's problems come before its objects in [`inputs`].
    fn next_file(&mut self) -> Option<(Vec<Item>, Vec<Diagnostic>)>;
}

/// A source as the stream the pipeline reads.
pub fn inputs<S: Source>(source: S) -> Inputs<S> {
    Inputs {
        source,
        buffered: std::collections::VecDeque::new(),
    }
}

pub struct Inputs<S> {
    source: S,
    buffered: std::collections::VecDeque<Input>,
}

impl<S: Source> Iterator for Inputs<S> {
    type Item = Input;

    fn next(&mut self) -> Option<Input> {
        loop {
            if let Some(i) = self.buffered.pop_front() {
                return Some(i);
            }
            let (items, diags) = self.source.next_file()?;
            self.buffered.extend(diags.into_iter().map(Input::Problem));
            self.buffered.extend(items.into_iter().map(Input::Item));
        }
    }
}

/// Files held in memory, as `(display name, text)`: tests and tools that have no disk. Files
/// they name (schemas, migrations) are not reachable (no base directory).
pub struct Memory {
    files: std::vec::IntoIter<(String, String)>,
}

impl Memory {
    pub fn new(files: Vec<(String, String)>) -> Memory {
        Memory {
            files: files.into_iter(),
        }
    }
}

impl Source for Memory {
    fn next_file(&mut self) -> Option<(Vec<Item>, Vec<Diagnostic>)> {
        let (name, text) = self.files.next()?;
        let mut items = Vec::new();
        let mut diags = Vec::new();
        parse_file_bytes(&name, text.into_bytes(), false, &mut items, &mut diags);
        Some((items, diags))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_yields_each_files_problems_then_its_objects_in_order() {
        let files = vec![
            (
                "a.yaml".to_string(),
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n".to_string(),
            ),
            ("b.yaml".to_string(), "a: [\n".to_string()),
            (
                "c.yaml".to_string(),
                "apiVersion: v1\nkind: Secret\nmetadata: {name: c}\n".to_string(),
            ),
        ];
        let got: Vec<String> = inputs(Memory::new(files))
            .map(|i| match i {
                Input::Item(i) => {
                    format!("{}:{}", i.origin.file.unwrap_or_default(), i.value["kind"])
                }
                Input::Problem(d) => format!("{}:{}", d.file.unwrap_or_default(), d.code.as_str()),
            })
            .collect();
        assert_eq!(
            got,
            ["a.yaml:\"ConfigMap\"", "b.yaml:KB001", "c.yaml:\"Secret\""]
        );
    }

    #[test]
    fn disk_streams_a_directory_file_by_file_as_read_paths_reads_it() {
        let t = tempfile::tempdir().expect("tempdir");
        for (n, k) in [("b.yaml", "Secret"), ("a.yaml", "ConfigMap")] {
            std::fs::write(
                t.path().join(n),
                format!("apiVersion: v1\nkind: {k}\nmetadata: {{name: x}}\n"),
            )
            .expect("write");
        }
        let paths = [t.path().display().to_string()];
        let mut disk = super::super::Disk::new(&paths, std::io::empty());
        let mut per_file = Vec::new();
        while let Some((items, _)) = disk.next_file() {
            per_file.push(items.len());
        }
        // The directory itself (its walk), then one file at a time.
        assert_eq!(per_file, [0, 1, 1]);
        let (all, diags) = super::super::read_paths(&paths, &mut std::io::empty());
        assert!(diags.is_empty());
        let kinds: Vec<&str> = all
            .iter()
            .filter_map(|i| i.value["kind"].as_str())
            .collect();
        assert_eq!(kinds, ["ConfigMap", "Secret"]);
    }
}

//! Union resolution, as Java's `SchemaCompatibility` does it: every branch of a writer's union
//! must be readable; some branch of a reader's union must read the writer's type.

use super::compat::{Direction, Resolver, Step, subject};
use super::types::{Encoding, encoding, name_matches, resolve};
use apache_avro::Schema;
use apache_avro::schema::UnionSchema;

impl<'a> Resolver<'a> {
    /// Every branch of the writer's union must be readable.
    pub(super) fn writer_union(
        &mut self,
        branches: &'a UnionSchema,
        writer: &'a Schema,
        reader: &'a Schema,
        path: &mut Vec<Step>,
    ) -> Result<(), String> {
        for branch in branches.variants() {
            let failure = match encoding(resolve(reader, &self.reader_names)) {
                Encoding::Union(reader_branches) => {
                    match self.reader_union(branch, reader_branches, path) {
                        Ok(()) => continue,
                        Err(Some(reason)) => return Err(reason),
                        Err(None) => {
                            let b = self.describe_writer(branch);
                            match self.direction {
                                Direction::NewReadsOld => {
                                    format!("{} lost union branch {b}", subject(path))
                                }
                                Direction::OldReadsNew => format!(
                                    "{} gained union branch {b}, which readers of the old schema \
                                     cannot read",
                                    subject(path)
                                ),
                            }
                        }
                    }
                }
                _ => match self.check(branch, reader, path) {
                    Ok(()) => continue,
                    Err(reason) if self.close(branch, reader) => return Err(reason),
                    Err(_) => {
                        let b = self.describe_writer(branch);
                        let (old, new) = self
                            .old_new(self.describe_writer(writer), self.describe_reader(reader));
                        match self.direction {
                            Direction::NewReadsOld => format!(
                                "type of {} changed from {old} to {new}, which cannot read the \
                                 {b} branch",
                                subject(path)
                            ),
                            Direction::OldReadsNew => format!(
                                "type of {} changed from {old} to {new}; readers of the old \
                                 schema cannot read its {b} branch",
                                subject(path)
                            ),
                        }
                    }
                },
            };
            return Err(failure);
        }
        Ok(())
    }

    /// Some branch of the reader's union must read the writer's (non-union) type. On failure,
    /// the reason from the branch most like the writer's type, if there is one.
    pub(super) fn reader_union(
        &mut self,
        writer: &'a Schema,
        branches: &'a UnionSchema,
        path: &mut Vec<Step>,
    ) -> Result<(), Option<String>> {
        let mut failures = Vec::new();
        for branch in branches.variants() {
            match self.check(writer, branch, path) {
                Ok(()) => return Ok(()),
                Err(reason) => failures.push((branch, reason)),
            }
        }
        let closest = failures
            .iter()
            .position(|(branch, _)| self.close(writer, branch))
            .or_else(|| {
                let writer = encoding(resolve(writer, &self.writer_names));
                let same_kind: Vec<usize> = failures
                    .iter()
                    .enumerate()
                    // A named branch of another name is a different branch, not the
                    // writer's type changed: "lost union branch" says more than the names.
                    .filter(|(_, (branch, _))| {
                        let branch = encoding(resolve(branch, &self.reader_names));
                        branch.same_kind(&writer) && !branch.is_named()
                    })
                    .map(|(i, _)| i)
                    .collect();
                match same_kind.as_slice() {
                    [only] => Some(*only),
                    _ => None,
                }
            });
        Err(closest.and_then(|i| failures.into_iter().nth(i).map(|(_, reason)| reason)))
    }

    /// Whether `reader` is the writer's type changed in place (same kind, and for named types
    /// the same name), so its own reason explains the failure better than "no branch".
    pub(super) fn close(&self, writer: &Schema, reader: &Schema) -> bool {
        let writer = encoding(resolve(writer, &self.writer_names));
        let reader = encoding(resolve(reader, &self.reader_names));
        match (writer, reader) {
            (Encoding::Record(w), Encoding::Record(r)) => {
                name_matches(&w.name, &r.name, r.aliases.as_ref())
            }
            (Encoding::Enum(w), Encoding::Enum(r)) => {
                name_matches(&w.name, &r.name, r.aliases.as_ref())
            }
            (Encoding::Fixed(w), Encoding::Fixed(r)) => {
                name_matches(&w.name, &r.name, r.aliases.as_ref())
            }
            (w, r) => w.same_kind(&r),
        }
    }

    pub(super) fn no_reader_branch(
        &self,
        writer: &Schema,
        reader: &Schema,
        path: &[Step],
    ) -> String {
        let w = self.describe_writer(writer);
        let (old, new) = self.old_new(w.clone(), self.describe_reader(reader));
        match self.direction {
            Direction::NewReadsOld => format!(
                "type of {} changed from {old} to {new}, which has no branch that can read {w}",
                subject(path)
            ),
            Direction::OldReadsNew => format!(
                "type of {} changed from {old} to {new}; the old union has no branch that can \
                 read {w}",
                subject(path)
            ),
        }
    }
}

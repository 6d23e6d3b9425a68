//! Recursive conveniences over listings, as ftputil has them (ftplib has none): walking a
//! directory tree, making nested directories, removing a tree.

use crate::list::{Entry, Line};
use crate::{Error, FtpStream, Result};

/// One directory met by [`FtpStream::walk`], with what is in it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WalkDir {
    /// The directory's path: the path given to `walk`, then the names below it joined with
    /// `/`.
    pub path: String,
    /// Its subdirectories, without `.` and `..`.
    pub dirs: Vec<Entry>,
    /// Everything else: files, symbolic links (not followed), devices.
    pub files: Vec<Entry>,
    /// Lines of its listing that could not be read as entries (kept, never dropped): a
    /// subdirectory among them is not walked.
    pub unparsed: Vec<Line>,
}

/// The directories of a tree, top-down, each listed when it is reached: see
/// [`FtpStream::walk`].
pub struct Walk<'a> {
    ftp: &'a mut FtpStream,
    /// Directories still to list; the next one is last.
    pending: Vec<String>,
}

impl Iterator for Walk<'_> {
    type Item = Result<WalkDir>;

    fn next(&mut self) -> Option<Result<WalkDir>> {
        let path = self.pending.pop()?;
        let lines = match self.ftp.mlsd_or_list(&path, true) {
            Ok(lines) => lines,
            Err(e) => return Some(Err(e)),
        };
        let mut dir = WalkDir {
            path,
            dirs: Vec::new(),
            files: Vec::new(),
            unparsed: Vec::new(),
        };
        for line in lines {
            match line {
                Line::Entry(e) if e.is_self_or_parent() => {}
                Line::Entry(e) if e.is_dir() => dir.dirs.push(e),
                Line::Entry(e) => dir.files.push(e),
                Line::Skipped { .. } => {}
                unparsed @ Line::Unparsed { .. } => dir.unparsed.push(unparsed),
            }
        }
        // vsftpd lists a missing directory as an empty one: an empty listing is only
        // believed once the directory can be entered.
        let empty = dir.dirs.is_empty() && dir.files.is_empty() && dir.unparsed.is_empty();
        if empty && !dir.path.is_empty() {
            if let Err(e) = self.ftp.check_directory(&dir.path) {
                return Some(Err(e));
            }
        }
        // Pushed last to first, so that subdirectories are visited in listing order.
        for sub in dir.dirs.iter().rev() {
            self.pending.push(join(&dir.path, sub.name()));
        }
        Some(Ok(dir))
    }
}

/// `name` inside directory `dir` (`""` is the current directory).
fn join(dir: &str, name: &str) -> String {
    match dir {
        "" => name.to_string(),
        d if d.ends_with('/') => format!("{d}{name}"),
        d => format!("{d}/{name}"),
    }
}

impl FtpStream {
    /// Walks the directory tree under `top` (`""` for the current directory), top-down like
    /// Python's `os.walk` and ftputil's `walk`: the iterator lists each directory when it
    /// reaches it, and yields it with its subdirectories and other entries. Symbolic links are
    /// not followed. Listings use MLSD where the server has it, else `LIST -a` (hidden files
    /// included).
    ///
    /// A directory whose listing fails gives an `Err` item, and the walk goes on with the
    /// others; stop iterating to stop the walk. A directory that does not exist is such an
    /// `Err` on every server: vsftpd lists a missing directory as an empty one, so an empty
    /// listing is checked by entering the directory (CWD, then back).
    ///
    /// ```no_run
    /// # fn main() -> ftplib::Result<()> {
    /// let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// ftp.login("anonymous", "")?;
    /// for dir in ftp.walk("pub") {
    ///     let dir = dir?;
    ///     for file in &dir.files {
    ///         println!("{}/{} {:?}", dir.path, file.name(), file.size());
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn walk(&mut self, top: &str) -> Walk<'_> {
        Walk {
            ftp: self,
            pending: vec![top.to_string()],
        }
    }

    /// Makes directory `path` and any missing parents, like `mkdir -p` (ftputil's
    /// `makedirs`). Directories that already exist are no error.
    ///
    /// ```no_run
    /// # fn main() -> ftplib::Result<()> {
    /// let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// ftp.login("user", "password")?;
    /// ftp.makedirs("backups/2026/11")?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// The `MKD` error for a part that cannot be made and is not an existing directory (for
    /// example a file of that name); errors of `PWD`/`CWD`, which tell existing directories.
    pub fn makedirs(&mut self, path: &str) -> Result<()> {
        let mut prefix = if path.starts_with('/') {
            "/".to_string()
        } else {
            String::new()
        };
        for part in path.split('/').filter(|p| !p.is_empty()) {
            prefix = join(&prefix, part);
            match self.mkd(&prefix) {
                Ok(_) => {}
                Err(Error::Permanent(reply)) => {
                    if !self.is_directory(&prefix)? {
                        return Err(Error::Permanent(reply));
                    }
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Whether `path` is a directory one can enter (see [`FtpStream::check_directory`]).
    fn is_directory(&mut self, path: &str) -> Result<bool> {
        match self.check_directory(path) {
            Ok(()) => Ok(true),
            Err(Error::Permanent(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Enters `path` and comes back: the CWD error (550 for a missing directory or a file)
    /// if it cannot be entered.
    fn check_directory(&mut self, path: &str) -> Result<()> {
        let here = self.pwd()?;
        self.cwd(path)?;
        self.cwd(&here)?;
        Ok(())
    }

    /// Removes directory `path` and everything under it (ftputil's `rmtree`): the whole tree
    /// is walked first, then files are deleted and directories removed, deepest first.
    /// Symbolic links are deleted, not followed.
    ///
    /// ```no_run
    /// # fn main() -> ftplib::Result<()> {
    /// let mut ftp = ftplib::FtpStream::connect("127.0.0.1", 21)?;
    /// ftp.login("user", "password")?;
    /// ftp.rmtree("old-build")?;
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for `""` or `/` (the current or root directory is never
    /// removed whole); the first failing listing, `DELE` or `RMD`; [`Error::Protocol`] before
    /// anything is removed when a listing line cannot be read (it could be a directory the
    /// walk would miss).
    pub fn rmtree(&mut self, path: &str) -> Result<()> {
        if path.trim_matches('/').is_empty() {
            return Err(Error::InvalidInput(format!(
                "rmtree needs a directory below the root, not {path:?}"
            )));
        }
        let dirs = self.walk(path).collect::<Result<Vec<WalkDir>>>()?;
        if let Some(line) = dirs.iter().flat_map(|d| &d.unparsed).next() {
            return Err(Error::Protocol {
                reason: "a listing line could not be read, so nothing was removed".into(),
                line: String::from_utf8_lossy(line.raw()).into_owned(),
            });
        }
        // Top-down order reversed: every directory comes after everything inside it.
        for dir in dirs.iter().rev() {
            for file in &dir.files {
                self.delete(&join(&dir.path, file.name()))?;
            }
            self.rmd(&dir.path)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn joins() {
        for (dir, name, want) in [
            ("", "a", "a"),
            ("/", "a", "/a"),
            ("top", "a b", "top/a b"),
            ("top/", "a", "top/a"),
            ("/x/y", ".hidden", "/x/y/.hidden"),
        ] {
            assert_eq!(join(dir, name), want);
        }
    }
}

import Foundation

/// Who is applying a batch to a store, so that a command kept waiting past the busy timeout can
/// say which (SQLite does not tell who holds its write lock). A small file beside the store,
/// `STORE-gloss-writer`, holds "PID DESCRIPTION" while a batch (a sync's, a bundle's, a
/// clone's) is applied: the writes that can take long. Best effort: a note whose process is
/// gone is ignored.
struct WriterNote {
    /// What this process is, for others' messages: the CLI sets it (e.g. "gloss serve").
    nonisolated(unsafe) static var description = "a gloss process"

    let path: String

    init(store: String) { path = store + "-gloss-writer" }

    /// Writes this process's note (best effort: a store whose folder cannot take it still works).
    func begin() {
        let text = "\(getpid()) \(Self.description)\n"
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
    }

    /// Removes the note if it is still this process's.
    func end() {
        guard let note = read(), note.pid == getpid() else { return }
        unlink(path)
    }

    /// The note of a process that is still running, if any.
    func read() -> (pid: pid_t, description: String)? {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let pid = pid_t(parts[0]), pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return nil }
        return (pid, String(parts[1]))
    }
}

extension GlossStore {
    /// Sets what this process says it is when another command finds the store busy.
    public static func describeProcess(as description: String) { WriterNote.description = description }
}

import ArgumentParser
import Foundation

/// `--note TEXT` or `--note-file FILE` (`-` for standard input): a note longer than the
/// command line takes (about 128 KiB), or one with many lines, comes from a file.
struct NoteOptions: ParsableArguments {
    @Option(help: "The note.") var note: String?
    @Option(
        name: .customLong("note-file"),
        help: ArgumentHelp("Read the note from a UTF-8 file, or - for standard input.", valueName: "file"), completion: .file())
    var noteFile: String?

    /// The largest note: the largest change must fit in one sync frame, with room to spare.
    static let maximumSize = 1 << 20

    var isGiven: Bool { note != nil || noteFile != nil }

    func validate() throws {
        if note != nil && noteFile != nil { throw ValidationError("give --note or --note-file, not both") }
    }

    /// The note given, read from its file if need be; nil when none was.
    func read() throws -> String? {
        guard let noteFile else { return note }
        let shown = noteFile == "-" ? "standard input" : Terminal.singleLine(noteFile)
        let data: Data
        if noteFile == "-" {
            data = try readStandardInput(limit: Self.maximumSize, what: "the note")
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: noteFile, isDirectory: &isDirectory), !isDirectory.boolValue,
                let contents = FileManager.default.contents(atPath: noteFile)
            else {
                throw CLIError(
                    "cannot read the note from \(shown): \(FileManager.default.fileExists(atPath: noteFile) ? "not a readable file" : "no such file")"
                )
            }
            data = contents
        }
        guard data.count <= Self.maximumSize else {
            throw CLIError("the note in \(shown) is over \(Self.maximumSize) bytes (1 MiB); keep long texts as articles")
        }
        guard !data.contains(0), let text = String(validatingUTF8Data: data) else {
            throw CLIError("the note in \(shown) is not UTF-8 text")
        }
        // A file's last line break is the file's, not the note's.
        return text.hasSuffix("\r\n") ? String(text.dropLast(2)) : text.hasSuffix("\n") ? String(text.dropLast()) : text
    }
}

import Foundation
import GlossCore

/// A text file read for import, checked before anything is written: it must exist, be a
/// `.txt`, `.md` or `.markdown` file (or standard input, `-`), hold valid UTF-8 with no NUL bytes, and not be empty.
struct ArticleFile {
    let path: String
    /// The normalized text (see `ArticleText.normalized`), which is what is stored.
    let body: String
    let isMarkdown: Bool

    var id: EntityID { ArticleText.id(of: body) }

    static let extensions: Set<String> = ["txt", "md", "markdown"]
    /// The largest article, and the most text one import takes: far above any news article,
    /// and well inside one sync frame (SPEC §11), so every change can travel.
    static let maximumSize = 8 << 20

    /// Reads `path`, or standard input for `-` (plain text). `verb` says what it is read for
    /// in a refusal ("cannot import notes.txt: ...").
    init(path: String, verb: String = "import") throws {
        let shown = path == "-" ? "standard input" : Terminal.singleLine(path)
        let data: Data
        if path == "-" {
            data = try readStandardInput(limit: Self.maximumSize, what: "an article")
            isMarkdown = false
        } else {
            let fileExtension = (path as NSString).pathExtension.lowercased()
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CLIError("cannot \(verb) \(shown): no such file")
            }
            guard !isDirectory.boolValue else { throw CLIError("cannot \(verb) \(shown): it is a directory") }
            guard Self.extensions.contains(fileExtension) else {
                throw CLIError(
                    "cannot \(verb) \(shown): only .txt, .md and .markdown files can be \(verb == "import" ? "imported" : "used") (or - for standard input)"
                )
            }
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw CLIError("cannot \(verb) \(shown): the file cannot be read")
            }
            data = contents
            isMarkdown = fileExtension != "txt"
        }
        if data.count > Self.maximumSize {
            throw CLIError("cannot \(verb) \(shown): it is \(data.count) bytes; an article may have at most \(Self.maximumSize) (8 MiB)")
        }
        if data.contains(0) { throw CLIError("cannot \(verb) \(shown): it looks binary (it contains NUL bytes)") }
        guard let text = String(validatingUTF8Data: data) else {
            throw CLIError("cannot \(verb) \(shown): it is not valid UTF-8 text")
        }
        let body = ArticleText.normalized(text)
        guard !body.unicodeScalars.allSatisfy(\.properties.isWhitespace) else {
            throw CLIError("cannot \(verb) \(shown): it is empty")
        }
        self.path = path
        self.body = body
    }
}

/// Standard input, whole: refused past `limit` bytes (one more is read to know), and when it
/// is a terminal nobody is typing into on purpose.
func readStandardInput(limit: Int, what: String) throws -> Data {
    if isatty(STDIN_FILENO) == 1 { Terminal.note("Reading \(what) from standard input; end it with Ctrl-D.") }
    var data = Data()
    while data.count <= limit, let chunk = try FileHandle.standardInput.read(upToCount: 1 << 16), !chunk.isEmpty {
        data.append(chunk)
    }
    return data
}

extension String {
    /// Decodes UTF-8, or nil when any byte sequence is invalid (no replacement characters).
    init?(validatingUTF8Data data: Data) {
        var scalars = String.UnicodeScalarView()
        var decoder = UTF8()
        var iterator = data.makeIterator()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): scalars.append(scalar)
            case .emptyInput: break loop
            case .error: return nil
            }
        }
        self = String(scalars)
    }
}

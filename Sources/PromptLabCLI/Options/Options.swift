import ArgumentParser
import Foundation
import GitKit
import PromptLab
import PromptLabCore

/// How results are printed.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

struct OutputOptions: ParsableArguments {
    @Option(help: "Output format: text or json (documented in docs/json-output.md).")
    var format: OutputFormat = .text

    var isJSON: Bool { format == .json }
}

/// Where the prompt repository and the results database are.
struct WorkspaceOptions: ParsableArguments {
    @Option(name: [.customShort("C"), .customLong("repo")], help: "Run as if started in this folder.")
    var path: String = "."

    @Option(help: "The results database (default: $PROMPTLAB_DB, else .promptlab/results.sqlite at the prompt root).")
    var db: String?

    /// Opens the workspace every service works on; with `file` (an experiment), the repository that
    /// file belongs to.
    func open(forFileAt file: String? = nil) throws -> Workspace {
        try Workspace(at: path, forFileAt: file, database: db)
    }
}

/// `--author "Name <email>"`, overriding git's user.name and user.email.
struct AuthorOption: ParsableArguments {
    @Option(help: ArgumentHelp("Commit author, overriding git config.", valueName: "Name <email>"))
    var author: String?

    /// The parsed signature, or nil to use git's configuration.
    func signature() throws -> Signature? {
        guard let author else { return nil }
        guard let open = author.lastIndex(of: "<"), author.hasSuffix(">") else {
            throw ValidationError("--author must look like \"Name <email>\"")
        }
        let name = author[..<open].trimmingCharacters(in: .whitespaces)
        let email = String(author[author.index(after: open)..<author.index(before: author.endIndex)])
        guard !name.isEmpty, !email.isEmpty else { throw ValidationError("--author must look like \"Name <email>\"") }
        return Signature(name: name, email: email, time: 0)
    }
}

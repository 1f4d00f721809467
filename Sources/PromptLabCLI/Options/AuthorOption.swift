import ArgumentParser
import GitKit
import PromptLab

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

import Foundation

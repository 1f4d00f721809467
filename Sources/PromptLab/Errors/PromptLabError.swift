/// An error a user can act on: what went wrong, what to do, and a stable exit code.
///
/// The CLI prints ``message`` as one line and ``hint`` (if any) as a second.
public struct PromptLabError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Families of failure, each with its documented exit code.
    public enum Kind: Sendable, Equatable {
        /// Something unexpected failed (an I/O or libgit2 error). Exit 1.
        case failure
        /// Not inside a git repository, or no prompt root. Exit 3.
        case notARepository
        /// Bad user input: a malformed prompt file, an invalid name or label,
        /// a file too large or not UTF-8, an unreadable variables file. Exit 4.
        case invalidInput
        /// An unknown prompt, version, SHA or label. Exit 5.
        case notFound
        /// Rendering failed: a missing variable or an unknown partial. Exit 6.
        case renderFailed
        /// No commit author could be determined. Exit 7.
        case noAuthor
        /// Another process changed the repository at the same moment; retrying is safe. Exit 8.
        case conflict
        /// The requested change would lose work (for example uncommitted edits). Exit 9.
        case wouldLoseWork
    }

    public var kind: Kind
    /// One line saying what went wrong.
    public var message: String
    /// One line saying what to do about it.
    public var hint: String?
    /// The name the error is about, where one applies: the missing variable
    /// of a render error, for example.
    public var subject: String?

    public init(_ kind: Kind, _ message: String, hint: String? = nil, subject: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
        self.subject = subject
    }

    public var description: String { message }

    /// The process exit code documented for this kind of error.
    public var exitCode: Int32 {
        switch kind {
        case .failure: 1
        case .notARepository: 3
        case .invalidInput: 4
        case .notFound: 5
        case .renderFailed: 6
        case .noAuthor: 7
        case .conflict: 8
        case .wouldLoseWork: 9
        }
    }
}

import GitKit

extension PromptLabError {
    /// Wraps an unexpected libgit2 failure.
    static func git(_ error: any Error, while action: String) -> PromptLabError {
        if let error = error as? PromptLabError { return error }
        let text = (error as? GitError)?.message ?? "\(error)"
        return PromptLabError(.failure, "git error while \(action): \(text)")
    }
}

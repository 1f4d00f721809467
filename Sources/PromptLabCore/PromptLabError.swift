/// An error a user can act on: what went wrong, what to do, and a documented exit status.
///
/// Every front end shows ``message`` as one line and ``hint`` (if any) as a second; the CLI adds
/// ``detail`` (the underlying libgit2, SQLite or system message) only with `--verbose`.
public struct PromptLabError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The family of failure, which is also the exit status the CLI ends with.
    public typealias Kind = ExitStatus

    public var kind: Kind
    /// One line saying what went wrong.
    public var message: String
    /// One line saying what to do about it.
    public var hint: String?
    /// The name the error is about, where one applies: the missing variable
    /// of a render error, for example.
    public var subject: String?
    /// The lower layer's own words (a libgit2 or SQLite message), for `--verbose`.
    public var detail: String?

    public init(_ kind: Kind, _ message: String, hint: String? = nil, subject: String? = nil, detail: String? = nil) {
        self.kind = kind
        self.message = message
        self.hint = hint
        self.subject = subject
        self.detail = detail
    }

    public var description: String { message }

    /// The process exit code documented for this kind of error.
    public var exitCode: Int32 { kind.code }
}

internal import CGit2

/// Who made a commit and when, copied out of libgit2.
public struct Signature: Hashable, Sendable {
    public var name: String
    public var email: String
    /// Seconds since the Unix epoch.
    public var time: Int64
    /// The author's UTC offset in minutes.
    public var offsetMinutes: Int32

    public init(name: String, email: String, time: Int64, offsetMinutes: Int32 = 0) {
        self.name = name
        self.email = email
        self.time = time
        self.offsetMinutes = offsetMinutes
    }

    init(_ signature: UnsafePointer<git_signature>) {
        name = String(cString: signature.pointee.name)
        email = String(cString: signature.pointee.email)
        time = signature.pointee.when.time
        offsetMinutes = signature.pointee.when.offset
    }

    /// Why git would reject this identity in a commit (`git fsck --strict`
    /// reports `badName`/`missingEmail`), or nil when it is fine.
    ///
    /// libgit2 writes a name holding a newline as it is, splitting the author
    /// line in two, so identities are checked here before anything is written.
    public var identityProblem: String? {
        func unsafe(_ text: String) -> Bool {
            text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0 == "<" || $0 == ">" }
        }
        if name.trimmingCharacters(" ").isEmpty { return "the name is empty" }
        if unsafe(name) { return "the name contains a newline, a control character, '<' or '>'" }
        if unsafe(email) { return "the e-mail contains a newline, a control character, '<' or '>'" }
        return nil
    }

    /// Calls `body` with a libgit2 copy of this signature, freed afterwards.
    func withGitSignature<T>(_ body: (UnsafePointer<git_signature>) throws -> T) throws -> T {
        var pointer: UnsafeMutablePointer<git_signature>? = nil
        try check(git_signature_new(&pointer, name, email, time, offsetMinutes))
        defer { git_signature_free(pointer) }
        return try body(pointer!)  // git_signature_new succeeded, so it is set.
    }
}

internal import CGit2

/// An error reported by libgit2, with its return code, error class and message.
///
/// Match specific failures with the code constants, as GRDB does with `ResultCode`:
///
/// ```swift
/// do { try repo.updateReference(...) }
/// catch GitError.modified { /* someone else moved the ref */ }
/// ```
public struct GitError: Error, Sendable, CustomStringConvertible {
    /// A libgit2 return code (`git_error_code`).
    public struct Code: RawRepresentable, Hashable, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let generic = Code(rawValue: GIT_ERROR.rawValue)
        public static let notFound = Code(rawValue: GIT_ENOTFOUND.rawValue)
        public static let exists = Code(rawValue: GIT_EEXISTS.rawValue)
        public static let ambiguous = Code(rawValue: GIT_EAMBIGUOUS.rawValue)
        public static let unbornBranch = Code(rawValue: GIT_EUNBORNBRANCH.rawValue)
        public static let invalidSpec = Code(rawValue: GIT_EINVALIDSPEC.rawValue)
        public static let locked = Code(rawValue: GIT_ELOCKED.rawValue)
        public static let modified = Code(rawValue: GIT_EMODIFIED.rawValue)
        /// The repository belongs to another user and is not listed in `safe.directory`.
        public static let notOwned = Code(rawValue: GIT_EOWNER.rawValue)
    }

    /// The return code of the failed call.
    public let code: Code
    /// The libgit2 error class (`git_error_t`), such as `GIT_ERROR_REFERENCE`.
    public let errorClass: Int32
    /// libgit2's message for the failure.
    public let message: String

    public init(code: Code, errorClass: Int32 = 0, message: String) {
        self.code = code
        self.errorClass = errorClass
        self.message = message
    }

    public var description: String { message }

    public static let notFound = Code.notFound
    public static let exists = Code.exists
    public static let ambiguous = Code.ambiguous
    public static let unbornBranch = Code.unbornBranch
    public static let invalidSpec = Code.invalidSpec
    public static let locked = Code.locked
    public static let modified = Code.modified
}

extension GitError.Code {
    /// Lets `catch GitError.modified` match an error by its code.
    public static func ~= (code: GitError.Code, error: any Error) -> Bool {
        (error as? GitError)?.code == code
    }
}

/// Turns a negative libgit2 return code into a thrown ``GitError``, reading and
/// clearing libgit2's thread-local last error.
@discardableResult
func check(_ result: Int32) throws(GitError) -> Int32 {
    guard result < 0 else { return result }
    var message = "libgit2 error \(result)"
    var errorClass: Int32 = 0
    if let last = git_error_last() {
        errorClass = last.pointee.klass
        if let text = last.pointee.message {
            message = String(cString: text).trimmingTrailingNewlines()
        }
    }
    git_error_clear()
    throw GitError(code: .init(rawValue: result), errorClass: errorClass, message: message)
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var text = self
        while text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}

internal import CGit2

/// An open git repository.
///
/// Owns one `git_repository` handle, freed when the object is released. Handles
/// are not thread-safe, so `Repository` is not `Sendable`: keep each instance
/// on one task, and open another for concurrent work.
public final class Repository {
    let pointer: OpaquePointer

    private init(pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        git_repository_free(pointer)
    }

    /// Opens the repository containing `path`, searching upwards like `git`.
    ///
    /// - Throws: ``GitError`` with code `notFound` when no repository encloses `path`.
    public static func discover(from path: String) throws(GitError) -> Repository {
        GitLibrary.ensureInitialized()
        var handle: OpaquePointer? = nil
        try check(git_repository_open_ext(&handle, path, 0, nil))
        return Repository(pointer: handle!)  // open succeeded, so it is set.
    }

    /// Opens the repository whose work tree or `.git` directory is exactly `path`.
    public static func open(at path: String) throws(GitError) -> Repository {
        GitLibrary.ensureInitialized()
        var handle: OpaquePointer? = nil
        try check(git_repository_open_ext(&handle, path, UInt32(GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue), nil))
        return Repository(pointer: handle!)  // open succeeded, so it is set.
    }

    /// Creates a repository with a work tree at `path` (as `git init` does).
    ///
    /// - Parameter initialBranch: the branch `HEAD` points at before the first commit.
    public static func create(at path: String, initialBranch: String = "main") throws(GitError) -> Repository {
        GitLibrary.ensureInitialized()
        var options = git_repository_init_options()
        try check(git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)))
        options.flags = UInt32(GIT_REPOSITORY_INIT_MKPATH.rawValue)
        var handle: OpaquePointer? = nil
        let result = initialBranch.withCString { branch in
            options.initial_head = branch
            return git_repository_init_ext(&handle, path, &options)
        }
        try check(result)
        return Repository(pointer: handle!)  // init succeeded, so it is set.
    }

    /// The work tree's absolute path, ending in `/`; `nil` for a bare repository.
    public var workingDirectory: String? {
        git_repository_workdir(pointer).map { String(cString: $0) }
    }

    /// The `.git` directory's absolute path, ending in `/`.
    public var gitDirectory: String {
        String(cString: git_repository_path(pointer))
    }

    /// Whether the repository has no work tree.
    public var isBare: Bool { git_repository_is_bare(pointer) == 1 }

    /// Where `HEAD` points.
    public enum Head: Equatable, Sendable {
        /// On a branch (full ref name such as `refs/heads/main`); `commit` is nil while it is unborn.
        case branch(String, commit: ObjectID?)
        /// Detached at a commit.
        case detached(ObjectID)

        /// The commit `HEAD` resolves to, if any.
        public var commit: ObjectID? {
            switch self {
            case .branch(_, let commit): commit
            case .detached(let id): id
            }
        }
    }

    /// Reads `HEAD` without requiring that its branch has commits yet.
    public func head() throws(GitError) -> Head {
        var reference: OpaquePointer? = nil
        try check(git_reference_lookup(&reference, pointer, "HEAD"))
        defer { git_reference_free(reference) }
        if git_reference_type(reference) == GIT_REFERENCE_SYMBOLIC {
            let target = String(cString: git_reference_symbolic_target(reference))
            return .branch(target, commit: try referenceTarget(target))
        }
        return .detached(ObjectID(git_reference_target(reference).pointee))
    }

    /// The signature `git commit` would use, from `user.name` and `user.email`.
    ///
    /// - Throws: ``GitError`` with code `notFound` when either is unset.
    public func defaultSignature() throws(GitError) -> Signature {
        var signature: UnsafeMutablePointer<git_signature>? = nil
        try check(git_signature_default(&signature, pointer))
        defer { git_signature_free(signature) }
        return Signature(signature!)  // the call succeeded, so it is set.
    }

    /// Reads a configuration value (for example `user.name`), or nil when unset.
    public func configString(_ key: String) throws(GitError) -> String? {
        var config: OpaquePointer? = nil
        try check(git_repository_config_snapshot(&config, pointer))
        defer { git_config_free(config) }
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        let result = git_config_get_string_buf(&buffer, config, key)
        if result == GIT_ENOTFOUND.rawValue {
            git_error_clear()
            return nil
        }
        try check(result)
        return String(cString: buffer.ptr)
    }

    /// Sets a configuration value in the repository's own `.git/config`.
    public func setConfigString(_ key: String, _ value: String) throws(GitError) {
        var config: OpaquePointer? = nil
        try check(git_repository_config(&config, pointer))
        defer { git_config_free(config) }
        var local: OpaquePointer? = nil
        try check(git_config_open_level(&local, config, GIT_CONFIG_LEVEL_LOCAL))
        defer { git_config_free(local) }
        try check(git_config_set_string(local, key, value))
    }
}

@available(*, unavailable)
extension Repository: Sendable {}

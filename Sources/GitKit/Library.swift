internal import CGit2

/// Process-wide libgit2 setup.
///
/// libgit2 must be initialised once before any other call. Every GitKit entry
/// point touches ``GitLibrary/ensureInitialized()``; `git_libgit2_shutdown` is
/// never called, because other threads may still hold handles at exit.
public enum GitLibrary {
    private static let initialized: Bool = {
        git_libgit2_init()
        return true
    }()

    /// Initialises libgit2 on first use; cheap afterwards.
    public static func ensureInitialized() {
        _ = initialized
    }

    /// The configuration levels whose search path can be redirected.
    public enum ConfigLevel: Sendable {
        case system, global, xdg, programData

        var rawValue: Int32 {
            switch self {
            case .system: GIT_CONFIG_LEVEL_SYSTEM.rawValue
            case .global: GIT_CONFIG_LEVEL_GLOBAL.rawValue
            case .xdg: GIT_CONFIG_LEVEL_XDG.rawValue
            case .programData: GIT_CONFIG_LEVEL_PROGRAMDATA.rawValue
            }
        }
    }

    /// Points a configuration level at another directory, or at none when
    /// `path` is empty. Tests use this to isolate themselves from the machine's
    /// `~/.gitconfig`.
    public static func setConfigSearchPath(_ level: ConfigLevel, to path: String) throws(GitError) {
        ensureInitialized()
        try check(cgit2_set_search_path(level.rawValue, path))
    }

    /// The libgit2 version this process runs against, such as `1.5.1`.
    public static var version: String {
        var major: Int32 = 0
        var minor: Int32 = 0
        var revision: Int32 = 0
        git_libgit2_version(&major, &minor, &revision)
        return "\(major).\(minor).\(revision)"
    }
}

import Foundation

/// Where tests put the folders they create: one folder per test process, removed when the
/// process exits, so a test run leaves nothing behind in the system's temporary folder.
///
/// Removing at exit rather than at the end of each test keeps folders alive for child
/// processes and concurrent tests that still use them.
public enum TestFolders {
    /// This process's folder, ending in `/`.
    public static let root: String = {
        let root = NSTemporaryDirectory() + "promptlab-tests-\(getpid())/"
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        atexit { TestFolders.removeRoot() }
        return root
    }()

    /// `root` as a file URL.
    public static var rootURL: URL { URL(fileURLWithPath: root, isDirectory: true) }

    static func removeRoot() {
        try? FileManager.default.removeItem(atPath: root)
    }
}

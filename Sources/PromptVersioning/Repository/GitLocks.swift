import Foundation
import PromptLabCore

/// A lock file git (or libgit2) left in `.git`, such as `index.lock` or
/// `refs/heads/main.lock`, and whether it is stale.
///
/// git creates `X.lock` beside a file it rewrites and renames it into place;
/// a process killed in between leaves the lock behind, and every later writer
/// fails on it. git's lock files name no owner, so PromptLab calls one stale
/// when no process has it open (checked through `/proc` where there is one)
/// and it is older than ``GitLock/staleAfter``. Nothing removes a lock on its
/// own: the error names the file and the exact command, and `commit
/// --remove-stale-lock` removes only locks that are stale by this rule.
public struct GitLock: Sendable, Hashable {
    /// How old a lock must be before it counts as stale. git holds its locks
    /// for milliseconds, except `index.lock` while `git commit` waits for an editor.
    public static let staleAfter: TimeInterval = 300

    /// The lock file's absolute path.
    public var path: String
    /// How long ago it was last written.
    public var age: TimeInterval
    /// Whether a running process has it open (Linux); false where that cannot be known.
    public var isOpen: Bool

    /// Whether it is stale: nobody has it open and it is older than ``staleAfter``.
    public var isStale: Bool { !isOpen && age >= Self.staleAfter }

    /// The lock at `path`, if the file exists, aged against `now`.
    static func inspect(_ path: String, now: Date) -> GitLock? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        #if canImport(Darwin)
            let modified = Double(info.st_mtimespec.tv_sec)
        #else
            let modified = Double(info.st_mtim.tv_sec)
        #endif
        return GitLock(path: path, age: max(0, now.timeIntervalSince1970 - modified), isOpen: isOpenByAnyProcess(path))
    }

    /// Whether any process holds a descriptor on `path`, from `/proc/*/fd`; false without `/proc`.
    static func isOpenByAnyProcess(_ path: String) -> Bool {
        guard let processes = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return false }
        for process in processes where process.allSatisfy(\.isNumber) {
            let folder = "/proc/\(process)/fd"
            guard let descriptors = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for descriptor in descriptors
            where (try? FileManager.default.destinationOfSymbolicLink(atPath: folder + "/" + descriptor)) == path {
                return true
            }
        }
        return false
    }

    /// `12 minutes`, `40 seconds`.
    var ageText: String {
        let seconds = Int(age.rounded(.down))
        if seconds >= 120 { return "\(seconds / 60) minutes" }
        return seconds == 1 ? "1 second" : "\(seconds) seconds"
    }
}

extension PromptRepository {
    /// The lock files a commit on `branch` (a full ref name) needs free, in the
    /// order git takes them: the staging area, then the branch and `HEAD`.
    func commitLockPaths(branch: String?) -> [String] {
        var paths = [git.gitDirectory + "index.lock"]
        if let branch { paths.append(git.gitDirectory + branch + ".lock") }
        paths += [git.gitDirectory + "HEAD.lock", git.gitDirectory + "packed-refs.lock"]
        return paths
    }

    /// The lock files that exist among those a commit on `branch` needs.
    public func gitLocks(branch: String?) -> [GitLock] {
        commitLockPaths(branch: branch).compactMap { GitLock.inspect($0, now: now()) }
    }

    /// Removes the stale locks among those a commit on `branch` needs.
    ///
    /// - Returns: the paths removed.
    func removeStaleLocks(branch: String?) -> [String] {
        gitLocks(branch: branch).filter(\.isStale).compactMap { lock in unlink(lock.path) == 0 ? lock.path : nil }
    }

    /// The error for a write that git's lock files blocked: the lock by path,
    /// whether it looks stale, and the exact command that removes it.
    func lockError(blocking action: String, branch: String?) -> PromptLabError {
        guard let lock = gitLocks(branch: branch).first else {
            return PromptLabError(
                .conflict, "another process kept the repository locked while \(action)",
                hint: "nothing was written; run the same command again")
        }
        let remove = "rm '\(lock.path)'"
        if lock.isStale {
            return PromptLabError(
                .conflict,
                "a stale lock blocks \(action): '\(lock.path)' is \(lock.ageText) old and no process has it open",
                hint:
                    "nothing was written; a git command was killed while writing. If none is running, remove it: \(remove) (or pass --remove-stale-lock to commit)",
                subject: lock.path)
        }
        let holder = lock.isOpen ? "a running process has it open" : "it is \(lock.ageText) old"
        return PromptLabError(
            .conflict, "'\(lock.path)' blocks \(action): another git process is writing the repository (\(holder))",
            hint: "nothing was written; wait for it and run the command again. If no git command is running, remove it: \(remove)",
            subject: lock.path)
    }
}

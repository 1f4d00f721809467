import Foundation
import PromptLabTestSupport
import Testing

/// Version control as real `promptlab` processes racing each other and meeting
/// what killed or hostile processes leave behind, checked with the `git` CLI.
@Suite struct VersionControlCLITests {
    let cli: CLITests

    init() throws {
        cli = try CLITests()
        try cli.initialise()
    }

    /// A repository of another user used to be reported as "not inside a git repository", which sent
    /// people to `promptlab init`; it is now named as another user's, with the safe.directory hint.
    /// (Only root can run a command as another user here; other users have nothing to test.)
    @Test func anotherUsersRepositoryIsNamedAsSuch() throws {
        guard getuid() == 0 else { return }
        let result = try cli.run(["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", CLITests.executable, "status"])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("belongs to another user"), "\(result.stderr)")
        #expect(result.stderr.contains("safe.directory"), "\(result.stderr)")
    }

    /// A `promptlab` process started without waiting for it; its output goes to files.
    struct Running {
        let process: Process
        let stderrPath: String

        var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

        func wait() -> Int32 {
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    func start(_ arguments: [String], tag: String) throws -> Running {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLITests.executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: cli.repo)
        process.environment = [
            "HOME": cli.home, "PATH": "/usr/bin:/bin", "GIT_CONFIG_NOSYSTEM": "1", "NO_COLOR": "1", "PROMPTLAB_DB": "",
        ]
        let stderrPath = cli.home + "stderr-\(tag)"
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: stderrPath)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return Running(process: process, stderrPath: stderrPath)
    }

    static func prompt(_ line: String) -> String { "---\nmodel: local/x\n---\n\(line)\n" }

    // MARK: - Concurrent commits of one prompt (2.3)

    @Test func twentyConcurrentCommitsOfOnePromptNeverLoseAnUpdate() throws {
        try cli.write("p.prompt", Self.prompt("content 0"))
        #expect(try cli.run(["commit", "-m", "v0"]).status == 0)
        let before = Int(try cli.run(["git", "rev-list", "--count", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        var running = [Running]()
        // Each process starts after the file got a newer content, while earlier ones are still running.
        for i in 1...20 {
            try cli.write("p.prompt", Self.prompt("content \(i)"))
            running.append(try start(["commit", "p", "-m", "writer \(i)"], tag: "\(i)"))
        }
        let statuses = running.map { $0.wait() }
        for (index, status) in statuses.enumerated() {
            #expect([0, 1, 8].contains(status), "writer \(index + 1) exited \(status): \(running[index].stderr)")
        }
        let after = Int(try cli.run(["git", "rev-list", "--count", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(after - before == statuses.filter { $0 == 0 }.count, "one commit per successful process")
        // HEAD holds the working file: no older content landed on top of a newer one.
        #expect(try cli.run(["git", "show", "HEAD:p.prompt"]).stdout == Self.prompt("content 20"))
        // No empty commit, and every commit's content is what its writer read (a content at least as new).
        let commits = try cli.run(["git", "log", "--format=%H %s", "-n", "\(after - before)"]).stdout
            .split(separator: "\n").map { $0.split(separator: " ", maxSplits: 1).map(String.init) }
        var newest = Int.max
        for commit in commits {
            let changed = try cli.run(["git", "diff-tree", "--no-commit-id", "--name-only", "-r", commit[0]]).stdout
            #expect(changed.contains("p.prompt"), "\(commit[1]) is an empty commit")
            let content = try cli.run(["git", "show", "\(commit[0]):p.prompt"]).stdout
            let number = Int(content.split(separator: "\n")[3].dropFirst("content ".count)) ?? -1
            let writer = Int(commit[1].dropFirst("writer ".count)) ?? -1
            #expect(number >= writer, "\(commit[1]) recorded content \(number), older than it was started with")
            #expect(number < newest, "history must move forward: content \(number) after \(newest)")
            newest = number
        }
        #expect(try cli.run(["git", "fsck", "--strict"]).status == 0)
        #expect(try cli.run(["git", "status", "--porcelain"]).stdout.isEmpty)
    }

    // MARK: - Identities (2.1)

    @Test func multiLineAuthorIsRefusedWithOneErrorLine() throws {
        try cli.write("p.prompt", Self.prompt("one"))
        let head = try cli.run(["git", "rev-parse", "HEAD"]).stdout
        let result = try cli.run(["commit", "-m", "v1", "--author", "Multi\nLine <e@x>"])
        #expect(result.status == 7)
        #expect(result.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") }.count == 1)
        #expect(result.stderr.contains("hint:"))
        #expect(try cli.run(["git", "rev-parse", "HEAD"]).stdout == head)
        #expect(try cli.run(["git", "fsck", "--strict"]).status == 0)
        #expect(try cli.run(["commit", "-m", "v1"]).status == 0)
    }

    // MARK: - Stale locks (2.2, 2.4)

    @Test func staleIndexLockIsReportedThenRemovedOnRequest() throws {
        try cli.write("p.prompt", Self.prompt("one"))
        #expect(try cli.run(["commit", "-m", "v1"]).status == 0)
        let head = try cli.run(["git", "rev-parse", "HEAD"]).stdout
        let lock = cli.repo + ".git/index.lock"
        FileManager.default.createFile(atPath: lock, contents: Data())
        try cli.write("p.prompt", Self.prompt("two"))
        let blocked = try cli.run(["commit", "-m", "v2"])
        #expect(blocked.status == 8)
        #expect(blocked.stderr.contains(lock))
        #expect(blocked.stderr.contains("rm '"))
        #expect(try cli.run(["git", "rev-parse", "HEAD"]).stdout == head)
        // The lock is ten minutes old now (as a killed process would leave it).
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -600)], ofItemAtPath: lock)
        let stale = try cli.run(["commit", "-m", "v2"])
        #expect(stale.status == 8)
        #expect(stale.stderr.contains("stale lock"))
        let removed = try cli.run(["commit", "-m", "v2", "--remove-stale-lock"])
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(removed.stderr.contains("removed stale lock \(lock)"))
        // The staging area follows HEAD: a plain git commit of another file does not revert the prompt.
        try cli.write("notes.txt", "x\n")
        #expect(try cli.run(["git", "add", "notes.txt"]).status == 0)
        #expect(try cli.run(["git", "commit", "-qm", "notes"]).status == 0)
        #expect(try cli.run(["git", "show", "HEAD:p.prompt"]).stdout == Self.prompt("two"))
    }

    // MARK: - Shallow clones (2.6)

    @Test func shallowCloneCommandsWorkAndSaySo() throws {
        for line in ["one", "two"] {
            try cli.write("p.prompt", Self.prompt(line))
            #expect(try cli.run(["commit", "-m", line]).status == 0)
        }
        let clone = cli.home + "clone/"
        #expect(try cli.run(["git", "clone", "-q", "--depth", "1", "file://" + cli.repo, clone], in: cli.home).status == 0)
        let log = try cli.run(["log", "p", "--format", "json"], in: clone)
        #expect(log.status == 0, "\(log.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [String: Any]
        #expect(json?["shallow"] as? Bool == true)
        let text = try cli.run(["list"], in: clone)
        #expect(text.status == 0)
        #expect(text.stderr.contains("shallow clone"))
        try Self.prompt("three").write(toFile: clone + "p.prompt", atomically: true, encoding: .utf8)
        let commit = try cli.run(["commit", "-m", "three"], in: clone)
        #expect(commit.status == 0, "\(commit.stderr)")
        #expect(commit.stdout.contains("p v2"))
        #expect(try cli.run(["git", "show", "HEAD:p.prompt"], in: clone).stdout == Self.prompt("three"))
    }
}

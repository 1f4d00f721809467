import Foundation
import PromptLabStats
import PromptLabTestSupport
import Testing

/// Random interleavings of PromptLab commits, plain `git commit`s, `git reset`s
/// and `kill -9` of a committing `promptlab`, after each of which PromptLab's
/// view of history (`log`, `list`) must equal the `git` CLI's, and
/// `git fsck --strict` must pass.
///
/// Reproducible: the seed is printed and taken from `PROMPTLAB_PROPERTY_SEED`;
/// `PROMPTLAB_PROPERTY_STEPS` sets the number of steps (default 12, a few
/// seconds; try 300 for a long run).
@Suite struct HistoryPropertyTests {

    static let prompts = ["alpha", "beta", "team/gamma"]

    @Test func promptLabAndGitAgreeOnHistoryUnderRandomInterleavings() throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["PROMPTLAB_PROPERTY_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64(UInt32.max))
        let steps = environment["PROMPTLAB_PROPERTY_STEPS"].flatMap { Int($0) } ?? 12
        print("HistoryPropertyTests: PROMPTLAB_PROPERTY_SEED=\(seed) PROMPTLAB_PROPERTY_STEPS=\(steps)")
        var random = SplitMix64(seed: seed)  // the same sequence on every platform
        let cli = try CLITests()
        try cli.initialise()
        var counter = 0
        func newContent(_ name: String) -> String {
            counter += 1
            return "---\nmodel: local/x\n---\n\(name) edit \(counter)\n"
        }
        for name in Self.prompts { try cli.write(name + ".prompt", newContent(name)) }
        #expect(try cli.run(["commit", "-m", "start"]).status == 0)

        for step in 0..<steps {
            let context = "seed \(seed), step \(step)"
            let name = Self.prompts[Int.random(in: 0..<Self.prompts.count, using: &random)]
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<4:  // a PromptLab commit
                try cli.write(name + ".prompt", newContent(name))
                let result = try cli.run(["commit", name, "-m", "promptlab \(step)"])
                #expect(result.status == 0, "\(context): promptlab commit: \(result.stderr)")
            case 4..<6:  // a plain git commit
                try cli.write(name + ".prompt", newContent(name))
                #expect(try cli.run(["git", "commit", "-qam", "git \(step)"]).status == 0, "\(context): git commit")
            case 6..<8:  // a reset, hard or mixed, never past the first commit
                let depth =
                    Int(try cli.run(["git", "rev-list", "--count", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
                guard depth > 2 else { continue }
                let back = Int.random(in: 1...min(2, depth - 2), using: &random)
                let mode = Bool.random(using: &random) ? "--hard" : "--mixed"
                #expect(try cli.run(["git", "reset", "-q", mode, "HEAD~\(back)"]).status == 0, "\(context): reset")
            default:  // kill -9 of a committing promptlab at a random moment
                try cli.write(name + ".prompt", newContent(name))
                let process = Process()
                process.executableURL = URL(fileURLWithPath: CLITests.executable)
                process.arguments = ["commit", name, "-m", "killed \(step)"]
                process.currentDirectoryURL = URL(fileURLWithPath: cli.repo)
                process.environment = ["HOME": cli.home, "PATH": "/usr/bin:/bin", "GIT_CONFIG_NOSYSTEM": "1", "PROMPTLAB_DB": ""]
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                // Where the kill lands varies with the machine; the checks below hold wherever it lands.
                usleep(UInt32.random(in: 0...150_000, using: &random))
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                try recoverFromKill(cli, context: context)
            }
            try checkAgreement(cli, context: context)
        }
    }

    /// A kill can leave a git lock file behind. PromptLab must name it (exit 8)
    /// rather than fail vaguely, and remove it once stale (aged here by setting its time).
    func recoverFromKill(_ cli: CLITests, context: String) throws {
        let locks = ["index.lock", "refs/heads/main.lock", "HEAD.lock"].map { cli.repo + ".git/" + $0 }
            .filter { FileManager.default.fileExists(atPath: $0) }
        guard let lock = locks.first else { return }
        try cli.write("alpha.prompt", "---\nmodel: local/x\n---\nafter a kill\n")
        let blocked = try cli.run(["commit", "alpha", "-m", "after a kill"])
        #expect(blocked.status == 8, "\(context): \(blocked.stderr)")
        #expect(blocked.stderr.contains(lock), "\(context): the lock is named by path")
        for path in locks {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: path)
        }
        let removed = try cli.run(["commit", "alpha", "-m", "after a kill", "--remove-stale-lock"])
        #expect([0, 1].contains(removed.status), "\(context): \(removed.stderr)")
    }

    /// PromptLab's versions of every prompt are git's first-parent commits that changed its file,
    /// `list` agrees, no commit is empty, and the repository passes `git fsck --strict`.
    func checkAgreement(_ cli: CLITests, context: String) throws {
        let list = try cli.run(["list", "--format", "json"])
        #expect(list.status == 0, "\(context): list: \(list.stderr)")
        let listed =
            (try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])?["prompts"] as? [[String: Any]] ?? []
        for name in Self.prompts {
            let gitCommits = try cli.run(["git", "log", "--first-parent", "--format=%H", "--", name + ".prompt"]).stdout
                .split(separator: "\n").map(String.init)
            let log = try cli.run(["log", name, "--format", "json"])
            #expect(log.status == 0, "\(context): log \(name): \(log.stderr)")
            let versions =
                (try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [String: Any])?["versions"] as? [[String: Any]] ?? []
            #expect(versions.compactMap { $0["commit"] as? String } == gitCommits, "\(context): versions of \(name)")
            #expect(versions.first?["version"] as? Int == gitCommits.count, "\(context): numbering of \(name)")
            let latest = listed.first { $0["name"] as? String == name }?["latest"] as? [String: Any]
            #expect(latest?["version"] as? Int == gitCommits.count, "\(context): list of \(name)")
        }
        let all = try cli.run(["git", "log", "--format=%H"]).stdout.split(separator: "\n").map(String.init)
        for commit in all.dropLast() {  // the root commit has no parent to differ from
            let changed = try cli.run(["git", "diff-tree", "--no-commit-id", "--name-only", "-r", commit]).stdout
            #expect(!changed.isEmpty, "\(context): \(commit) is an empty commit")
        }
        let fsck = try cli.run(["git", "fsck", "--strict"])
        #expect(fsck.status == 0, "\(context): fsck: \(fsck.stderr)")
    }
}

import Foundation
import GitKit
import PromptLab
import PromptLabCore
import PromptLabTestSupport
import Testing

@testable import PromptFormat
@testable import PromptVersioning

/// Hostile repositories and interrupted writers: what a remote, a second
/// process or a killed process can leave behind must never crash PromptLab,
/// write a commit `git fsck --strict` rejects, or silently lose an edit.
/// Every check reads the result back with the `git` CLI.
@Suite struct VersionControlHardeningTests {
    /// Writes `text` as a raw commit object on top of HEAD (as a remote could
    /// send it) and moves the branch there.
    @discardableResult
    func craftCommit(_ t: TestRepository, authorLine: String, file: String, content: String) throws -> String {
        try t.write(file, content)
        try t.git("add", file)
        let tree = try t.git("write-tree")
        let parent = try t.git("rev-parse", "HEAD")
        let raw = "tree \(tree)\nparent \(parent)\nauthor \(authorLine)\ncommitter \(authorLine)\n\ncrafted\n"
        let objectFile = t.path + ".git/crafted-commit"
        try raw.write(toFile: objectFile, atomically: true, encoding: .utf8)
        let id = try t.git("hash-object", "-t", "commit", "-w", "--literally", objectFile)
        try t.git("update-ref", "refs/heads/main", id)
        return id
    }

    // MARK: - Numbers from git objects (1.8)

    @Test(arguments: [
        "X <x@example.com> -9223372036854775808 +0000", "X <x@example.com> 9223372036854775807 -2359",
        "X <x@example.com> 99999999999999999999 +0000", "X <x@example.com> 0 +99999999", "Broken Ident 5 +0000",
    ])
    func oddAuthorTimesAreClampedNotFatal(authorLine: String) throws {
        let t = try TestRepository()
        defer { t.remove() }
        try t.commit("p", samplePrompt(line: "one"))
        let crafted = try craftCommit(t, authorLine: authorLine, file: "p.prompt", content: samplePrompt(line: "two"))
        let service = PromptService(workspace: try Workspace(at: t.path))
        let log = try service.log(prompt: "p")
        #expect(log.versions.map(\.commit).first == crafted)
        #expect(log.versions.count == 2)
        #expect(try service.list().prompts.first?.latest?.version == 2)
        #expect(try service.repositoryLog().commits.first?.commit == crafted)
        // A commit on top of it is still possible and sound.
        try t.write("p.prompt", samplePrompt(line: "three"))
        let outcome = try service.commit(names: ["p"], message: "after the odd commit")
        #expect(outcome.prompts.first?.version == 3)
        #expect(try t.git("rev-parse", "HEAD~1") == crafted)
    }

    // MARK: - Identities (2.1)

    @Test func identitiesGitRejectsAreRefusedBeforeAnythingIsWritten() throws {
        let t = try TestRepository()
        defer { t.remove() }
        try t.commit("p", samplePrompt(line: "one"))
        let head = try t.git("rev-parse", "HEAD")
        try t.write("p.prompt", samplePrompt(line: "two"))
        let repo = try t.open()
        for author in [
            Signature(name: "Multi\nLine", email: "e@x", time: 0), Signature(name: "A", email: "a>b@x", time: 0),
            Signature(name: "Nul\u{0}", email: "e@x", time: 0), Signature(name: "  ", email: "e@x", time: 0),
        ] {
            let error = #expect(throws: PromptLabError.self) {
                try repo.commit(names: nil, message: "bad author", author: author)
            }
            #expect(error?.kind == .noAuthor)
            #expect(error?.hint?.contains("--author") == true)
        }
        // A newline in user.name (the committer) is refused too.
        try Repository.open(at: t.path).setConfigString("user.name", "Bad\nName")
        let error = #expect(throws: PromptLabError.self) {
            try t.open().commit(names: nil, message: "bad committer", author: TestRepository.author)
        }
        #expect(error?.kind == .noAuthor)
        #expect(error?.hint?.contains("user.name") == true)
        #expect(try t.git("rev-parse", "HEAD") == head)
        #expect(try t.git("diff", "--cached", "--name-only").isEmpty)
        try t.git("fsck", "--strict")
    }

    // MARK: - The staging area (2.2) and stale locks (2.4)

    @Test func staleIndexLockFailsBeforeTheBranchMovesAndCanBeRemoved() throws {
        let t = try TestRepository()
        defer { t.remove() }
        try t.commit("p", samplePrompt(line: "one"))
        let head = try t.git("rev-parse", "HEAD")
        let lockPath = t.path + ".git/index.lock"
        FileManager.default.createFile(atPath: lockPath, contents: Data())
        try t.write("p.prompt", samplePrompt(line: "two"))
        let repo = try t.open()
        let error = #expect(throws: PromptLabError.self) { try repo.commit(names: nil, message: "two", author: nil) }
        #expect(error?.kind == .conflict)
        #expect(error?.message.contains(lockPath) == true)
        #expect(error?.hint?.contains("rm '\(lockPath)'") == true)
        #expect(try t.git("rev-parse", "HEAD") == head, "the branch must not move when the staging area cannot follow")

        // Young locks are kept even when asked to remove stale ones.
        let young = #expect(throws: PromptLabError.self) {
            try repo.commit(names: nil, message: "two", author: nil, removeStaleLocks: true)
        }
        #expect(young?.kind == .conflict)
        #expect(FileManager.default.fileExists(atPath: lockPath))

        // Six minutes later (by the injected clock) nobody has it open: stale, removed, and the commit lands staged.
        let written = try #require(try FileManager.default.attributesOfItem(atPath: lockPath)[.modificationDate] as? Date)
        repo.now = { written.addingTimeInterval(GitLock.staleAfter + 60) }
        let stale = #expect(throws: PromptLabError.self) { try repo.commit(names: nil, message: "two", author: nil) }
        #expect(stale?.message.contains("stale lock") == true)
        let result = try #require(try repo.commit(names: nil, message: "two", author: nil, removeStaleLocks: true))
        #expect(result.removedLocks == [lockPath])
        #expect(try t.git("rev-parse", "HEAD") == result.commit.hex)
        #expect(try t.git("diff", "--cached", "--name-only").isEmpty, "the staging area matches the new HEAD")
        #expect(try t.git("status", "--porcelain").isEmpty)
    }

    @Test func staleBranchLockIsReportedByPathNotRetriedForever() throws {
        let t = try TestRepository()
        defer { t.remove() }
        try t.commit("p", samplePrompt(line: "one"))
        let head = try t.git("rev-parse", "HEAD")
        let lockPath = t.path + ".git/refs/heads/main.lock"
        FileManager.default.createFile(atPath: lockPath, contents: Data())
        try t.write("p.prompt", samplePrompt(line: "two"))
        let repo = try t.open()
        let written = try #require(try FileManager.default.attributesOfItem(atPath: lockPath)[.modificationDate] as? Date)
        repo.now = { written.addingTimeInterval(GitLock.staleAfter + 1) }
        let error = #expect(throws: PromptLabError.self) { try repo.commit(names: nil, message: "two", author: nil) }
        #expect(error?.kind == .conflict)
        #expect(error?.message.contains("stale lock blocks the commit: '\(lockPath)'") == true)
        #expect(error?.hint?.contains("--remove-stale-lock") == true)
        #expect(error?.hint?.contains("run the same command again") == false)
        #expect(try t.git("rev-parse", "HEAD") == head)
        #expect(try t.git("diff", "--cached", "--name-only").isEmpty, "a failed commit leaves the staging area as it was")
        _ = try #require(try repo.commit(names: nil, message: "two", author: nil, removeStaleLocks: true))
        #expect(try t.git("show", "HEAD:p.prompt").contains("two"))
        try t.git("fsck", "--strict")
    }

    @Test func statusNoticesAndRepairsAStaleStagingArea() throws {
        let t = try TestRepository()
        defer { t.remove() }
        try t.commit("p", samplePrompt(line: "one"))
        let oldBlob = try t.git("rev-parse", "HEAD:p.prompt")
        try t.commit("p", samplePrompt(line: "two"))
        // What an interrupted restaging leaves: the old blob staged, the working file at HEAD.
        try t.git("update-index", "--cacheinfo", "100644,\(oldBlob),p.prompt")
        let service = PromptService(workspace: try Workspace(at: t.path))
        #expect(try service.status().staleStaged == ["p"])
        let repaired = try service.status(repairStaging: true)
        #expect(repaired.repaired == ["p"])
        #expect(repaired.staleStaged.isEmpty)
        #expect(try t.git("diff", "--cached", "--name-only").isEmpty)
        // A plain git commit now records nothing rather than reverting the prompt.
        #expect(try t.git("status", "--porcelain").isEmpty)
    }

    // MARK: - Links and modes (2.5)

    @Test func symbolicLinksAreRefusedAndReportedByStatus() throws {
        let t = try TestRepository()
        defer { t.remove() }
        try t.commit("p", samplePrompt(line: "one"))
        let outside = TestFolders.root + "outside-\(UUID().uuidString)/"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try samplePrompt(line: "SECRET from outside").write(toFile: outside + "x.prompt", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: t.path + "linked.prompt", withDestinationPath: outside + "x.prompt")
        try FileManager.default.createSymbolicLink(atPath: t.path + "folder", withDestinationPath: outside)
        let head = try t.git("rev-parse", "HEAD")
        let repo = try t.open()
        for name in ["linked", "folder/x"] {
            let error = #expect(throws: PromptLabError.self) {
                try repo.commit(names: [try PromptName(name)], message: "link", author: nil)
            }
            #expect(error?.kind == .invalidInput)
        }
        let everything = #expect(throws: PromptLabError.self) { try repo.commit(names: nil, message: "all", author: nil) }
        #expect(everything?.message.contains("symbolic link") == true)
        #expect(try t.git("rev-parse", "HEAD") == head)
        let status = try PromptService(workspace: try Workspace(at: t.path)).status()
        #expect(status.changes.first { $0.name == "linked" }?.status == "invalid")
        #expect(try !t.git("log", "-p", "--all").contains("SECRET"))
    }

    @Test func executableBitsArePreserved() throws {
        let t = try TestRepository()
        defer { t.remove() }
        try t.write("run.prompt", samplePrompt(line: "one"))
        chmod(t.path + "run.prompt", 0o755)
        try t.git("add", "run.prompt")
        try t.git("commit", "-qm", "executable prompt")
        try t.write("run.prompt", samplePrompt(line: "two"))
        chmod(t.path + "run.prompt", 0o755)
        try t.write("new.prompt", samplePrompt(line: "new"))
        chmod(t.path + "new.prompt", 0o755)
        _ = try t.open().commit(names: nil, message: "edit", author: nil)
        #expect(try t.git("ls-tree", "HEAD", "run.prompt").hasPrefix("100755"))
        #expect(try t.git("ls-tree", "HEAD", "new.prompt").hasPrefix("100755"))
        #expect(try t.git("status", "--porcelain").isEmpty)
    }

    // MARK: - Shallow clones (2.6)

    @Test func shallowClonesWorkAndSayTheirHistoryIsCut() throws {
        let t = try TestRepository()
        defer { t.remove() }
        for line in ["one", "two", "three"] { try t.commit("p", samplePrompt(line: line)) }
        let clone = TestFolders.root + "promptlab-shallow-\(UUID().uuidString)/"
        try runGit(["clone", "-q", "--depth", "1", "file://" + t.path, clone], in: TestFolders.root)
        try runGit(["config", "user.name", "Clone User"], in: clone)
        try runGit(["config", "user.email", "clone@example.com"], in: clone)
        let service = PromptService(workspace: try Workspace(at: clone))
        let log = try service.log(prompt: "p")
        #expect(log.shallow)
        #expect(log.versions.count == 1)
        #expect(try service.list().shallow)
        #expect(try service.repositoryLog().commits.count == 1)
        #expect(try service.show("p").content.contains("three"))
        try samplePrompt(line: "four").write(toFile: clone + "p.prompt", atomically: true, encoding: .utf8)
        let outcome = try service.commit(names: ["p"], message: "in the clone")
        #expect(outcome.warning == nil)
        #expect(outcome.prompts.first?.version == 2)
        #expect(try runGit(["rev-parse", "HEAD"], in: clone) == outcome.commit)
        try runGit(["fsck", "--strict"], in: clone)
    }

    // MARK: - Merge conflicts (2.7)

    @Test func filesWithUnresolvedConflictsAreRefused() throws {
        let t = try TestRepository()
        defer { t.remove() }
        try t.commit("p", samplePrompt(line: "base"))
        try t.git("checkout", "-qb", "feature")
        try t.commit("p", samplePrompt(line: "feature side"))
        try t.git("checkout", "-q", "main")
        try t.commit("p", samplePrompt(line: "main side"))
        #expect(throws: PromptLabError.self) { try t.git("merge", "-q", "feature") }
        #expect(try t.read("p.prompt").contains("<<<<<<<"))
        let head = try t.git("rev-parse", "HEAD")
        let error = #expect(throws: PromptLabError.self) {
            try t.open().commit(names: [try PromptName("p")], message: "markers", author: nil, verify: false)
        }
        #expect(error?.kind == .invalidInput)
        #expect(error?.message.contains("unresolved merge conflicts") == true)
        #expect(error?.hint?.contains("git add 'p.prompt'") == true)
        #expect(try t.git("rev-parse", "HEAD") == head)
        #expect(try !t.git("ls-files", "-u").isEmpty, "the conflict is still marked unresolved")
    }

    // MARK: - Limits (3)

    @Test func initOnABareRepositoryWritesNothing() throws {
        _ = TestRepository.isolation
        let bare = TestFolders.root + "promptlab-bare-\(UUID().uuidString).git/"
        try runGit(["init", "-q", "--bare", bare], in: TestFolders.root)
        let before = try FileManager.default.subpathsOfDirectory(atPath: bare).sorted()
        for target in [bare, bare + "sub/folder"] {
            let error = #expect(throws: PromptLabError.self) { try PromptRepository.initialize(at: target, author: nil) }
            #expect(error?.kind == .notARepository)
            #expect(error?.message.contains("bare repository") == true)
        }
        #expect(try FileManager.default.subpathsOfDirectory(atPath: bare).sorted() == before)
    }

    @Test func statusReportsAnOversizedFileAndEverythingElse() throws {
        let t = try TestRepository()
        defer { t.remove() }
        try t.commit("p", samplePrompt(line: "one"))
        try t.write("p.prompt", samplePrompt(line: "two"))
        try t.write("huge.prompt", samplePrompt(line: String(repeating: "x", count: PromptFile.maximumSize + 1)))
        let status = try PromptService(workspace: try Workspace(at: t.path)).status()
        #expect(status.changes.map(\.name) == ["huge", "p"])
        #expect(status.changes[0].status == "invalid")
        #expect(status.changes[0].problem?.contains("1 MiB") == true)
        #expect(status.changes[1].status == "modified")
    }

    @Test(arguments: ["my prompt", "a..b", "what?", "x~1", "folder.lock/p"])
    func namesThatCannotBeLabelledAreRefusedAtCommitForTheSameReason(name: String) throws {
        let t = try TestRepository()
        defer { t.remove() }
        try t.write(name + ".prompt", samplePrompt())
        let prompt = try PromptName(name)
        let error = #expect(throws: PromptLabError.self) {
            try t.open().commit(names: [prompt], message: "odd name", author: nil)
        }
        #expect(error?.kind == .invalidInput)
        #expect(error?.message.contains("labels are git references") == true)
        // Committed anyway by plain git, the label command gives the same reason.
        try t.git("add", name + ".prompt")
        try t.git("commit", "-qm", "by git")
        let label = #expect(throws: PromptLabError.self) {
            try t.open().setLabel("production", to: PromptReference(name: prompt, selector: .latest))
        }
        #expect(label?.message == error?.message)
    }
}

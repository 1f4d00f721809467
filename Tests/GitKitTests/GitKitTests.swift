import Foundation
import PromptLabTestSupport
import Testing

@testable import GitKit

/// Runs the git CLI in `directory` and returns its trimmed stdout.
@discardableResult
func gitCLI(_ arguments: [String], in directory: String) throws -> String {
    try GitCLI.run(arguments, in: directory)
}

func temporaryDirectory() -> String {
    let path = TestFolders.root + "gitkit-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)  // temp dir is writable.
    return path
}

struct GitKitTests {
    let author = Signature(name: "Test Author", email: "author@example.com", time: 1_700_000_000, offsetMinutes: 60)

    @Test func writesObjectsThatStockGitReads() throws {
        let path = temporaryDirectory()
        let repo = try Repository.create(at: path)
        let blob = try repo.writeBlob(Array("hello\n".utf8))
        #expect(blob.hex == (try Repository.blobID(for: Array("hello\n".utf8))).hex)
        #expect(blob.hex == "ce013625030ba8dba906f756967f9e9ca394464a")  // git hash-object of "hello\n"
        let tree = try repo.writeTree(base: nil, changes: ["dir/a.txt": blob])
        let commit = try repo.writeCommit(tree: tree, parents: [], author: author, committer: author, message: "First\n")
        try repo.updateReference("refs/heads/main", to: commit, expecting: nil, message: "commit (initial): First")

        #expect(try gitCLI(["cat-file", "-p", "HEAD:dir/a.txt"], in: path) == "hello")
        #expect(try gitCLI(["log", "--format=%an <%ae> %s"], in: path) == "Test Author <author@example.com> First")
        try gitCLI(["fsck", "--strict"], in: path)

        let info = try repo.commit(commit)
        #expect(info.summary == "First")
        #expect(info.author == author)
        #expect(info.parents.isEmpty)
        #expect(try repo.head() == .branch("refs/heads/main", commit: commit))
    }

    @Test func referenceUpdatesAreCompareAndSwap() throws {
        let repo = try Repository.create(at: temporaryDirectory())
        let tree = try repo.writeTree(base: nil, changes: ["a": try repo.writeBlob([1])])
        let first = try repo.writeCommit(tree: tree, parents: [], author: author, committer: author, message: "1")
        let second = try repo.writeCommit(tree: tree, parents: [first], author: author, committer: author, message: "2")
        try repo.updateReference("refs/heads/main", to: first, expecting: nil, message: "one")
        // A writer that still expects "no branch" must not overwrite it.
        #expect(throws: GitError.self) {
            try repo.updateReference("refs/heads/main", to: second, expecting: nil, message: "stale")
        }
        // A writer that expects the wrong commit fails with `modified`.
        let error = #expect(throws: GitError.self) {
            try repo.updateReference("refs/heads/main", to: second, expecting: second, message: "stale")
        }
        #expect(error?.code == .modified)
        try repo.updateReference("refs/heads/main", to: second, expecting: first, message: "two")
        #expect(try repo.referenceTarget("refs/heads/main") == second)
    }

    @Test func changedFilesSkipsEqualSubtreesAndHonoursPrefix() throws {
        let repo = try Repository.create(at: temporaryDirectory())
        let a = try repo.writeBlob(Array("a".utf8))
        let b = try repo.writeBlob(Array("b".utf8))
        let before = try repo.writeTree(base: nil, changes: ["p/x.prompt": a, "p/y.prompt": a, "q/z.prompt": a, "p/n.txt": a])
        let after = try repo.writeTree(base: before, changes: ["p/x.prompt": b, "p/y.prompt": nil, "p/new.prompt": a, "q/z.prompt": b])
        let changes = try repo.changedFiles(from: before, to: after, under: "p/", include: { $0.hasSuffix(".prompt") })
        #expect(
            Set(changes) == [
                TreeChange(path: "p/x.prompt", oldBlob: a, newBlob: b),
                TreeChange(path: "p/y.prompt", oldBlob: a, newBlob: nil),
                TreeChange(path: "p/new.prompt", oldBlob: nil, newBlob: a),
            ])
        #expect(try repo.changedFiles(from: nil, to: after).count == 4)
    }

    @Test func unifiedPatchMatchesGitFormat() throws {
        let patch = try Patch.unified(
            old: Array("one\ntwo\nthree\n".utf8), new: Array("one\n2\nthree\n".utf8), oldPath: "f", newPath: "f")
        #expect(patch.contains("@@ -1,3 +1,3 @@"))
        #expect(patch.contains("-two\n+2\n"))
        #expect(try Patch.unified(old: [1], new: [1], oldPath: "f", newPath: "f") == "")
    }

    @Test func objectIDParsesOnlyFullHex() {
        #expect(ObjectID(hex: "ce013625030ba8dba906f756967f9e9ca394464a")?.short() == "ce01362")
        #expect(ObjectID(hex: "ce01") == nil)
        #expect(ObjectID(hex: String(repeating: "g", count: 40)) == nil)
    }

    @Test func referenceNameValidation() {
        #expect(Repository.isValidReferenceName("refs/promptlab/labels/a.prompt/production"))
        #expect(!Repository.isValidReferenceName("refs/promptlab/labels/a..b"))
        #expect(!Repository.isValidReferenceName("refs/heads/x.lock"))
    }

    @Test func lenientIdentityParsingClampsNumbers() {
        let signature = Array("A <a@x> 99999999999999999999 +9999".utf8).withUnsafeBytes { Signature(identityLine: $0) }
        #expect(signature.name == "A")
        #expect(signature.email == "a@x")
        #expect(signature.time == Int64.max)
        #expect(signature.offsetMinutes == 99 * 60 + 59)
        #expect(Signature.clampedInteger(Array("-99999999999999999999".utf8)) == Int64.min)
        #expect(Signature.clampedInteger(Array("-9223372036854775808".utf8)) == Int64.min)
        let broken = Array("no email here".utf8).withUnsafeBytes { Signature(identityLine: $0) }
        #expect(broken.time == 0)
    }

    @Test func identitiesGitWouldRejectAreNamed() {
        #expect(Signature(name: "Ada", email: "ada@example.com", time: 0).identityProblem == nil)
        #expect(Signature(name: "Multi\nLine", email: "e@x", time: 0).identityProblem != nil)
        #expect(Signature(name: "A", email: "a<b", time: 0).identityProblem != nil)
        #expect(Signature(name: " ", email: "e@x", time: 0).identityProblem != nil)
    }
}

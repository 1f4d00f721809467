import Foundation
import GitKit
import PromptLab
import PromptLabCore
import PromptLabTestSupport
import Testing

@testable import PromptExperiments
@testable import PromptFormat
@testable import PromptVersioning

@Suite struct RepositoryTests {
    @Test func versionsFollowFirstParentHistory() throws {
        let t = try TestRepository()
        #expect(try t.commit("support/triage", samplePrompt(temperature: 0.1), message: "first") == 1)
        try t.commit("other", samplePrompt(), message: "unrelated")
        #expect(try t.commit("support/triage", samplePrompt(temperature: 0.5), message: "second") == 2)
        let repo = try t.open()
        let history = try repo.history(of: try PromptName("support/triage"))
        #expect(history.versions.map(\.summary) == ["first", "second"])
        #expect(history.versions.map(\.authorName) == ["Ada Tester", "Ada Tester"])
        // git agrees on which commits touched the file.
        let gitCommits = try t.git("log", "--format=%H", "--", "support/triage.prompt").split(separator: "\n").map(String.init)
        #expect(gitCommits == history.versions.reversed().map(\.commit.hex))
        try t.git("fsck", "--strict")
        #expect(try t.git("status", "--porcelain") == "")
    }

    @Test func resolvesEveryReferenceForm() throws {
        let t = try TestRepository()
        try t.commit("p", samplePrompt(line: "one"))
        try t.commit("p", samplePrompt(line: "two"))
        try t.write("p.prompt", samplePrompt(line: "three"))
        let repo = try t.open()
        let name = try PromptName("p")
        func text(_ ref: String) throws -> String {
            String(decoding: try repo.resolve(try PromptReference(parsing: ref)).bytes, as: UTF8.self)
        }
        #expect(try text("p@v1").contains("one"))
        #expect(try text("p").contains("two"))
        #expect(try text("p@working").contains("three"))
        let v1 = try repo.history(of: name).versions[0].commit
        #expect(try text("p@\(v1.hex.prefix(4))").contains("one"))
        #expect(try repo.resolve(try PromptReference(parsing: "p@\(v1.hex.prefix(7))")).number == 1)
        try repo.setLabel("production", to: try PromptReference(parsing: "p@v1"))
        #expect(try text("p@production").contains("one"))
    }

    @Test func unknownReferencesAreNotFound() throws {
        let t = try TestRepository()
        try t.commit("p", samplePrompt())
        let repo = try t.open()
        for ref in ["p@v2", "p@nosuchlabel", "p@abcdef12", "missing", "missing@v1"] {
            #expect(throws: PromptLabError.self) { try repo.resolve(try PromptReference(parsing: ref)) }
            do {
                _ = try repo.resolve(try PromptReference(parsing: ref))
            } catch {
                #expect(error.kind == .notFound, "\(ref): \(error.message)")
            }
        }
        do {
            _ = try repo.resolve(try PromptReference(parsing: "p@v9"))
        } catch {
            #expect(error.message == "prompt 'p' has no version v9 (latest is v1)")
        }
    }

    @Test func gitCommitsAppearAsVersionsAndViceVersa() throws {
        let t = try TestRepository()
        try t.commit("p", samplePrompt(line: "by promptlab"))
        try t.write("p.prompt", samplePrompt(line: "by git"))
        try t.git("commit", "-qam", "edited with plain git")
        let repo = try t.open()
        let history = try repo.history(of: try PromptName("p"))
        #expect(history.versions.count == 2)
        #expect(history.versions[1].summary == "edited with plain git")
        #expect(history.versions[1].authorName == "Git User")
        #expect(try t.git("show", "HEAD~1:p.prompt").contains("by promptlab"))
    }

    @Test func staleIndexAfterHistoryRewriteIsRebuilt() throws {
        let t = try TestRepository()
        try t.commit("p", samplePrompt(line: "one"))
        try t.commit("p", samplePrompt(line: "two"))
        #expect(try t.open().history(of: try PromptName("p")).versions.count == 2)  // index now covers 2 versions
        try t.git("reset", "-q", "--hard", "HEAD~1")
        try t.write("p.prompt", samplePrompt(line: "rewritten"))
        try t.git("commit", "-qam", "rewritten second")
        let repo = try t.open()
        let versions = try repo.history(of: try PromptName("p")).versions
        #expect(versions.map(\.summary) == ["edit", "rewritten second"])
        #expect(String(decoding: try repo.resolve(try PromptReference(parsing: "p@v2")).bytes, as: UTF8.self).contains("rewritten"))
    }

    @Test func commitRefusesInvalidFilesAndWritesNothing() throws {
        let t = try TestRepository()
        try t.commit("good", samplePrompt())
        let head = try t.git("rev-parse", "HEAD")
        try t.write("good.prompt", samplePrompt(line: "changed"))
        try t.write("bad.prompt", "---\nconfig:\n  temperature: hot\n---\nx\n")
        do {
            _ = try t.open().commit(names: nil, message: "both", author: nil)
            Issue.record("expected the invalid file to be refused")
        } catch let error as PromptLabError {
            #expect(error.kind == .invalidInput)
            #expect(error.message == "bad.prompt:3:16: 'config.temperature' must be a number")
        }
        #expect(try t.git("rev-parse", "HEAD") == head)
    }

    @Test func statusReportsNewModifiedDeleted() throws {
        let t = try TestRepository()
        try t.commit("a", samplePrompt())
        try t.commit("b", samplePrompt())
        try t.write("a.prompt", samplePrompt(line: "x"))
        try FileManager.default.removeItem(atPath: t.path + "b.prompt")
        try t.write("dir/c.prompt", samplePrompt())
        let status = try t.open().status().map { "\($0.kind.rawValue) \($0.name)" }
        #expect(status == ["modified a", "deleted b", "new dir/c"])
        let result = try t.open().commit(names: nil, message: "all", author: nil)
        #expect(result?.prompts.map { "\($0.name) \($0.version.map(String.init) ?? "-")" } == ["a 2", "b -", "dir/c 1"])
        #expect(try t.open().status().isEmpty)
        #expect(try t.git("status", "--porcelain") == "")
    }

    @Test func noAuthorIsAClearError() throws {
        let t = try TestRepository(configureAuthor: false)
        try t.write("p.prompt", samplePrompt())
        do {
            _ = try t.open().commit(names: nil, message: "m", author: nil)
            Issue.record("expected noAuthor")
        } catch let error as PromptLabError {
            #expect(error.kind == .noAuthor)
            #expect(error.exitCode == 7)
        }
        let explicit = Signature(name: "Explicit", email: "e@example.com", time: 0)
        let result = try t.open().commit(names: nil, message: "m", author: explicit)
        #expect(result != nil)
        #expect(try t.git("log", "-1", "--format=%an <%ae>") == "Explicit <e@example.com>")
    }

    @Test func labelsAreGitRefsWithReflog() throws {
        let t = try TestRepository()
        try t.commit("support/triage", samplePrompt(line: "one"))
        try t.commit("support/triage", samplePrompt(line: "two"))
        let repo = try t.open()
        try repo.setLabel("production", to: try PromptReference(parsing: "support/triage@v1"))
        try repo.setLabel("production", to: try PromptReference(parsing: "support/triage@v2"))
        let refs = try t.git("for-each-ref", "--format=%(refname)", "refs/promptlab")
        #expect(refs == "refs/promptlab/labels/support/triage.prompt/production")
        let reflog = try t.git("reflog", "show", "--format=%gs", "refs/promptlab/labels/support/triage.prompt/production")
        #expect(reflog.split(separator: "\n").count == 2)
        #expect(reflog.contains("v2"))
        let labels = try repo.labels()
        #expect(labels.map { "\($0.prompt) \($0.label) v\($0.version ?? 0)" } == ["support/triage production v2"])
        _ = try repo.deleteLabel("production", of: try PromptName("support/triage"))
        #expect(try repo.labels().isEmpty)
        for bad in ["v3", "working", "has space", "-x", "abcd1234", "a..b", "x.lock"] {
            #expect(throws: PromptLabError.self) { try repo.setLabel(bad, to: try PromptReference(parsing: "support/triage@v1")) }
        }
    }

    @Test func rollbackMakesANewCommitAndMovesLabel() throws {
        let t = try TestRepository()
        try t.commit("p", samplePrompt(line: "good"))
        try t.commit("p", samplePrompt(line: "bad"))
        let repo = try t.open()
        let result = try repo.rollback(try PromptName("p"), to: try PromptReference(parsing: "p@v1"), label: "production", author: nil)
        #expect(result.commit.prompts.first?.version == 3)
        #expect(try t.read("p.prompt").contains("good"))
        let message = try t.git("log", "-1", "--format=%B")
        #expect(message.hasPrefix("Roll back p to v1"))
        #expect(message.contains("PromptLab-Rollback-From: v2"))
        #expect(message.contains("PromptLab-Rollback-To: v1"))
        #expect(try t.git("rev-list", "--count", "HEAD") == "4")  // init + 2 edits + rollback
        #expect(try repo.labels().first?.version == 3)
        try t.git("fsck", "--strict")
        #expect(try t.git("status", "--porcelain") == "")
    }

    @Test func rollbackRefusesToOverwriteUncommittedEdits() throws {
        let t = try TestRepository()
        try t.commit("p", samplePrompt(line: "one"))
        try t.commit("p", samplePrompt(line: "two"))
        try t.write("p.prompt", samplePrompt(line: "draft"))
        let head = try t.git("rev-parse", "HEAD")
        do {
            _ = try t.open().rollback(try PromptName("p"), to: try PromptReference(parsing: "p@v1"), label: nil, author: nil)
            Issue.record("expected wouldLoseWork")
        } catch let error as PromptLabError {
            #expect(error.kind == .wouldLoseWork)
        }
        #expect(try t.read("p.prompt").contains("draft"))
        #expect(try t.git("rev-parse", "HEAD") == head)
    }

    @Test func concurrentCommitsBothLand() async throws {
        let t = try TestRepository()
        try t.commit("seed", samplePrompt())
        let writers = 6
        for i in 0..<writers { try t.write("p\(i).prompt", samplePrompt(line: "writer \(i)")) }
        let path = t.path
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<writers {
                group.addTask {
                    let repo = try PromptRepository.open(at: path)
                    _ = try repo.commit(names: [try PromptName("p\(i)")], message: "writer \(i)", author: nil)
                }
            }
            try await group.waitForAll()
        }
        let subjects = try t.git("log", "--format=%s").split(separator: "\n")
        for i in 0..<writers { #expect(subjects.contains(Substring("writer \(i)"))) }
        try t.git("fsck", "--strict")
        for i in 0..<writers { #expect(try t.git("show", "HEAD:p\(i).prompt").contains("writer \(i)")) }
    }

    @Test func promptsInASubfolderOfAnApplicationRepository() throws {
        _ = TestRepository.isolation
        let app = TestFolders.root + "promptlab-app-\(UUID().uuidString)/"
        try FileManager.default.createDirectory(atPath: app + "src", withIntermediateDirectories: true)
        try runGit(["init", "-q", "-b", "main"], in: app)
        try "print(1)\n".write(toFile: app + "src/app.py", atomically: true, encoding: .utf8)
        try runGit(["add", "."], in: app)
        try runGit(["commit", "-qm", "app"], in: app)
        let result = try PromptRepository.initialize(at: app + "prompts", author: nil)
        #expect(!result.createdRepository)
        try samplePrompt().write(toFile: app + "prompts/greet.prompt", atomically: true, encoding: .utf8)
        let repo = try PromptRepository.open(at: app + "prompts")
        #expect(repo.rootPrefix == "prompts/")
        let commit = try repo.commit(names: nil, message: "add greet", author: TestRepository.author)
        #expect(commit?.prompts.map(\.name.rawValue).contains("greet") == true)
        #expect(try runGit(["show", "HEAD:prompts/greet.prompt"], in: app).contains("Classify"))
        #expect(try runGit(["show", "HEAD:src/app.py"], in: app) == "print(1)")
        #expect(try PromptRepository.open(at: app + "prompts").history(of: try PromptName("greet")).versions.count == 1)
    }

    /// In an application's repository with prompts in `prompts/`, a prompt has
    /// one name from every folder, and an experiment finds the prompt root from
    /// its own location.
    @Test func promptNamesDoNotDependOnTheWorkingDirectory() throws {
        _ = TestRepository.isolation
        let app = TestFolders.root + "promptlab-app-\(UUID().uuidString)/"
        defer { try? FileManager.default.removeItem(atPath: app) }
        for folder in ["src", "prompts/sub", "experiments"] {
            try FileManager.default.createDirectory(atPath: app + folder, withIntermediateDirectories: true)
        }
        try runGit(["init", "-q", "-b", "main"], in: app)
        try "print(1)\n".write(toFile: app + "src/app.py", atomically: true, encoding: .utf8)
        try runGit(["add", "."], in: app)
        try runGit(["commit", "-qm", "app"], in: app)
        _ = try PromptRepository.initialize(at: app + "prompts", author: nil)
        try samplePrompt().write(toFile: app + "prompts/greet.prompt", atomically: true, encoding: .utf8)
        // Committed from the top of the repository, before promptlab.yaml is tracked.
        let fromTop = try PromptRepository.open(at: app)
        #expect(fromTop.rootPrefix == "prompts/")
        let commit = try fromTop.commit(names: nil, message: "add greet", author: TestRepository.author)
        #expect(commit?.prompts.map(\.name.rawValue) == ["greet"])
        #expect(try runGit(["show", "HEAD:prompts/greet.prompt"], in: app).contains("Classify"))
        for folder in ["", "src/", "prompts/", "prompts/sub/", "experiments/"] {
            let repo = try PromptRepository.open(at: app + folder)
            #expect(repo.rootPrefix == "prompts/", "from \(folder)")
            #expect(try repo.history(of: try PromptName("greet")).versions.count == 1, "from \(folder)")
        }

        // An experiment beside the prompt root, read from anywhere.
        try """
        name: e
        control: a
        model: local/baseline
        variants: {a: greet@v1, b: greet}
        cases:
          - {id: c1, ticket: "parcel lost"}
        """.write(toFile: app + "experiments/e.yaml", atomically: true, encoding: .utf8)
        let experiment = try ExperimentDefinition.load(path: app + "experiments/e.yaml")
        let repo = try PromptRepository.open(forFileAt: app + "experiments/e.yaml", otherwise: TestFolders.root)
        #expect(repo.rootPrefix == "prompts/")
        let plan = try ExperimentPlan.build(experiment, repository: repo)
        #expect(plan.variants.map(\.version.number) == [1, 1])

        // A fresh clone knows nothing of the adoption: the tracked promptlab.yaml marks the root.
        try runGit(["add", "prompts"], in: app)
        try runGit(["commit", "-qm", "track the prompt root"], in: app)
        let clone = TestFolders.root + "promptlab-clone-\(UUID().uuidString)/"
        defer { try? FileManager.default.removeItem(atPath: clone) }
        try runGit(["clone", "-q", app, clone], in: TestFolders.root)
        #expect(try PromptRepository.open(at: clone).rootPrefix == "prompts/")
        #expect(try PromptRepository.open(at: clone + "src").history(of: try PromptName("greet")).versions.count == 1)

        // With two prompt roots, a command started outside both must say which it means.
        _ = try PromptRepository.initialize(at: app + "more", author: nil)
        #expect(try PromptRepository.open(at: app + "more").rootPrefix == "more/")
        do {
            _ = try PromptRepository.open(at: app + "src")
            Issue.record("expected an ambiguous prompt root to be refused")
        } catch {
            #expect(error.kind == .notARepository)
            #expect(error.message.contains("more/, prompts/"), "\(error.message)")
        }
    }

    /// A committed change to a partial is a new version of every prompt that
    /// includes it, directly or not: `render` uses it, the version has its own
    /// number and template hash, and `diff` shows the partial's change.
    @Test func partialChangesAreVersionsOfTheirIncluders() throws {
        let t = try TestRepository()
        defer { t.remove() }
        let intent = """
            ---
            input:
              schema:
                text: string
            ---
            {{role "system"}}
            Classify the message.
            {{> shared/style}}
            {{role "user"}}
            {{text}}

            """
        try t.commit("shared/style", "Answer briefly.\n", message: "style")
        try t.commit("inbox/intent", intent, message: "intent")
        try t.commit("other", samplePrompt(), message: "unrelated")
        try t.commit("shared/style", "Answer in one word.\n", message: "terser style")
        let name = try PromptName("inbox/intent")
        var repo = try t.open()
        var history = try repo.history(of: name)
        #expect(history.versions.map(\.summary) == ["intent", "terser style"])
        #expect(history.versions.map { $0.changedPartials.map(\.rawValue) } == [[], ["shared/style"]])

        func render(_ reference: String) throws -> String {
            let version = try repo.resolve(try PromptReference(parsing: reference))
            return try repo.render(version, variables: ["text": "hi"]).messages[0].content
        }
        #expect(try render("inbox/intent") == "\nClassify the message.\nAnswer in one word.\n")
        #expect(try render("inbox/intent@v1") == "\nClassify the message.\nAnswer briefly.\n")
        let head = try t.git("rev-parse", "HEAD")
        let atHead = try repo.resolve(try PromptReference(parsing: "inbox/intent@\(head.prefix(8))"))
        #expect(atHead.number == 2)
        let v1 = try repo.resolve(try PromptReference(parsing: "inbox/intent@v1"))
        let unrelated = try t.git("rev-parse", "HEAD~1")
        #expect(try repo.resolve(try PromptReference(parsing: "inbox/intent@\(unrelated.prefix(8))")).number == 1)

        let hashes = try [v1, atHead].map { try repo.templateClosure(of: $0).hash }
        #expect(hashes[0] != hashes[1])
        #expect(hashes.allSatisfy { $0.count == 64 && $0.allSatisfy(\.isHexDigit) })

        let diff = try repo.diff(v1, atHead, wordLevel: true)
        #expect(!diff.isEmpty)
        #expect(diff.unified.isEmpty)
        #expect(diff.partialChanges.map(\.name.rawValue) == ["shared/style"])
        #expect(diff.partialChanges.first?.unified.contains("+Answer in one word.") == true)
        #expect(
            diff.partialChanges.first?.words?.contains { if case .removed(let s) = $0 { s.hasPrefix("briefly.") } else { false } } == true)

        // Transitively: style now includes shared/base, whose later change is a version of both.
        try t.commit("shared/base", "Be polite.\n", message: "base")
        try t.commit("shared/style", "Answer in one word.\n{{> shared/base}}\n", message: "style includes base")
        try t.commit("shared/base", "Be very polite.\n", message: "politer base")
        repo = try t.open()
        history = try repo.history(of: name)
        #expect(history.versions.map(\.summary) == ["intent", "terser style", "style includes base", "politer base"])
        #expect(history.versions.last?.changedPartials.map(\.rawValue) == ["shared/base"])
        #expect(try repo.history(of: try PromptName("shared/style")).versions.count == 4)
        #expect(try render("inbox/intent").hasSuffix("Be very polite.\n"))

        // Deleting a partial changes what its includers render.
        try FileManager.default.removeItem(atPath: t.path + "shared/base.prompt")
        _ = try t.open().commit(names: [try PromptName("shared/base")], message: "drop base", author: nil)
        repo = try t.open()
        #expect(try repo.history(of: name).versions.last?.summary == "drop base")

        // Rolling the file back cannot undo a partial's change: say which partial to roll back.
        do {
            _ = try repo.rollback(name, to: try PromptReference(parsing: "inbox/intent@v4"), label: nil, author: nil)
            Issue.record("expected a partial-only rollback to be refused")
        } catch {
            #expect(error.kind == .invalidInput)
            #expect(error.message.hasSuffix("they differ only in the partials it includes (shared/base)"), "\(error.message)")
        }

        // Built incrementally or from scratch, the index agrees.
        let incremental = try repo.history(of: name).versions
        try FileManager.default.removeItem(atPath: t.path + ".git/promptlab/versions")
        #expect(try t.open().history(of: name).versions == incremental)
        try t.git("fsck", "--strict")
    }

    /// `commit` refuses bodies that would only fail at `render` or `run`, with
    /// a position and a suggestion, and writes nothing; `verify: false` skips it.
    @Test func commitChecksBodiesAndSuggestsNames() throws {
        let t = try TestRepository()
        defer { t.remove() }
        try t.commit("shared/style", "Be brief.\n")
        try t.commit("shared/tone", "Sign as {{sender}}.\n")
        try t.write("shared/new.prompt", "New.\n")
        let head = try t.git("rev-parse", "HEAD")
        let schema = "---\ninput:\n  schema:\n    email: string\n    items(array): string\n---\n"
        func refused(_ body: String, _ expected: String, hint: String = "--no-verify", only: Bool = false) throws {
            try t.write("inbox/intent.prompt", schema + body)
            do {
                let names = only ? [try PromptName("inbox/intent")] : nil
                _ = try t.open().commit(names: names, message: "m", author: nil)
                Issue.record("expected \(body) to be refused")
            } catch let error as PromptLabError {
                #expect(error.kind == .invalidInput)
                #expect(error.exitCode == 4)
                #expect(error.message == expected)
                #expect(error.hint?.contains(hint) == true, "\(error.hint ?? "")")
            }
            #expect(try t.git("rev-parse", "HEAD") == head)
        }
        try refused(
            "Write to {{emial}}.\n",
            "inbox/intent.prompt:7:10: variable 'emial' is not declared in input.schema; did you mean 'email'?")
        try refused(
            "Hi.\n{{> shared/styel}}\n", "inbox/intent.prompt:8:1: unknown partial 'shared/styel'; did you mean 'shared/style'?")
        try refused("Mail {email}}.\n", "inbox/intent.prompt:7:6: unbalanced braces in '{email}}', which would be sent as text")
        try refused("Mail {{email}}}.\n", "inbox/intent.prompt:7:6: unbalanced braces in '{{email}}}', which would be sent as text")
        try refused(
            "{{> shared/tone}}\n",
            "shared/tone.prompt:1:9: variable 'sender' is not declared in input.schema (included by inbox/intent)")
        try refused(
            "{{> shared/new}}\n",
            "inbox/intent.prompt:7:1: partial 'shared/new' exists on disk but is neither committed nor part of this commit",
            hint: "promptlab commit inbox/intent shared/new", only: true)

        // Sections see their items' fields; committing the new partial alongside is fine.
        try t.write(
            "inbox/intent.prompt",
            schema + "{{#items}}- {{.}}\n{{/items}}\n{{#examples}}{{input.email}} {{output}}{{/examples}}\n"
                + "{{> shared/style}}\n{{> shared/new}}\nTo {{email}}\n")
        #expect(try t.open().commit(names: nil, message: "both", author: nil)?.prompts.count == 2)
        try t.write("inbox/intent.prompt", schema + "Write to {{emial}}.\n")
        #expect(try t.open().commit(names: nil, message: "unchecked", author: nil, verify: false) != nil)
        #expect(try t.git("log", "-1", "--format=%s") == "unchecked")
    }

    /// A partial is checked where it is included: committing it alone with a
    /// variable an includer does not declare is refused; an includer's own,
    /// older problem does not block the partial.
    @Test func committingAPartialChecksItsIncluders() throws {
        let t = try TestRepository()
        defer { t.remove() }
        try t.commit("shared/style", "Be brief.\n")
        try t.commit("inbox/intent", "---\ninput:\n  schema:\n    email: string\n---\nTo {{email}}.\n{{> shared/style}}\n")
        let head = try t.git("rev-parse", "HEAD")
        try t.write("shared/style.prompt", "Be brief, {{tone}}.\n")
        do {
            _ = try t.open().commit(names: [try PromptName("shared/style")], message: "tone", author: nil)
            Issue.record("expected the includer's schema to refuse the partial")
        } catch let error as PromptLabError {
            #expect(error.kind == .invalidInput)
            #expect(error.message == "shared/style.prompt:1:11: variable 'tone' is not declared in input.schema (included by inbox/intent)")
        }
        #expect(try t.git("rev-parse", "HEAD") == head)

        try t.write("inbox/other.prompt", "---\ninput:\n  schema:\n    email: string\n---\nTo {{emial}}.\n{{> shared/style}}\n")
        #expect(try t.open().commit(names: [try PromptName("inbox/other")], message: "unchecked", author: nil, verify: false) != nil)
        try t.write("shared/style.prompt", "Be very brief.\n")
        #expect(try t.open().commit(names: [try PromptName("shared/style")], message: "briefer", author: nil) != nil)
    }

    /// An unknown prompt name suggests the closest one; a new file says how to use it.
    @Test func unknownNamesSuggestTheClosestPrompt() throws {
        let t = try TestRepository()
        defer { t.remove() }
        try t.commit("inbox/intent", samplePrompt())
        try t.write("inbox/draft.prompt", samplePrompt())
        let repo = try t.open()
        func failure(_ reference: String) -> PromptLabError? {
            do {
                _ = try repo.resolve(try PromptReference(parsing: reference))
                return nil
            } catch {
                return error
            }
        }
        for reference in ["inbox/intnet", "inbox/intnet@v1", "inbox/intnet@working"] {
            #expect(failure(reference)?.message == "no prompt 'inbox/intnet'; did you mean 'inbox/intent'?", "\(reference)")
            #expect(failure(reference)?.exitCode == 5)
        }
        #expect(failure("zzz")?.message == "no prompt 'zzz'")
        let draft = failure("inbox/draft")
        #expect(draft?.message == "prompt 'inbox/draft' has no committed versions yet")
        #expect(draft?.hint?.contains("inbox/draft@working") == true)
        #expect(draft?.exitCode == 5)
        do {
            _ = try repo.commit(names: [try PromptName("inbox/intnet")], message: "m", author: nil)
            Issue.record("expected an unknown prompt to be refused")
        } catch {
            #expect(error.message == "no prompt 'inbox/intnet'; did you mean 'inbox/intent'?")
        }
        try repo.setLabel("production", to: try PromptReference(parsing: "inbox/intent@v1"))
        #expect(failure("inbox/intent@prodcution")?.message.hasSuffix("; did you mean 'production'?") == true)
    }

    /// `Production` beside `production` is refused (one file on case-insensitive
    /// file systems), and a label's moves are read back from its reflog.
    @Test func labelCaseCollisionsAndHistory() throws {
        let t = try TestRepository()
        defer { t.remove() }
        try t.commit("p", samplePrompt(line: "one"), message: "one")
        try t.commit("p", samplePrompt(line: "two"), message: "two")
        let repo = try t.open()
        let name = try PromptName("p")
        try repo.setLabel("production", to: try PromptReference(parsing: "p@v1"))
        do {
            try repo.setLabel("Production", to: try PromptReference(parsing: "p@v2"))
            Issue.record("expected a label differing only in case to be refused")
        } catch {
            #expect(error.kind == .invalidInput)
            #expect(error.message == "label 'Production' of 'p' differs only in case from the existing label 'production'")
            #expect(error.hint?.hasPrefix("use 'production'") == true)
        }
        #expect(try t.git("for-each-ref", "--format=%(refname)", "refs/promptlab") == "refs/promptlab/labels/p.prompt/production")

        try repo.setLabel("production", to: try PromptReference(parsing: "p@v2"))
        _ = try repo.rollback(name, to: try PromptReference(parsing: "p@v1"), label: "production", author: nil)
        let moves = try t.open().labelHistory("production", of: name)
        #expect(moves.map(\.version) == [3, 2, 1])
        #expect(moves.map(\.previousVersion) == [2, 1, nil])
        #expect(moves.allSatisfy { $0.name == "Ada Tester" && $0.email == "ada@example.com" })
        #expect(moves.last?.message.contains("production -> v1") == true)
        let gitMoves = try t.git("reflog", "show", "--format=%H", "refs/promptlab/labels/p.prompt/production")
        #expect(gitMoves.split(separator: "\n").map(String.init) == moves.map(\.commit.hex))
        do {
            _ = try repo.labelHistory("prod", of: name)
            Issue.record("expected an unknown label")
        } catch {
            #expect(error.kind == .notFound)
            #expect(error.message == "prompt 'p' has no label 'prod'")
        }
    }

    /// `commit FOLDER` commits every changed prompt under it, deletions included.
    @Test func commitAFolderCommitsEveryPromptUnderIt() throws {
        let t = try TestRepository()
        defer { t.remove() }
        try t.commit("support/a", samplePrompt(line: "a"))
        try t.commit("support/b", samplePrompt(line: "b"))
        try t.commit("other/c", samplePrompt(line: "c"))
        try t.write("support/a.prompt", samplePrompt(line: "a2"))
        try t.write("support/deep/d.prompt", samplePrompt(line: "d"))
        try FileManager.default.removeItem(atPath: t.path + "support/b.prompt")
        try t.write("other/c.prompt", samplePrompt(line: "c2"))
        let repo = try t.open()
        let names = try repo.promptNames(matching: "support")
        #expect(names.map(\.rawValue) == ["support/a", "support/b", "support/deep/d"])
        #expect(try repo.promptNames(matching: "support/") == names)
        #expect(try repo.promptNames(matching: "support/a").map(\.rawValue) == ["support/a"])
        #expect(try repo.promptNames(matching: ".").count == 4)
        let result = try repo.commit(names: names, message: "support", author: nil)
        #expect(
            result?.prompts.map { "\($0.name) \($0.change.rawValue)" } == ["support/a modified", "support/b deleted", "support/deep/d new"])
        #expect(try t.git("status", "--porcelain") == "M other/c.prompt")
        let changed = try t.git("show", "--no-renames", "--name-only", "--format=", "HEAD")
        #expect(
            changed.split(separator: "\n").map(String.init).sorted() == ["support/a.prompt", "support/b.prompt", "support/deep/d.prompt"],
            "\(changed)")
        do {
            _ = try repo.promptNames(matching: "suport")
            Issue.record("expected an unknown folder")
        } catch {
            #expect(error.kind == .notFound)
            #expect(error.message == "no prompt or folder 'suport' under the prompt root; did you mean 'support'?")
        }
    }

    @Test func notARepository() {
        _ = TestRepository.isolation
        let path = TestFolders.root + "promptlab-norepo-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        do {
            _ = try PromptRepository.open(at: path)
            Issue.record("expected notARepository")
        } catch {
            #expect(error.kind == .notARepository)
            #expect(error.exitCode == 3)
        }
    }

    @Test func diffComparesFieldsAndText() throws {
        let t = try TestRepository()
        try t.commit("p", samplePrompt(temperature: 0.2, line: "Answer briefly.", examples: 1))
        try t.write("p.prompt", samplePrompt(temperature: 0.7, line: "Answer in detail.", examples: 3))
        let repo = try t.open()
        let diff = try PromptDiff(
            old: try repo.resolve(try PromptReference(parsing: "p@v1")),
            new: try repo.resolve(try PromptReference(parsing: "p@working")), wordLevel: true)
        #expect(diff.fieldChanges.map(\.description) == ["config.temperature: 0.2 → 0.7", "examples: +2 (1 → 3)"])
        #expect(diff.unified.contains("-Answer briefly.\n+Answer in detail."))
        #expect(diff.words?.contains(.removed("briefly.")) == true)
    }
}

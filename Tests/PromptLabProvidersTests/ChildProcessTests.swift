import Foundation
import Testing

@testable import PromptLabProviders

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// ``ChildProcess`` directly: the limits and guarantees the exec provider and grader rely on.
@Suite("Child process")
struct ChildProcessTests {
    @Test func programsThatExitWithoutReadingTheirInputDoNotEndPromptLab() async throws {
        let input = [UInt8](repeating: 0x61, count: 1 << 20)
        for _ in 0..<20 {
            let output = try await ChildProcess(arguments: ["true"], timeout: .seconds(30)).run(input: input)
            #expect(output.termination == .exited(0))
        }
    }

    @Test func stdoutPastTheLimitIsCutAndStderrKeepsItsStart() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let script = try directory.script(
            "flood.sh", "head -c 300000 /dev/zero | tr '\\0' 'e' >&2\nhead -c 1000000 /dev/zero | tr '\\0' 'a'")
        var process = ChildProcess(arguments: [script], timeout: .seconds(30))
        process.maxStdoutBytes = 1000
        let output = try await process.run(input: [])
        #expect(output.termination == .exited(0))
        #expect(output.stdout == [UInt8](repeating: 0x61, count: 1000))
        #expect(output.stdoutTruncated)
        #expect(output.stderr.count == 64 * 1024)

        process.maxStdoutBytes = 1_000_000
        let exact = try await process.run(input: [])
        #expect(exact.stdout.count == 1_000_000)
        #expect(!exact.stdoutTruncated)
    }

    @Test func theEnvironmentIsPassedExactly() async throws {
        let environment = ["PATH": "/usr/bin:/bin", "PROMPTLAB_VALUE": "a b=c", "EMPTY": ""]
        let output = try await ChildProcess(arguments: ["env"], environment: environment, timeout: .seconds(30)).run(input: [])
        let lines = String(decoding: output.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(Set(lines) == ["PATH=/usr/bin:/bin", "PROMPTLAB_VALUE=a b=c", "EMPTY="])
    }

    @Test func anEnvironmentNamePOSIXForbidsIsRefused() async throws {
        do {
            _ = try await ChildProcess(arguments: ["true"], environment: ["1ABC": "x"], timeout: .seconds(30)).run(input: [])
            Issue.record("a name beginning with a digit should be refused")
        } catch {
            guard case .spawnFailed(_, let code) = error else {
                Issue.record("expected spawnFailed, got \(error)")
                return
            }
            #expect(code == EINVAL)
        }
    }

    @Test func argumentZeroIsTheProgramAsWritten() async throws {
        let output = try await ChildProcess(arguments: ["sh", "-c", "printf '%s' \"$0\""], timeout: .seconds(30)).run(input: [])
        #expect(String(decoding: output.stdout, as: UTF8.self) == "sh")
    }

    @Test func aProgramThatClosedItsOutputStillTimesOut() async throws {
        let output = try await ChildProcess(arguments: ["sh", "-c", "exec >&- 2>&- <&-; sleep 30"], timeout: .milliseconds(300))
            .run(input: [])
        #expect(output.timedOut)
        #expect(!output.cancelled)
        #expect(output.termination == .signaled(SIGKILL))
    }

    @Test func cancellingKillsTheProgramAndWhatItStarted() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pidFile = directory.path + "/child.pid"
        let script = try directory.script("wait.sh", "sleep 30 &\necho $! > '\(pidFile)'\nwait")
        let task = Task { try await ChildProcess(arguments: [script], timeout: .seconds(60)).run(input: []) }
        // Cancel once the background sleep has written its process ID: no clock decides the outcome.
        func written() -> pid_t? {
            (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        for _ in 0..<500 where written() == nil {
            try await Task.sleep(for: .milliseconds(10))
        }
        let grandchild = try #require(written())
        task.cancel()
        let output = try await task.value
        #expect(output.cancelled)
        #expect(!output.timedOut)
        #expect(output.termination == .signaled(SIGKILL))

        var gone = false
        for _ in 0..<500 where !gone {
            gone = !isRunning(grandchild)
            if !gone { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(gone, "the background sleep \(grandchild) should have been killed with its session")
    }

    @Test func aBackgroundProcessHoldingTheOutputDoesNotHoldTheRun() async throws {
        // The sleep outlives the time limit: waiting for it to close stdout would show as a time-out.
        let output = try await ChildProcess(arguments: ["sh", "-c", "sleep 30 & echo $!"], timeout: .seconds(20)).run(input: [])
        let sleeper = try #require(pid_t(String(decoding: output.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(sleeper, SIGKILL)
        #expect(output.termination == .exited(0))
        #expect(!output.timedOut)
    }

    @Test func programsThatCannotStartSayWhy() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let notExecutable = directory.path + "/plain.txt"
        try "echo hi\n".write(toFile: notExecutable, atomically: true, encoding: .utf8)
        let cases: [(String, Int32)] = [
            (notExecutable, EACCES), (directory.path, EACCES), (directory.path + "/missing", ENOENT),
            ("promptlab-no-such-program", ENOENT),
        ]
        for (program, expected) in cases {
            do {
                _ = try await ChildProcess(arguments: [program], timeout: .seconds(30)).run(input: [])
                Issue.record("\(program) should not start")
            } catch {
                guard case .spawnFailed(let name, let code) = error else {
                    Issue.record("expected spawnFailed for \(program), got \(error)")
                    continue
                }
                #expect(name == program)
                #expect(code == expected, "\(program): \(String(cString: strerror(code)))")
            }
        }
    }
}

import Foundation
import Testing

@testable import PromptLabProviders

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `exec/` programs, as small shell scripts in a fresh temporary directory.
@Suite("Exec provider")
struct ExecProviderTests {
    let request = ChatRequest(
        model: "my-script",
        messages: [.system("Classify."), .user("hello world")],
        config: GenerationConfig(temperature: 0, maxOutputTokens: 5, stopSequences: ["\n"], responseFormat: .json)
    )

    func provider(_ command: String, timeout: Duration = .seconds(10)) throws -> ExecProvider {
        try ExecProvider(commandLine: command, timeout: timeout, logger: quietLogger)
    }

    @Test func sendsTheRequestOnStdinAndReadsTheAnswer() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let script = try directory.script(
            "answer.sh",
            """
            cat > "$1"
            printf '{"text": "positive", "input_tokens": 12, "output_tokens": 1, "cached_tokens": 2, "finish_reason": "stop"}'
            """)
        let captured = directory.path + "/seen input.json"
        // Through a model reference, to exercise the quote-aware split (the path has a space).
        let reference = try ModelReference(parsing: "exec/\(script) '\(captured)'")
        let response = try await ExecProvider(arguments: try reference.commandLine(), logger: quietLogger).send(request)

        #expect(response.text == "positive")
        #expect(response.inputTokens == 12)
        #expect(response.outputTokens == 1)
        #expect(response.cachedTokens == 2)
        #expect(response.finishReason == "stop")
        #expect(response.attempts == 1)

        let input = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: captured))) as? [String: Any]
        #expect(input?["model"] as? String == "my-script")
        let messages = input?["messages"] as? [[String: String]]
        #expect(messages ?? [] == [["role": "system", "content": "Classify."], ["role": "user", "content": "hello world"]])
        let config = input?["config"] as? [String: Any]
        #expect(config?["max_output_tokens"] as? Int == 5)
        #expect(config?["stop_sequences"] as? [String] == ["\n"])
        #expect(config?["response_format"] as? String == "json")
        #expect(config?["top_p"] == nil)
    }

    @Test func nonZeroExitQuotesTheFirstStderrLine() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let script = try directory.script("fail.sh", "echo 'model exploded: bad input' >&2\necho 'second line' >&2\nexit 3")
        let error = await providerError { try await provider(script).send(request) }
        #expect(
            error?.kind
                == ProviderError.Kind.execFailed(
                    exitStatus: 3, signal: nil, detail: "fail.sh exited with status 3: model exploded: bad input"))
        #expect(error?.description == "exec: command failed: fail.sh exited with status 3: model exploded: bad input")
        #expect(error?.isRetryable == false)
    }

    @Test func deathBySignalIsReported() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let script = try directory.script("die.sh", "echo 'about to die' >&2\nkill -9 $$")
        let error = await providerError { try await provider(script).send(request) }
        guard case .execFailed(_, let signal, let detail) = error?.kind else {
            Issue.record("expected execFailed, got \(String(describing: error))")
            return
        }
        #expect(signal == SIGKILL)
        #expect(detail.contains("killed by SIGKILL: about to die"))
    }

    @Test func timeoutKillsTheProgramAndWhatItStarted() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let pidFile = directory.path + "/child.pid"
        let finished = directory.path + "/finished"
        let script = try directory.script("slow.sh", "sleep 30 &\necho $! > '\(pidFile)'\nwait\ntouch '\(finished)'")
        let error = await providerError { try await provider(script, timeout: .milliseconds(500)).send(request) }
        #expect(error?.kind == .timeout(seconds: 0.5))
        #expect(error?.isRetryable == true)
        // Killed, not waited out: the script never got past its `wait`.
        #expect(!FileManager.default.fileExists(atPath: finished))

        let pidText = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let grandchild = try #require(pid_t(pidText))
        var gone = false
        // The kill is asynchronous: wait for it (a bound, not a timing assertion).
        for _ in 0..<500 where !gone {
            gone = !isRunning(grandchild)
            if !gone { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(gone, "the background sleep \(grandchild) should have been killed with its process group")
    }

    @Test func invalidJSONIsAMalformedResponse() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let script = try directory.script("bad.sh", "echo 'this is not json'")
        let error = await providerError { try await provider(script).send(request) }
        guard case .malformedResponse(let detail) = error?.kind else {
            Issue.record("expected malformedResponse, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("this is not json"))

        let silent = try directory.script("silent.sh", "echo 'nothing to say' >&2")
        let nothing = await providerError { try await provider(silent).send(request) }
        #expect(nothing?.description.contains("printed nothing on stdout: nothing to say") == true)

        let noText = try directory.script("notext.sh", #"echo '{"label": "x"}'"#)
        #expect(await providerError { try await provider(noText).send(request) }?.description.contains("\"text\"") == true)
    }

    @Test func reportedErrorsAndMissingPrograms() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let script = try directory.script("quota.sh", #"echo '{"error": "quota exceeded"}'"#)
        let reported = await providerError { try await provider(script).send(request) }
        #expect(reported?.description.contains("quota.sh reported: quota exceeded") == true)

        let missing = await providerError { try await provider("/nonexistent/promptlab-no-such-program").send(request) }
        #expect(missing?.description.contains("cannot start") == true)
    }

    @Test func largeOutputsAndUnreadInputDoNotDeadlock() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Never reads stdin; floods stderr (3 MB) and stdout (2 MB) before exiting.
        let script = try directory.script(
            "big.sh",
            """
            head -c 3000000 /dev/zero | tr '\\0' 'e' >&2
            printf '{"text": "'
            head -c 2000000 /dev/zero | tr '\\0' 'a'
            printf '"}'
            """)
        let bigRequest = ChatRequest(model: "m", messages: [.user(String(repeating: "word ", count: 400_000))])
        let response = try await provider(script, timeout: .seconds(30)).send(bigRequest)
        #expect(response.text.count == 2_000_000)
    }

    #if os(Linux)
        @Test func programsInheritOnlyTheStandardDescriptors() async throws {
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            // A descriptor of ours without close-on-exec, which a careless spawn would pass on.
            let leaked = open(directory.path, O_RDONLY)
            #expect(leaked > 2)
            defer { close(leaked) }
            let script = try directory.script(
                "fds.sh", #"cat > /dev/null; printf '{"text": "%s"}' "$(ls /proc/$$/fd | tr '\n' ' ')""#)
            let response = try await provider(script).send(request)
            let descriptors = Set(response.text.split(separator: " ").compactMap { Int32($0) })
            #expect(descriptors.isSuperset(of: [0, 1, 2]))
            #expect(!descriptors.contains(leaked), "inherited \(response.text)")
        }
    #endif

    @Test func exitStatus75IsRetried() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let marker = directory.path + "/tried"
        let script = try directory.script(
            "flaky.sh",
            """
            cat > /dev/null
            if [ ! -e '\(marker)' ]; then touch '\(marker)'; echo 'busy, try later' >&2; exit 75; fi
            echo '{"text": "ok"}'
            """)
        let retrying = RetryingProvider(try provider(script), policy: fastRetries(), logger: quietLogger)
        let response = try await retrying.send(request)
        #expect(response.text == "ok")
        #expect(response.attempts == 2)
    }

    @Test func manyConcurrentRunsKeepTheirOutputsApart() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Answers with the number of bytes it read on stdin.
        let script = try directory.script("count.sh", #"printf '{"text": "%s"}' "$(wc -c | tr -d ' ')""#)
        let exec = try provider(script)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let request = ChatRequest(model: "m", messages: [.user(String(repeating: "x", count: index * 5000))])
                    let expected = try JSONEncoder().encode(ExecWire.Input(request)).count
                    let response = try await exec.send(request)
                    return response.text == String(expected)
                }
            }
            for try await ok in group { #expect(ok) }
        }
    }
}

/// Whether a process exists and is not a zombie waiting to be reaped (killed orphans are re-parented to
/// PID 1, which may reap them late).
func isRunning(_ pid: pid_t) -> Bool {
    #if os(Linux)
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    #else
        return kill(pid, 0) == 0
    #endif
}

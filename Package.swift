// swift-tools-version:6.0
import Foundation
import PackageDescription

let package = Package(
    name: "PromptLab",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "promptlab", targets: ["PromptLabCLI"]),
        .executable(name: "promptlab-test-server", targets: ["ProviderTestServerTool"]),
        .executable(name: "promptlab-load", targets: ["LoadGeneratorTool"]),
        .executable(name: "promptlab-render-bench", targets: ["RenderBenchmarkTool"]),
        .executable(name: "promptlab-rollout-sim", targets: ["RolloutSimulationTool"]),
        .library(name: "PromptLab", targets: ["PromptLab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.24.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        // Runs `exec` providers and graders (its manifest needs a Swift 6.2 toolchain).
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        // The web app: HTTP server and page templates.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        // libgit2, found through pkg-config.
        .systemLibrary(
            name: "CGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"]), .brew(["libgit2"])]
        ),
        // A small, safe Swift layer over libgit2. No C types escape it.
        .target(name: "GitKit", dependencies: ["CGit2"]),
        // Pure statistics for comparing variants: no I/O, no dependencies.
        .target(name: "PromptLabStats"),
        // LLM providers: one file per vendor, plus shared retry, rate-limit and pricing code.
        .target(
            name: "PromptLabProviders",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            resources: [.copy("Resources/pricing.json")]
        ),
        // The results database: schema, migrations and queries (GRDB on the system SQLite).
        .target(
            name: "PromptLabStore",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                // The report aggregates read columns through the SQLite C API for speed.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // A loopback HTTP server speaking the providers' wire formats, with fault injection (tests, benchmarks).
        .target(
            name: "ProviderTestServer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ]
        ),
        // The loopback provider server as a process, for benchmarks.
        .executableTarget(
            name: "ProviderTestServerTool",
            dependencies: ["ProviderTestServer", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // A plain load generator on AsyncHTTPClient, the runner benchmark's same-stack ceiling.
        .executableTarget(
            name: "LoadGeneratorTool",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Render throughput of a 40-example prompt with two partials, against a hand-written baseline.
        // Simulates rollouts read out after every batch (benchmarks/rollout-peeking.sh).
        .executableTarget(
            name: "RolloutSimulationTool",
            dependencies: ["PromptLabStats", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "RenderBenchmarkTool",
            dependencies: ["PromptFormat", "PromptLabCore", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // What every PromptLab module shares: the error type and its exit-status catalogue,
        // content hashes, the bounded YAML reader and the JSON output encoder.
        .target(
            name: "PromptLabCore",
            dependencies: [
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The template language of prompt bodies: Handlebars as Dotprompt uses it. No dependencies.
        .target(name: "Handlebars"),
        // The prompt file format: front matter, names, values, templates, Dotprompt's helpers and rendering.
        .target(
            name: "PromptFormat",
            dependencies: [
                "PromptLabCore", "Handlebars",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Prompt versions over git: references, the version index, commit, labels, rollback, diff.
        .target(name: "PromptVersioning", dependencies: ["PromptLabCore", "PromptFormat", "GitKit"]),
        // Experiments: definitions, datasets, the runner, grading, reports and human review.
        .target(
            name: "PromptExperiments",
            dependencies: [
                "PromptLabCore", "PromptFormat", "PromptVersioning",
                "PromptLabProviders", "PromptLabStore", "PromptLabStats",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Live A/B testing: rollout files, their state, and GrowthBook-compatible sticky assignment.
        // (The readout's statistics are in PromptLabStats/Online, the readout in PromptLab/Rollouts.)
        .target(
            name: "PromptRollouts",
            dependencies: [
                "PromptLabCore", "PromptFormat", "PromptExperiments",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // The application layer: one service per use case, called by every front end.
        .target(
            name: "PromptLab",
            dependencies: [
                "PromptLabCore", "PromptFormat", "PromptVersioning", "PromptExperiments", "PromptRollouts",
                "PromptLabProviders", "PromptLabStore", "PromptLabStats", "GitKit",
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The web app (`promptlab serve`) and the one-file HTML report: pages rendered on the server from
        // Mustache templates shipped as resources, SVG charts, and the JSON API under /api/v1.
        .target(
            name: "PromptLabWeb",
            dependencies: [
                "PromptLab", "PromptLabCore", "PromptFormat", "PromptVersioning", "PromptExperiments",
                "PromptLabStore", "PromptLabStats", "PromptRollouts", "PromptLabProviders",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            resources: [.copy("Resources")]
        ),
        // The thin `promptlab` executable: argument parsing and printing only.
        .executableTarget(
            name: "PromptLabCLI",
            dependencies: [
                "PromptLab", "PromptLabWeb", "PromptLabCore", "PromptFormat", "PromptVersioning", "PromptExperiments",
                "PromptRollouts", "PromptLabProviders", "PromptLabStore", "PromptLabStats", "GitKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CSV", package: "CSV.swift"),
            ]
        ),
        // Fuzz targets: one small file per reader fed with bytes (see Fuzz/Targets/FuzzTarget.swift).
        // Built with everything else, so the unit tests replay the corpus and past findings.
        .target(
            name: "PromptLabFuzzTargets",
            dependencies: [
                "PromptLab", "PromptLabCore", "PromptFormat", "PromptExperiments", "PromptLabProviders", "PromptRollouts",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Fuzz/Targets"
        ),
        // What several test targets share: a manual clock, so no test waits on wall time.
        .target(name: "PromptLabTestSupport", path: "Tests/PromptLabTestSupport"),
        .testTarget(name: "GitKitTests", dependencies: ["GitKit", "PromptLabTestSupport"]),
        .testTarget(name: "HandlebarsTests", dependencies: ["Handlebars"]),
        // Dotprompt's own spec files, read from ../shared/conformance/dotprompt/spec (skipped where absent).
        .testTarget(
            name: "DotpromptConformanceTests",
            dependencies: ["PromptFormat", "PromptLabCore"]),
        .testTarget(name: "PromptLabStatsTests", dependencies: ["PromptLabStats"], exclude: ["Fixtures", "Online/Fixtures"]),
        .testTarget(
            name: "PromptRolloutsTests", dependencies: ["PromptRollouts", "PromptLabCore", "PromptFormat"], exclude: ["Fixtures"]),
        .testTarget(
            name: "PromptLabTests",
            dependencies: [
                "PromptLab", "PromptLabCore", "PromptFormat", "PromptVersioning", "PromptExperiments", "PromptRollouts",
                "PromptLabProviders", "PromptLabStore", "PromptLabStats", "GitKit", "ProviderTestServer", "PromptLabTestSupport",
                "PromptLabFuzzTargets", "Handlebars",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "PromptLabStoreTests",
            dependencies: ["PromptLabStore", "PromptLabTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "PromptLabProvidersTests",
            dependencies: [
                "PromptLabProviders", "ProviderTestServer", "PromptLabTestSupport", "PromptLabStats",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "PromptLabWebTests",
            dependencies: [
                "PromptLabWeb", "PromptLab", "PromptLabCore", "PromptExperiments", "PromptLabStore", "PromptLabTestSupport",
                "PromptRollouts", "ProviderTestServer",
                "PromptVersioning", "PromptFormat", "GitKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        // Runs the built `promptlab` executable end to end.
        .testTarget(
            name: "PromptLabCLITests", dependencies: ["PromptLabCLI", "ProviderTestServer", "PromptLabTestSupport", "PromptLabStats"]),
    ]
)

// The libFuzzer executable, declared only for scripts/fuzz.sh (PROMPTLAB_FUZZ=1), which builds it
// alone in .build-fuzz with `-sanitize=fuzzer`: it calls libFuzzer's driver, so an ordinary build
// could not link it.
if ProcessInfo.processInfo.environment["PROMPTLAB_FUZZ"] == "1" {
    package.products.append(.executable(name: "promptlab-fuzz", targets: ["PromptLabFuzzer"]))
    package.targets.append(
        .executableTarget(
            name: "PromptLabFuzzer",
            dependencies: ["PromptLabFuzzTargets"],
            path: "Fuzz/Driver",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ))
}

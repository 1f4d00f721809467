import ArgumentParser
import Foundation
import PromptLabCore
import PromptLabWeb

extension PromptLabCommand {
    /// `promptlab serve`
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Serve the web app: prompts, runs, reports, case grids, live runs, review and rollback in a browser.",
            discussion: """
                Serves the prompt repository and its results database on http://127.0.0.1:4242/ by default. \
                Every page's data is also a JSON API under /api/v1 (described at /api/v1/openapi.json). \
                Binding to an address other than loopback requires PROMPTLAB_TOKEN; when it is set, every \
                request needs it (as 'Authorization: Bearer TOKEN', or through the login page). Stop with Ctrl-C.
                """)

        @Option(help: "The address to listen on.")
        var host = "127.0.0.1"

        @Option(help: "The port to listen on (0: any free port).")
        var port = 4242

        @OptionGroup var workspace: WorkspaceOptions

        func run() async throws {
            let configuration = WebServerConfiguration(
                host: host, port: port, repositoryPath: workspace.path, database: workspace.db)
            let app = try await WebApp.make(configuration: configuration)
            try await app.application { url in
                Terminal.write("PromptLab is serving \(url)\n")
                fflush(nil)  // scripts wait for this line to learn the port
            }.runService()
        }
    }
}

import ArgumentParser
import PromptLab

extension PromptLabCommand {
    /// `promptlab init [DIR]`
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create a prompt repository, or adopt an existing git repository.",
            discussion: """
                In a folder outside any git repository, creates one (branch 'main') with a first commit. \
                Inside an existing repository, marks DIR as the prompt root by writing promptlab.yaml, \
                so prompts can live in a subfolder of an application's repository. Either way, \
                '.promptlab/' (the results database) is added to .gitignore.
                """)

        @Argument(help: "The prompt root folder.")
        var directory: String = "."

        @OptionGroup var author: AuthorOption
        @OptionGroup var output: OutputOptions

        func run() throws {
            let result = try PromptService.initialize(at: directory, author: try author.signature())
            if output.isJSON { return try Terminal.writeJSON(result) }
            if result.createdRepository {
                print("Created a git repository with a PromptLab prompt root at \(result.root)")
            } else if result.adoptedRepository {
                print("Adopted the existing git repository; prompt root is \(result.root)")
                print("Commit promptlab.yaml and .gitignore when convenient.")
            } else {
                print("Already a PromptLab prompt root: \(result.root)")
            }
        }
    }
}

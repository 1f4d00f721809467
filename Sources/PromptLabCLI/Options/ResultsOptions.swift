import ArgumentParser

/// Where the results database is.
struct ResultsOptions: ParsableArguments {
    @Option(help: "The results database (default: $PROMPTLAB_DB, else .promptlab/results.sqlite at the prompt root).")
    var db: String?
}

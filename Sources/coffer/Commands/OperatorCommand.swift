import ArgumentParser

/// `coffer operator init|unseal|seal|step-down|generate-root|rekey`: the quorum operations of a Shamir-sealed
/// server (README.md, "CLI").
///
/// ```sh
/// coffer operator init -key-shares=5 -key-threshold=3
/// coffer operator unseal            # prompts for a share without echo
/// coffer operator generate-root -init
/// ```
struct OperatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator", abstract: "Perform operator-specific tasks",
        subcommands: [
            OperatorInitCommand.self, OperatorUnsealCommand.self, OperatorSealCommand.self,
            OperatorStepDownCommand.self, OperatorGenerateRootCommand.self, OperatorRekeyCommand.self,
        ])
}

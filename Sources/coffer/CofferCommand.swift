import ArgumentParser

@main
struct CofferCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "coffer")
    func run() async throws {}
}

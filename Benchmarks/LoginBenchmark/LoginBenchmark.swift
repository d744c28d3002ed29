/// Placeholder entry point until the login benchmark lands.
@main
enum LoginBenchmark {
    static func main() async throws {
        fatalError("the login benchmark is being written")
    }
}

import Foundation

/// Entry point replaced by the example implementation (issue 5).
@main
enum GetSecretWithAzureAuth {
    static func main() {
        FileHandle.standardError.write(Data("unable to initialize Azure auth method: not built yet\n".utf8))
        exit(1)
    }
}

import CofferConfig
import FuzzSupport

// Input: one byte choosing the file name (and so the syntax: .hcl, .json, or sniffed from the first
// character), then a configuration file. Goes through `ServerConfiguration.parse`, the entry point
// `coffer server -config` uses after reading the file: lexer, the HCL or JSON reader, the legacy-layout check,
// the schema and the checks across keys. It must return a configuration or a ConfigurationError, never trap,
// and a configuration it returns must satisfy what the reader promises.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzServerConfig(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    var input = FuzzInput(start, count)
    let names = ["config.hcl", "config.json", "config"]
    let name = names[Int(input.byte() % 3)]
    let config: ServerConfiguration
    do {
        config = try ServerConfiguration.parse([(name, input.rest())])
    } catch {
        fuzzCheck(!error.description.isEmpty, "an empty error message")
        return 0
    }
    fuzzCheck(!config.listeners.isEmpty, "a configuration without a listener was accepted")
    fuzzCheck(config.defaultLeaseTTL <= config.maxLeaseTTL, "default_lease_ttl above max_lease_ttl was accepted")
    fuzzCheck(["sqlite", "inmem"].contains(config.storageType), "storage type \(config.storageType) was accepted")
    for listener in config.listeners where !listener.tlsDisable {
        fuzzCheck(listener.tlsCertFile != nil && listener.tlsKeyFile != nil, "a TLS listener without its files")
    }
    return 0
}

import CofferFramework

/// The pipeline hands a backend the caller's entry as a framework ``CallerTokenEntry``; the token store's own
/// endpoints read it back whole (`Core.callerEntry`).
extension TokenEntry: CallerTokenEntry {}

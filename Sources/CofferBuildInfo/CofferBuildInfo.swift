/// Facts about this build, generated at build time by the `BuildDate` plugin (`Plugins/BuildDate`): `date` is
/// the commit time of `HEAD`, as Vault reports its `build_date`. A leaf target of its own so that a new commit
/// recompiles only the code that reads it, not every module above the core.
///
/// ```swift
/// import CofferBuildInfo
/// body["build_date"] = .string(CofferBuildInfo.date)   // "2026-12-06T20:56:03Z"
/// ```
public enum CofferBuildInfo {}

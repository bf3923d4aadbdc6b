/// The version and git revision compiled into both binaries: `--version` prints them, the start-up log line
/// carries them (`build.version`, `build.revision`) and `/metrics` exports `eventgrpc_build_info{version,revision} 1`.
///
/// The version is raised by hand when a release is cut. The revision comes from `BuildRevision.swift`, which
/// `scripts/version.sh` rewrites before `make build`, `make run`, `make test` and the image build; a plain
/// `swift build` keeps the committed fallback, `unknown`.
public enum BuildInfo {
    /// The release version (semantic versioning).
    public static let version = "0.1.0"
    /// `git describe --always --dirty --abbrev=12` of the checkout the binary was built from, or `unknown`.
    public static let revision = buildRevision

    /// `NAME 0.1.0 (revision 3f697a7c1e2d)`, what `--version` prints.
    public static func versionLine(program: String) -> String {
        "\(program) \(version) (revision \(revision))"
    }
}

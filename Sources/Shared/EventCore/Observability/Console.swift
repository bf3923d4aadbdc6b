/// Text for people on standard output and standard error (usage, version, `check-config` results).
///
/// Like log lines, these writes never stop the process: on a closed pipe or a full disk the text is lost and the
/// call returns false, so a command keeps its documented exit code whatever happens to its output.
public enum Console {
    /// Writes `text` and a newline to standard output; false when it could not be written.
    @discardableResult
    public static func print(_ text: String) -> Bool {
        DescriptorWriter.writeAll(Array((text + "\n").utf8), to: 1)
    }

    /// Writes `text` and a newline to standard error; false when it could not be written.
    @discardableResult
    public static func printError(_ text: String) -> Bool {
        DescriptorWriter.writeAll(Array((text + "\n").utf8), to: 2)
    }
}

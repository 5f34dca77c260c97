import Foundation

/// A sample's command line: `--name value` options and `--name` switches,
/// checked against what the sample declares; `-h`/`--help` prints the usage.
public struct SampleOptions {
  /// The values given, by option name without dashes.
  public private(set) var values: [String: String] = [:]
  /// The switches given, without dashes.
  public private(set) var switches: Set<String> = []
  private let program: String
  private let usage: String

  /// Parses `arguments` (without the program name) for `program`, which
  /// takes the options named in `options` and the switches in `switches`;
  /// prints `usage` and exits with status 2 on anything else.
  public init(
    _ arguments: [String] = Array(CommandLine.arguments.dropFirst()), program: String, options: Set<String>,
    switches allowedSwitches: Set<String> = [], usage: String
  ) {
    self.program = program
    self.usage = usage
    var remaining = arguments[...]
    while let argument = remaining.popFirst() {
      if argument == "-h" || argument == "--help" { Self.exit(usage, status: 0) }
      let name = argument.hasPrefix("--") ? String(argument.dropFirst(2)) : ""
      if allowedSwitches.contains(name) {
        switches.insert(name)
      } else if options.contains(name) {
        guard let value = remaining.popFirst() else { Self.exit("\(program): \(argument) needs a value\n\(usage)") }
        values[name] = value
      } else {
        Self.exit("\(program): unknown option \(argument)\n\(usage)")
      }
    }
  }

  /// The value of `--name` as a positive integer, or `fallback` when absent.
  public func positiveInteger(_ name: String, default fallback: Int) -> Int {
    guard let text = values[name] else { return fallback }
    guard let value = Int(text), value > 0 else {
      Self.exit("\(program): --\(name) needs a positive count, not \(text)")
    }
    return value
  }

  private static func exit(_ message: String, status: Int32 = 2) -> Never {
    FileHandle(fileDescriptor: status == 0 ? 1 : 2).write(Data((message + "\n").utf8))
    Foundation.exit(status)
  }
}

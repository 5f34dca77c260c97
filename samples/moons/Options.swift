import Foundation

/// The command line: `moons [--steps N] [--out DIR]`.
struct Options {
  /// The number of training steps.
  var steps = 100
  /// The directory the decision boundary SVG is written to.
  var outputDirectory = "out/moons"

  static let usage = "usage: moons [--steps N] [--out DIR]   (defaults: 100 steps, out/moons)"

  /// Parses `arguments` (without the program name); prints the usage and exits on anything else.
  init(_ arguments: [String]) {
    var remaining = arguments[...]
    while let flag = remaining.popFirst() {
      if flag == "-h" || flag == "--help" { Self.exit(Self.usage, status: 0) }
      guard let value = remaining.popFirst() else { Self.exit("moons: \(flag) needs a value\n\(Self.usage)") }
      switch flag {
      case "--steps":
        guard let steps = Int(value), steps > 0 else {
          Self.exit("moons: --steps needs a positive count, not \(value)")
        }
        self.steps = steps
      case "--out":
        outputDirectory = value
      default:
        Self.exit("moons: unknown option \(flag)\n\(Self.usage)")
      }
    }
  }

  private static func exit(_ message: String, status: Int32 = 2) -> Never {
    FileHandle(fileDescriptor: status == 0 ? 1 : 2).write(Data((message + "\n").utf8))
    Foundation.exit(status)
  }
}

import Foundation

/// The command line: `moons [--steps N] [--out DIR]`.
struct Options {
  /// The number of training steps.
  var steps = 100
  /// The directory the decision boundary SVG, the weights, the data and the step's program are written to.
  var outputDirectory = "out/moons"
  /// Run op by op instead of tracing and compiling the step.
  var eager = false
  /// Print each loss with all its digits (for comparing runs).
  var exactLosses = false

  static let usage =
    "usage: moons [--steps N] [--out DIR] [--eager] [--exact]   (defaults: 100 steps, out/moons, compiled)"

  /// Parses `arguments` (without the program name); prints the usage and exits on anything else.
  init(_ arguments: [String]) {
    var remaining = arguments[...]
    while let flag = remaining.popFirst() {
      if flag == "-h" || flag == "--help" { Self.exit(Self.usage, status: 0) }
      if flag == "--eager" {
        eager = true
        continue
      }
      if flag == "--exact" {
        exactLosses = true
        continue
      }
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

import Foundation

/// The command line: `charlm [FILE...] [--steps N] [--context K] [--embedding D] [--hidden H] [--batch B]
/// [--seed S] [--sample N] [--out DIR]`.
struct Options {
  /// The text files to learn from; none means this repository's own Swift sources.
  var files: [String] = []
  /// The number of training steps.
  var steps = 12000
  /// How many characters the model sees before the one it predicts.
  var context = 8
  /// The length of each character's vector in the embedding table.
  var embedding = 24
  /// The width of the hidden layer.
  var hidden = 256
  /// Examples per minibatch.
  var batch = 64
  /// The seed of every random draw (initialisation, minibatches, sampling).
  var seed: UInt64 = 42
  /// How many characters to sample at the end.
  var sampleLength = 400
  /// Where step.mgir, the weights, step.svg and sample.txt go.
  var outputDirectory = "out/charlm"

  static let usage = """
    usage: charlm [FILE...] [--steps N] [--context K] [--embedding D] [--hidden H] [--batch B] [--seed S]
                  [--sample N] [--out DIR]
      (defaults: this repository's Swift sources, 12000 steps, context 8, embedding 24, hidden 256,
       batch 64, seed 42, 400 sampled characters, out/charlm)
    """

  /// Parses `arguments` (without the program name); prints the usage and exits on anything else.
  init(_ arguments: [String]) {
    var remaining = arguments[...]
    while let flag = remaining.popFirst() {
      if flag == "-h" || flag == "--help" { Self.exit(Self.usage, status: 0) }
      guard flag.hasPrefix("--") else {
        files.append(flag)
        continue
      }
      guard let value = remaining.popFirst() else { Self.exit("charlm: \(flag) needs a value\n\(Self.usage)") }
      func count(atLeast minimum: Int) -> Int {
        guard let number = Int(value), number >= minimum else {
          Self.exit("charlm: \(flag) needs a whole number of at least \(minimum), not \(value)")
        }
        return number
      }
      switch flag {
      case "--steps": steps = count(atLeast: 1)
      case "--context": context = count(atLeast: 1)
      case "--embedding": embedding = count(atLeast: 1)
      case "--hidden": hidden = count(atLeast: 1)
      case "--batch": batch = count(atLeast: 1)
      case "--sample": sampleLength = count(atLeast: 0)
      case "--seed": seed = UInt64(count(atLeast: 0))
      case "--out": outputDirectory = value
      default: Self.exit("charlm: unknown option \(flag)\n\(Self.usage)")
      }
    }
  }

  static func exit(_ message: String, status: Int32 = 2) -> Never {
    FileHandle(fileDescriptor: status == 0 ? 1 : 2).write(Data((message + "\n").utf8))
    Foundation.exit(status)
  }
}

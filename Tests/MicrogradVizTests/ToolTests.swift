import Foundation
import Micrograd
import MicrogradViz
import Testing

/// `micrograd-viz` run as a user runs it: the built binary on real files.
@Suite struct ToolTests {
  /// What a run printed and how it ended.
  struct Run {
    var status: Int32
    var signalled: Bool
    var output: Data
    var errors: String
  }

  /// The binary built beside the test bundle.
  static let binary: String = {
    let bundle = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "/proc/self/exe"
    return URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent("micrograd-viz").path
  }()

  func run(_ arguments: [String]) throws -> Run {
    try #require(
      FileManager.default.isExecutableFile(atPath: Self.binary),
      "build the tool first (swift build --build-tests builds it): \(Self.binary)")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Self.binary)
    process.arguments = arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let printed = output.fileHandleForReading.readDataToEndOfFile()
    let complained = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Run(
      status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
      output: printed, errors: String(decoding: complained, as: UTF8.self))
  }

  /// Runs the tool on a file holding `contents` in a fresh directory.
  func run(on contents: Data, named name: String = "graph.dot", _ arguments: [String] = []) throws -> (Run, String) {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    try contents.write(to: URL(fileURLWithPath: directory.file(name)))
    let result = try run([directory.file(name), "-o", directory.file("out.svg")] + arguments)
    let written = try? Data(contentsOf: URL(fileURLWithPath: directory.file("out.svg")))
    return (result, written.map { String(decoding: $0, as: UTF8.self) } ?? "")
  }

  @Test func rendersDOTToSVG() throws {
    let (result, svg) = try run(on: Data("digraph { matmul -> relu }".utf8))
    #expect(result.status == 0, "\(result.errors)")
    let document = try #require(SVGDocument(Data(svg.utf8)))
    #expect(document.shows("matmul"))
    #expect(document.shows("relu"))
  }

  @Test func formatsAndStandardOutput() throws {
    let directory = try TemporaryDirectory()
    defer { directory.cleanUp() }
    let file = directory.file("g.gv")
    try Data("digraph { a -> b }".utf8).write(to: URL(fileURLWithPath: file))
    let png = try run([file, "--format", "png"])
    #expect(png.status == 0)
    #expect(png.output.starts(with: [0x89, 0x50, 0x4e, 0x47]))
    let dot = try run([file, "--format", "dot"])
    #expect(dot.status == 0)
    #expect(String(decoding: dot.output, as: UTF8.self) == "digraph { a -> b }")
    let byExtension = try run([file, "-o", directory.file("g.png")])
    #expect(byExtension.status == 0)
    #expect(try Data(contentsOf: URL(fileURLWithPath: directory.file("g.png"))).starts(with: [0x89, 0x50]))
  }

  @Test func malformedDOTExitsOneWithGraphvizMessage() throws {
    let (result, written) = try run(on: Data("digraph { a -> ".utf8))
    #expect(result.status == 1)
    #expect(!result.signalled)
    #expect(result.errors.hasPrefix("micrograd-viz: error: invalid graph: syntax error"), "\(result.errors)")
    #expect(result.errors.split(separator: "\n").count == 1)
    #expect(written.isEmpty)
  }

  /// Not under AddressSanitizer (`make asan`): there the double free inside
  /// Graphviz is reported by ASan itself, which is what ASan is for.
  @Test(.disabled(if: ProcessInfo.processInfo.environment["MICROGRAD_SANITIZER"] == "address"))
  func graphvizCrashIsInvalidInputNotACrash() throws {
    // A training step's picture with plain edge labels (the library writes
    // external ones): Graphviz 2.4x frees memory twice laying it out, as it
    // does for labelled edges within one rank in a graph with clusters.
    let text = dot(try Samples.mlpStepProgram()).replacingOccurrences(of: "xlabel=", with: "label=")
    let (result, svg) = try run(on: Data(text.utf8))
    #expect(!result.signalled)
    if result.status == 1 {
      // An abort, or a segmentation fault: the heap is corrupt either way.
      #expect(result.errors.hasPrefix("micrograd-viz: error: Graphviz crashed while laying out the graph (signal "))
      #expect(result.errors.split(separator: "\n").count == 1)
    } else {
      #expect(result.status == 0, "\(result.errors)")
      #expect(SVGDocument(Data(svg.utf8)) != nil)
    }
  }

  @Test(arguments: 0..<12)
  func anyBytesGiveZeroOrOne(_ seed: Int) throws {
    var generator = SplitMix(seed: UInt64(seed))
    var bytes = Array("digraph { a -> b [label=\"x\"]; subgraph cluster_c { c; d } c -> a }".utf8)
    for _ in 0..<(1 + seed % 6) {
      let position = Int(generator.next() % UInt64(bytes.count))
      switch generator.next() % 3 {
      case 0: bytes[position] = UInt8(truncatingIfNeeded: generator.next())
      case 1: bytes.insert(contentsOf: Array("{[<\"\\;->".utf8).shuffled(using: &generator).prefix(3), at: position)
      default: bytes.removeSubrange(position..<min(bytes.count, position + 4))
      }
    }
    if seed == 11 { bytes = (0..<400).map { _ in UInt8(truncatingIfNeeded: generator.next()) } }
    let (result, _) = try run(on: Data(bytes))
    #expect(!result.signalled, "\(result.errors)")
    #expect(result.status == 0 || result.status == 1)
    if result.status == 1 { #expect(result.errors.split(separator: "\n").count == 1, "\(result.errors)") }
  }

  @Test func inputProblemsExitOne() throws {
    let missing = try run(["/nonexistent/graph.dot"])
    #expect(missing.status == 1)
    #expect(missing.errors == "micrograd-viz: error: cannot read /nonexistent/graph.dot\n")
    let (binary, _) = try run(on: Data([0x64, 0x69, 0x00, 0x67]))
    #expect(binary.status == 1)
    #expect(binary.errors.contains("NUL"))
    let (ir, _) = try run(on: Data("micrograd-ir 1\n".utf8), named: "step.mgir")
    #expect(ir.status == 1)
    #expect(ir.errors.hasPrefix("micrograd-viz: error: "), "\(ir.errors)")
    #expect(ir.errors.split(separator: "\n").count == 1, "\(ir.errors)")
  }

  @Test(arguments: [
    [], ["g.dot", "--section", "sideways"], ["g.dot", "--rankdir", "BT"], ["g.dot", "--bogus"],
    ["g.dot", "--format", "jpeg"], ["a.dot", "b.dot"],
  ])
  func usageErrorsExitTwo(_ arguments: [String]) throws {
    let result = try run(arguments)
    #expect(result.status == 2, "\(result.errors)")
    #expect(result.errors.contains("Usage: micrograd-viz") || result.errors.contains("USAGE: micrograd-viz"))
  }

  @Test func helpExitsZero() throws {
    let result = try run(["--help"])
    #expect(result.status == 0)
    let help = String(decoding: result.output, as: UTF8.self)
    for option in ["--section", "--rankdir", "--collapse", "--no-values", "--format", "--output"] {
      #expect(help.contains(option))
    }
  }
}

/// A small seeded generator for reproducible byte noise.
struct SplitMix: RandomNumberGenerator {
  var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

import Foundation
import Micrograd
import Testing

@testable import MicrogradViz

/// A program of 10,000 instructions drawn as SVG: timed (printed, not
/// asserted) and checked for shape.
@Suite struct LargeProgramTests {
  /// Copies of the value-and-gradient program of a 200-layer residual
  /// tanh MLP (about 800 instructions each after fusion), enough for 10,000: every section, fused
  /// kernels, parameters. Tracing one 2,000-layer network gives the same
  /// size but takes about a minute in a debug build (the elementwise fusion
  /// pass grows faster than linearly); set MICROGRAD_VIZ_TRACE_10K=1 to
  /// draw that one instead.
  static func program() throws -> Program {
    if ProcessInfo.processInfo.environment["MICROGRAD_VIZ_TRACE_10K"] == "1" {
      return try Samples.deepProgram(layers: 2000)
    }
    let one = try Samples.deepProgram(layers: 200)
    let copies = (10_000 + one.instructions.count - 1) / one.instructions.count
    return Samples.repeated(one, copies: copies)
  }

  @Test func tenThousandInstructionsRenderInSeconds() throws {
    let program = try Self.program()
    #expect(program.instructions.count >= 10_000)
    let clock = ContinuousClock()
    var text = ""
    let dotTime = clock.measure { text = dot(program) }
    var svg = Data()
    let svgTime = try clock.measure { svg = try renderSVG(program) }
    print(
      "\(program.instructions.count) instructions: DOT text \(text.utf8.count / 1024) KiB in \(dotTime), "
        + "SVG \(svg.count / 1024) KiB in \(svgTime) "
        + "(\((program.instructions.count + ProgramDrawing.pageSize - 1) / ProgramDrawing.pageSize) pages)")
    // Drawn in brief: no clusters, every instruction a node, pages in a row.
    #expect(!text.contains("subgraph cluster"))
    let source = String(decoding: svg, as: UTF8.self)
    #expect(source.hasPrefix("<?xml"))
    let pages = (program.instructions.count + ProgramDrawing.pageSize - 1) / ProgramDrawing.pageSize
    #expect(source.components(separatedBy: "<g id=\"page").count - 1 == pages)
    #expect(source.components(separatedBy: "class=\"node\"").count - 1 > program.instructions.count)
  }
}

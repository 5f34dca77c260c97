import Foundation
import Micrograd
import Testing

@testable import MicrogradViz

/// Pictures of compiled programs: what a reader sees in the SVG.
@Suite struct ProgramDrawingTests {
  @Test func trainingStepShowsOperationsParametersAndSections() throws {
    let program = try Samples.mlpStepProgram()
    let svg = try #require(SVGDocument(try renderSVG(program)))
    #expect(svg.root == "svg")
    for label in ["matmul.nt", "relu", "add", "sum[axes=0]", "layers.0.weight", "layers.2.bias", "x0", "loss"] {
      #expect(svg.shows(label), "no text \(label)")
    }
    #expect(svg.shows("sgd[momentum=0.9,dampening=0.0,weight_decay=0.0,nesterov=false]"))
    #expect(svg.shows("layers.1.weight.momentum_buffer"))
    #expect(svg.shows("\(program.instructions.count) instructions"))
    // Shapes ride on the edges, with the buffer when the program has a plan.
    #expect(svg.texts.contains { $0.content == "[8,16]" || $0.content.hasPrefix("[8,16] b") })
    // Each section in its own colour.
    let text = dot(program)
    for (section, colors) in [("forward", Palette.forward), ("backward", Palette.backward), ("update", Palette.update)]
    {
      let index = try #require(program.instructions.firstIndex { $0.section.rawValue == section })
      let line = try #require(
        text.split(separator: "\n").first { $0.hasPrefix("    i\(index)_") || $0.hasPrefix("  i\(index) ") })
      #expect(line.contains("fillcolor=\"\(colors.fill)\""), "\(section): \(line)")
    }
  }

  @Test func fusedKernelIsAClusterHoldingItsOps() throws {
    let program = try Samples.mlpStepProgram()
    let index = try #require(program.instructions.firstIndex { $0.operation.name == "matmul+fused" })
    let svg = try #require(SVGDocument(try renderSVG(program)))
    let cluster = try #require(svg.clusters.first { $0.identifier == "cluster_i\(index)" })
    let inside = svg.texts(in: cluster)
    #expect(inside.contains("matmul+fused add+relu"))
    #expect(inside.contains("matmul.nt"))
    #expect(inside.contains("add"))
    #expect(inside.contains("relu"))
    // The parameters it reads are drawn outside it.
    #expect(!inside.contains("layers.0.weight"))
    #expect(svg.clusters.count == program.instructions.filter { $0.operation.kernel != nil }.count)
  }

  @Test func tooltipsCarryLocationsNotesAndTheInstruction() throws {
    let program = try Samples.mlpStepProgram()
    let svg = try #require(SVGDocument(try renderSVG(program)))
    let fused = try #require(program.instructions.first { $0.operation.name == "matmul+fused" })
    let results = fused.outputs.map { "%\($0)" }.joined(separator: ", ") + " = matmul.nt+fused{"
    let tooltip = try #require(svg.tooltips.first { $0.hasPrefix(results) })
    #expect(tooltip.contains("@ \(fused.location)"))
    for note in fused.notes { #expect(tooltip.contains("# " + note)) }
    #expect(svg.tooltips.contains { $0.contains("\"layers.0.weight\" f32[16,2] parameter") })
  }

  @Test func collapsedKernelsAreSingleNodes() throws {
    let program = try Samples.mlpStepProgram()
    let svg = try #require(SVGDocument(try renderSVG(program, options: VizOptions(collapseFusedKernels: true))))
    #expect(svg.clusters.isEmpty)
    #expect(svg.shows("matmul.nt+fused"))
    #expect(svg.texts.contains { $0.content == "add+relu" })
  }

  @Test(arguments: [VizOptions.Section.forward, .backward, .update])
  func sectionFilterDrawsOnlyThatSection(_ section: VizOptions.Section) throws {
    let program = try Samples.mlpStepProgram()
    let text = dot(program, options: VizOptions(section: section))
    let chosen = program.instructions.indices.filter { program.instructions[$0].section.rawValue == section.rawValue }
    let others = program.instructions.indices.filter { program.instructions[$0].section.rawValue != section.rawValue }
    for index in chosen { #expect(text.contains("cluster_i\(index) ") || text.contains("  i\(index) [")) }
    for index in others { #expect(!text.contains("cluster_i\(index) ") && !text.contains("  i\(index) [")) }
    let svg = try #require(SVGDocument(try render(dot: text, format: .svg)))
    #expect(svg.shows("\(chosen.count) instructions (\(section.rawValue))"))
  }

  @Test func backwardSectionShowsForwardValuesAsOutsideNodes() throws {
    let program = try Samples.mlpStepProgram()
    let text = dot(program, options: VizOptions(section: .backward))
    // Forward activations read by backward kernels: dashed nodes of their own.
    #expect(text.contains("style=\"dashed\""))
    #expect(!text.contains("fillcolor=\"\(Palette.forward.fill)\""))
  }

  @Test func directionAndValuesOptions() throws {
    let program = Samples.handmadeProgram()
    #expect(dot(program, options: VizOptions(rankDirection: .leftToRight)).contains("rankdir=\"LR\""))
    let shown = try #require(SVGDocument(try renderSVG(program)))
    #expect(shown.texts.contains { $0.content == "0.5" })
    let hidden = try #require(SVGDocument(try renderSVG(program, options: VizOptions(showValues: false))))
    #expect(!hidden.texts.contains { $0.content == "0.5" })
    #expect(hidden.shows("const"))
  }

  @Test func memoryPlanBuffersOnEdgesAndInTheTitle() throws {
    let program = Samples.handmadeProgram()
    let svg = try #require(SVGDocument(try renderSVG(program)))
    #expect(svg.texts.contains { $0.content == "[2,4] b0" })
    #expect(svg.shows("2 buffers, peak 0.03516 KiB"))
    #expect(svg.tooltips.contains { $0.contains("%3 f32[2,4], buffer 0") })
    let plain = try #require(SVGDocument(try renderSVG(program, options: VizOptions(showBuffers: false))))
    #expect(plain.texts.contains { $0.content == "[2,4]" })
    #expect(!plain.shows("buffers"))
  }

  @Test func awkwardNamesSurviveEscaping() throws {
    let program = Samples.handmadeProgram()
    let svg = try #require(SVGDocument(try renderSVG(program)))
    #expect(svg.texts.contains { $0.content == Samples.awkwardName }, "texts: \(svg.texts.map(\.content))")
    #expect(svg.tooltips.contains { $0.contains("\"\(Samples.awkwardName)\" f32[3,4] parameter") })
  }

  @Test func longProgramIsDrawnInPagesWithReferences() throws {
    let program = try Samples.chainProgram(count: 2 * ProgramDrawing.pageSize + 20)
    let text = dot(program)
    #expect(text.contains("pack="))
    // Values read far from where they are made come from reference nodes.
    #expect(text.contains("  r1 ["))
    let data = try renderSVG(program)
    let svg = try #require(SVGDocument(data))
    let drawn = Set(svg.nodeIdentifiers.compactMap { $0.firstMatch(of: /^i(\d+)/).map { String($0.1) } })
    #expect(drawn.count == program.instructions.count)
    let source = String(decoding: data, as: UTF8.self)
    #expect(source.components(separatedBy: "<g id=\"page").count - 1 == 3)
    let ids = source.matches(of: /\sid="([^"]+)"/).map { String($0.1) }
    #expect(Set(ids).count == ids.count, "element ids repeat across pages")
  }

  @Test func briefDrawingDropsClustersConstantsAndEdgeLabels() throws {
    let program = try Samples.mlpStepProgram()
    let text = dot(program, options: VizOptions(briefAbove: 10))
    #expect(!text.contains("subgraph cluster"))
    #expect(!text.contains("xlabel"))
    #expect(!text.contains("shape=\"plaintext\""))
    let svg = try #require(SVGDocument(try renderSVG(program, options: VizOptions(briefAbove: 10))))
    #expect(svg.shows("matmul.nt+fused"))
    let one = try #require(program.values.indices.first { program.values[$0].role == .constant([1]) })
    #expect(svg.tooltips.contains { $0.contains("reads %\(one) f32[] constant 1") })
  }
}

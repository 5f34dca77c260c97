import Foundation
import Micrograd
import Testing

@testable import MicrogradViz

/// Pictures of live graphs: micrograd's records of data and grad, op nodes
/// between them.
@Suite struct TensorGraphTests {
  @Test func eagerGraphShowsOpsNamesDataAndGrads() throws {
    let (loss, model, x) = Samples.eagerLoss()
    var graph = TensorGraph(loss, module: model)
    graph.name(x, "x")
    let svg = try #require(SVGDocument(try renderSVG(graph)))
    for label in ["matmul", "relu", "add", "layers.0.weight", "layers.1.bias", "f32[4,2]"] {
      #expect(svg.shows(label), "no text \(label)")
    }
    // The output bias has one element: its data and grad listed.
    let bias = model.namedParameters().first { $0.name == "layers.1.bias" }!.parameter
    let grad = try #require(bias.grad)
    #expect(svg.shows("data [\(Formatting.number(bias.scalars[0]))]"))
    #expect(svg.shows("grad [\(Formatting.number(grad.scalars[0]))]"))
    // The batch: named, twelve elements so a summary instead of a list.
    #expect(svg.texts.contains { $0.content == "x" })
    #expect(svg.shows("f32[6,2]"))
    #expect(svg.shows("data min"))
  }

  @Test func rolesHaveTheirOwnColours() throws {
    let w = Tensor([1, 2, 3, 4], shape: [2, 2], requiresGrad: true)
    let x = Tensor([1, -1, 2, -2], shape: [2, 2])
    let y = relu(matmul(x, w)).sum()
    let text = dot(TensorGraph([y], names: [("w", w), ("x", x)]))
    let lines = text.split(separator: "\n")
    func line(showing name: String) -> Substring? { lines.first { $0.contains("label=\"{\(name)|") } }
    #expect(line(showing: "w")?.contains("fillcolor=\"\(Palette.parameter.fill)\"") == true)
    #expect(line(showing: "x")?.contains("fillcolor=\"\(Palette.input.fill)\"") == true)
    #expect(lines.contains { $0.contains("fillcolor=\"\(Palette.output.fill)\"") })
    // y = sum(relu(x·w)): three ops, five records.
    #expect(lines.filter { $0.contains("shape=\"ellipse\"") }.count == 3)
    #expect(lines.filter { $0.contains("shape=\"record\"") }.count == 5)
  }

  @Test func tracedGraphIsSymbolic() throws {
    let w = Tensor.normal([3, 2], requiresGrad: true)
    let drawing = DrawingBox()
    let f = compile { xs in
      let y = relu(matmul(xs[0], w))
      drawing.text = dot(TensorGraph([y], names: [("w", w)]))
      return [y]
    }
    _ = try f.program(for: [[4, 3]])
    let svg = try #require(SVGDocument(try render(dot: drawing.text, format: .svg)))
    #expect(svg.shows("data symbolic"))
    #expect(svg.shows("matmul"))
    #expect(svg.shows("relu"))
    #expect(svg.shows("w"))
  }

  @Test func valuesCanBeHidden() throws {
    let (loss, model, _) = Samples.eagerLoss()
    let svg = try #require(
      SVGDocument(try renderSVG(TensorGraph(loss, module: model), options: VizOptions(showValues: false))))
    #expect(!svg.shows("data"))
    #expect(!svg.shows("grad"))
    #expect(svg.shows("layers.0.weight"))
  }

  @Test func awkwardNameSurvivesEscaping() throws {
    let w = Tensor([1, 2], shape: [2], requiresGrad: true)
    let y = (w * w).sum()
    let svg = try #require(SVGDocument(try renderSVG(TensorGraph([y], names: [(Samples.awkwardName, w)]))))
    #expect(svg.texts.contains { $0.content == Samples.awkwardName }, "texts: \(svg.texts.map(\.content))")
    #expect(svg.tooltips.contains { $0.hasPrefix(Samples.awkwardName + ": f32[2]") })
  }

  @Test func summaryOfLargeTensors() {
    let values: [Float] = [3, -1, .nan, 2]
    let summary = values.withUnsafeBufferPointer { Formatting.summary($0) }
    #expect(summary == "min -1  mean 1.333  max 3  NaN ×1")
    #expect(Formatting.values([1, 2, 3, 4, 5, 6], shape: [2, 3]) == "[[1, 2, 3], [4, 5, 6]]")
    #expect(Formatting.values([7], shape: []) == "7")
  }
}

/// Carries text out of a traced function.
private final class DrawingBox: @unchecked Sendable {
  var text = ""
}

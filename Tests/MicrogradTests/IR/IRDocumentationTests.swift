import Foundation
import Testing

@testable import Micrograd

/// The examples in docs/IR.md are printed by the real printer: this test
/// writes them when `MICROGRAD_WRITE_IR_DOC=1` is set, and otherwise
/// checks that each example in the page still parses, validates and is the
/// canonical text of its program.
@Suite struct IRDocumentationTests {
  static let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/IR.md")

  /// A 2-8-1 MLP trained on a hinge loss with SGD and momentum: one step.
  static func mlpStep() throws -> Program {
    var generator = RandomGenerator(seed: 1)
    let model = MLP(2, [8, 1], generator: &generator)
    let optimizer = SGD(model.parameters(), lr: 0.1, momentum: 0.9)
    let step = try compile(model, optimizer: optimizer) { x, y in
      hingeLoss(model(x).reshape([-1]), y)
    }
    return try step.program(for: [[16, 2], [16]])
  }

  /// A forward function with a memory plan (a greedy plan made here, as
  /// the memory planner would attach one).
  static func plannedForward() throws -> Program {
    var random = TestRandom(seed: 2)
    let w = random.tensor([2, 8], requiresGrad: false)
    let f = compile { xs in [softmax(matmul(xs[0], w), axis: -1)] }
    var program = try f.program(for: [[4, 2]])
    program.memoryPlan = RandomProgram.plan(for: program)
    return program
  }

  static func examples() throws -> [(name: String, text: String)] {
    [("mlp-step", try mlpStep().text()), ("planned-forward", try plannedForward().text())]
  }

  @Test func examplesInThePageAreValidCanonicalIR() throws {
    var page = try String(contentsOf: Self.page, encoding: .utf8)
    if ProcessInfo.processInfo.environment["MICROGRAD_WRITE_IR_DOC"] != nil {
      for (name, text) in try Self.examples() {
        let (begin, end) = ("<!-- \(name):begin -->\n```\n", "```\n<!-- \(name):end -->")
        let start = try #require(page.range(of: begin)).upperBound
        let stop = try #require(page.range(of: end, range: start..<page.endIndex)).lowerBound
        page.replaceSubrange(start..<stop, with: text)
      }
      try page.write(to: Self.page, atomically: true, encoding: .utf8)
    }
    for (name, _) in try Self.examples() {
      let begin = try #require(page.range(of: "<!-- \(name):begin -->\n```\n"), "no \(name) example in docs/IR.md")
      let stop = try #require(page.range(of: "```\n<!-- \(name):end -->", range: begin.upperBound..<page.endIndex))
      let text = String(page[begin.upperBound..<stop.lowerBound])
      let parsed = try IRParser.parse(text)
      try validate(parsed.program, lines: parsed.lines)
      #expect(parsed.program.text() == text, "\(name) is not canonical: regenerate with MICROGRAD_WRITE_IR_DOC=1")
    }
  }
}

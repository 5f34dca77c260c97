import Testing

@testable import Micrograd

/// Traces `f` on symbolic inputs of `shapes` (forward only, like
/// ``compile(file:line:_:)``) and lowers it, running no pass.
func lowerForward(_ shapes: [Shape], _ f: ([Tensor]) -> [Tensor]) throws -> LoweredProgram {
  var graph = TracedGraph()
  let site = CallSite(#fileID, #line)
  let outputs = Trace.record {
    let inputs = shapes.map { Trace.input($0, site: site) }
    graph.inputs = inputs.enumerated().map { ("x\($0.offset)", $0.element) }
    return f(inputs)
  }
  graph.outputs = outputs.enumerated().map { ("y\($0.offset)", $0.element) }
  graph.forwardRoots = outputs
  return try Lowering.lower(graph)
}

/// Traces the value and gradients of `f` with respect to `parameters` (like
/// ``compileValueAndGrad(withRespectTo:names:file:line:_:)``) and lowers
/// it, running no pass.
func lowerValueAndGrad(
  _ shapes: [Shape], withRespectTo parameters: [Tensor], _ f: ([Tensor]) -> Tensor
) throws -> LoweredProgram {
  var graph = TracedGraph()
  let site = CallSite(#fileID, #line)
  graph.parameters = parameters.enumerated().map { ("p\($0.offset)", $0.element) }
  let (loss, grads) = Trace.record {
    let inputs = shapes.map { Trace.input($0, site: site) }
    graph.inputs = inputs.enumerated().map { ("x\($0.offset)", $0.element) }
    let loss = f(inputs)
    return (loss, grad(of: loss, withRespectTo: parameters, createGraph: true))
  }
  graph.outputs = [("loss", loss)] + grads.enumerated().map { ("grad.p\($0.offset)", $0.element) }
  graph.forwardRoots = [loss]
  graph.backwardRoots = grads
  return try Lowering.lower(graph)
}

/// `lowered` after running `passes` in order.
func applying(_ passes: [any Pass], to lowered: LoweredProgram) -> LoweredProgram {
  var result = lowered
  for pass in passes { pass.run(&result.program) }
  return result
}

/// Runs a lowered program on `inputs` with the interpreter.
func execute(_ lowered: LoweredProgram, _ inputs: [Tensor]) throws -> [Tensor] {
  try Interpreter(lowered).run(inputs)
}

/// The three fusion passes, in the pipeline's order.
var fusionPasses: [any Pass] { [ElementwiseFusion(), MatmulEpilogue(), ReductionFusion()] }

/// How many instructions of `program` have an operation named `name`.
func count(_ name: String, in program: Program) -> Int {
  program.instructions.filter { $0.operation.name == name }.count
}

/// The program's printed instruction lines, without locations and notes.
func instructionLines(_ program: Program) -> [String] {
  program.text().split(separator: "\n").map(String.init).filter { $0.hasPrefix("  %") || $0.hasPrefix("  assign") }
    .map { line in String(line.dropFirst(2).prefix { $0 != "@" }).trimmingCharacters(in: .whitespaces) }
}

/// Expects `actual` to hold exactly `expected`'s shape and values (NaN
/// matching NaN).
func expectIdentical(
  _ actual: Tensor, _ expected: Tensor, _ what: String = "", sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
  #expect(actual.shape == expected.shape, "\(what) shape", sourceLocation: sourceLocation)
  guard actual.shape == expected.shape else { return }
  for (i, (a, e)) in zip(actual.scalars, expected.scalars).enumerated() where !(a == e || (a.isNaN && e.isNaN)) {
    Issue.record("\(what)[\(i)]: \(a) vs eager \(e)", sourceLocation: sourceLocation)
    return
  }
}

/// Expects a float32 sum computed by the compiled program to match eager's
/// up to the order of summation.
///
/// Summing n terms in any order lands within (n−1)·u·Σ|terms| of the exact
/// sum (Higham, *Accuracy and Stability of Numerical Algorithms*, §4.2;
/// u = 2⁻²⁴ for float32), so two orders differ by at most twice that. Fusion
/// keeps eager's order today, so the gap is in fact 0; the bound is what a
/// reordering kernel (pairwise, SIMD lanes, threads) may cost.
func expectSumClose(
  _ actual: Float, _ expected: Float, terms: Int, magnitude: Float, _ what: String = "",
  sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
  let bound = 2 * Float(max(terms - 1, 0)) * 0x1p-24 * magnitude
  #expect(
    abs(actual - expected) <= bound, "\(what): \(actual) vs eager \(expected) (bound \(bound))",
    sourceLocation: sourceLocation)
}

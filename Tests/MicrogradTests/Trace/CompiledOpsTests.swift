import Testing

@testable import Micrograd

/// Every op of every fixture family, compiled (forward + backward through
/// the traced program) against eager mode on the same inputs.
@Suite struct CompiledOpsTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var family: String
    var fixture: FixtureCase
    var op: @Sendable ([Tensor]) -> Tensor
    var testDescription: String { "\(family)/\(fixture.name)" }
  }

  static var cases: [Case] {
    let tables: [(String, OpTable)] = [
      ("core", CoreOpsTests.ops), ("elementwise", ElementwiseOpsTests.ops), ("shape", ShapeOpsTests.ops),
      ("reduce", ReduceOpsTests.ops), ("embedding", EmbeddingOpsTests.ops),
    ]
    return tables.flatMap { family, table in
      fixtureCases(family).compactMap { fixture in
        table[fixture.name].map { Case(family: family, fixture: fixture, op: $0) }
      }
    }
  }

  /// The compiled program runs the same kernels as eager mode, but passes
  /// may fuse elementwise chains and reductions (summing in another order),
  /// so values agree to float32 rounding: |compiled - eager| <= 1e-5 + 1e-5·|eager|.
  @Test(arguments: cases)
  func compiledEqualsEager(_ c: Case) throws {
    let leaves = c.fixture.inputs.map { Tensor($0.data, shape: Shape($0.shape), requiresGrad: $0.grad ?? false) }
    let cotangent = Tensor(c.fixture.cotangent.data, shape: Shape(c.fixture.cotangent.shape))
    let parameters = leaves.filter(\.requiresGrad)
    // Inputs that need no gradient are fed at run time; the rest are parameters.
    let inputPositions = leaves.indices.filter { !leaves[$0].requiresGrad }
    func assemble(_ given: [Tensor]) -> [Tensor] {
      var all = leaves
      for (k, position) in inputPositions.enumerated() { all[position] = given[k] }
      return all
    }
    let eagerOutput = c.op(leaves)
    let forward = compile { xs in [c.op(assemble(xs))] }
    let compiledOutput = try forward.call(inputPositions.map { leaves[$0] })[0]
    expectClose(compiledOutput.scalars, eagerOutput.scalars, "output")
    guard !parameters.isEmpty, eagerOutput.requiresGrad else { return }
    (eagerOutput * cotangent).sum().backward()
    let valueAndGrad = compileValueAndGrad(withRespectTo: parameters) { xs in (c.op(assemble(xs)) * cotangent).sum() }
    let results = try valueAndGrad.call(inputPositions.map { leaves[$0] })
    for (k, parameter) in parameters.enumerated() {
      expectClose(results[k + 1].scalars, parameter.grad?.scalars ?? [], "gradient \(k)")
    }
  }

  func expectClose(
    _ a: [Float], _ b: [Float], _ what: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) {
    #expect(a.count == b.count, "\(what): \(a.count) vs \(b.count) elements", sourceLocation: sourceLocation)
    for (x, y) in zip(a, b) where !(abs(x - y) <= 1e-5 + 1e-5 * abs(y)) && !(x.isNaN && y.isNaN) && x != y {
      Issue.record("\(what): compiled \(x) vs eager \(y)", sourceLocation: sourceLocation)
      return
    }
  }
}

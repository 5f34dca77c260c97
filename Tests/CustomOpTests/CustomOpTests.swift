import Foundation
import Micrograd
import Testing

/// Ops defined outside the module (``Softplus``, ``Hypot``) through the
/// public `CustomOp` API: values, gradients against finite differences
/// (first and second order), compiled == eager, the IR, and a training step.
@Suite struct CustomOpTests {
  @Test func softplusMatchesItsFormula() {
    let x = Tensor([-3, -0.5, 0, 0.25, 2, 5])
    let expected = log(1 + exp(x)).scalars
    let values = softplus(x).scalars
    // Two ways of rounding float32: log(1 + exp(x)) and max(x, 0) + log1p(exp(-|x|)).
    for (value, reference) in zip(values, expected) { #expect(Swift.abs(value - reference) <= 1e-6 + 1e-6 * reference) }
    #expect(softplus(Tensor([100])).item() == 100)  // no overflow through exp
  }

  @Test func finiteDifferences() {
    var generator = RandomGenerator(seed: 1)
    let x = Tensor.uniform([3, 4], low: -2, high: 2, requiresGrad: true, generator: &generator)
    let a = Tensor.uniform([5], low: 0.5, high: 2, requiresGrad: true, generator: &generator)
    let b = Tensor.uniform([5], low: -2, high: -0.5, requiresGrad: true, generator: &generator)
    expectGradientsMatchFiniteDifferences([x]) { softplus($0[0]) }
    expectGradientsMatchFiniteDifferences([x]) { softplus($0[0] * $0[0]).sum(axis: 1) }
    expectGradientsMatchFiniteDifferences([a, b]) { hypot($0[0], $0[1]) }
    expectGradientsMatchFiniteDifferences([a, b]) { softplus(hypot($0[0], $0[1]) * $0[1]) }
  }

  /// The backward rules are tensor ops, so they differentiate again.
  @Test func secondOrderFiniteDifferences() {
    var generator = RandomGenerator(seed: 2)
    let x = Tensor.uniform([6], low: -2, high: 2, requiresGrad: true, generator: &generator)
    let y = Tensor.uniform([6], low: 0.5, high: 2, requiresGrad: true, generator: &generator)
    expectGradientsMatchFiniteDifferences([x]) { xs in
      grad(of: softplus(xs[0]).sum(), withRespectTo: [xs[0]], createGraph: true)[0]
    }
    expectGradientsMatchFiniteDifferences([x, y]) { xs in
      grad(of: hypot(xs[0], xs[1]).sum(), withRespectTo: [xs[0]], createGraph: true)[0]
    }
  }

  /// The compiled program calls the same registered kernel and traces the
  /// same backward rule: values and gradients equal eager mode's.
  @Test func compiledEqualsEager() throws {
    var generator = RandomGenerator(seed: 3)
    let x = Tensor.uniform([4, 3], low: -2, high: 2, generator: &generator)
    let w = Tensor.uniform([3, 3], low: -1, high: 1, requiresGrad: true, generator: &generator)
    let v = Tensor.uniform([4, 3], low: 0.5, high: 1, requiresGrad: true, generator: &generator)
    func f(_ x: Tensor) -> Tensor { hypot(softplus(matmul(x, w)), v).sum() }
    let eager = f(x)
    eager.backward()
    let forward = compile { xs in [softplus(xs[0])] }
    #expect(try forward(x)[0].scalars == softplus(x).scalars)
    let valueAndGrad = compileValueAndGrad(withRespectTo: [w, v]) { xs in f(xs[0]) }
    let results = try valueAndGrad(x)
    // Sums and matmul run in the same order compiled and eager; fusion may
    // reorder elementwise float work, hence float32 rounding, not equality.
    #expect(Swift.abs(results[0].item() - eager.item()) <= 1e-5 * Swift.abs(eager.item()))
    for (computed, expected) in zip(results.dropFirst(), [w.grad!, v.grad!]) {
      for (a, b) in zip(computed.scalars, expected.scalars) { #expect(Swift.abs(a - b) <= 1e-5 + 1e-5 * Swift.abs(b)) }
    }
  }

  /// The op is the instruction `custom[name]`; the text parses back, validates and runs.
  @Test func programNamesTheOpAndParsesBack() throws {
    let w = Tensor([1, 2, 3], requiresGrad: true)
    let f = compileValueAndGrad(withRespectTo: [w]) { xs in softplus(xs[0] * w).sum() }
    let program = try f.program(for: [[2, 3]])
    let text = program.text()
    #expect(text.contains("= custom[softplus] %"), "\(text)")
    let parsed = try Program(parsing: text)
    #expect(parsed == program)
    #expect(parsed.text() == text)
    try validate(parsed)
  }

  /// A program naming an op this process never registered is a parse error at its name.
  @Test func unregisteredOpIsAParseErrorAtItsName() throws {
    let text = try compile { xs in [softplus(xs[0])] }.program(for: [[2]]).text()
      .replacingOccurrences(of: "custom[softplus]", with: "custom[elsewhere.gelu]")
    let line = try #require(
      text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("gelu") })
    #expect {
      _ = try Program(parsing: text)
    } throws: { error in
      guard let error = error as? IRParseError else { return false }
      let expectedColumn =
        text.split(separator: "\n", omittingEmptySubsequences: false)[line]
        .distance(
          from: text.split(separator: "\n", omittingEmptySubsequences: false)[line].startIndex,
          to: text.split(separator: "\n", omittingEmptySubsequences: false)[line].range(of: "elsewhere")!.lowerBound)
        + 1
      return error.line == line + 1 && error.column == expectedColumn
        && error.message.contains("custom op 'elsewhere.gelu' is not registered")
    }
  }

  /// A model using the op trains the same way eager and compiled (AdamW), and learns.
  @Test func trainingStepMatchesEager() throws {
    final class Model: Module {
      let first: Linear
      let second: Linear
      init(generator: inout RandomGenerator) {
        first = Linear(2, 8, generator: &generator)
        second = Linear(8, 1, generator: &generator)
      }
      override func forward(_ x: Tensor) -> Tensor { second(softplus(first(x))).reshape([-1]) }
    }
    var generator = RandomGenerator(seed: 4)
    let x = Tensor.uniform([16, 2], low: -1, high: 1, generator: &generator)
    let y = (x * Tensor([1.5, -2])).sum(axis: 1) + 0.5
    var first = RandomGenerator(seed: 5)
    var second = RandomGenerator(seed: 5)
    let eager = Model(generator: &first)
    let compiled = Model(generator: &second)
    func loss(_ model: Model, _ x: Tensor, _ y: Tensor) -> Tensor {
      let error = model(x) - y
      return (error * error).sum() / Float(y.count)
    }
    let eagerOptimizer = AdamW(eager.parameters(), lr: 0.05)
    let step = try compile(compiled, optimizer: AdamW(compiled.parameters(), lr: 0.05)) { x, y in loss(compiled, x, y) }
    var eagerLosses: [Float] = []
    var compiledLosses: [Float] = []
    for _ in 0..<30 {
      eagerOptimizer.zeroGrad()
      let value = loss(eager, x, y)
      value.backward()
      eagerOptimizer.step()
      eagerLosses.append(value.item())
      compiledLosses.append(try step(x, y).item())
    }
    // Same kernels and update rule; fusion may round elementwise work differently: float32 rounding, compounded
    // over 30 steps, stays within 1e-4 relative.
    for (a, b) in zip(compiledLosses, eagerLosses) { #expect(Swift.abs(a - b) <= 1e-4 * Swift.abs(b) + 1e-6) }
    #expect(compiledLosses.last! < compiledLosses.first! / 4, "\(compiledLosses)")
    let program = try step.program(for: [[16, 2], [16]])
    #expect(program.text().contains("custom[softplus]"))
  }

  @Test func shapeRuleRefusalStops() async {
    let line = #line + 1
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = hypot(Tensor.zeros([2, 3]), Tensor.zeros([3]))
    }
    let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    for fragment in ["test.hypot", "two inputs of one shape", "[2, 3]", "[3]", "CustomOpTests.swift:\(line)"] {
      #expect(text.contains(fragment), "missing \(fragment) in \(text)")
    }
  }
}

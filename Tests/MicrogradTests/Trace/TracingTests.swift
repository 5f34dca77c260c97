import Foundation
import Testing

@testable import Micrograd

/// What tracing does with values: reading one stops with an error; captured
/// tensors are read live, never frozen; gradients of gradients compile.
@Suite struct TracingTests {
  @Test func readingATracedValueStopsWithTheOpAndLine() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      readTracedValue()
    }
    let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(text.contains("needed during tracing"), "\(text)")
    #expect(text.contains("TracingTests.swift:\(Self.readLine)"), "\(text)")
    #expect(text.contains("mul at"), "\(text)")
  }

  static let readLine = 64

  @Test func capturedTensorsAreReadLiveNotFrozen() throws {
    let scale = Tensor([2, 2, 2])
    let f = compile { xs in [xs[0] * scale] }
    let x = Tensor([1, 2, 3])
    #expect(try f(x)[0].scalars == [2, 4, 6])
    scale.updateValues { $0[0] = 10 }
    #expect(try f(x)[0].scalars == [10, 4, 6])
    #expect(f.traceCount == 1)
  }

  @Test func gradientsOfGradientsCompile() throws {
    // f(w) = sum((d/dw sum(tanh(w·x)))²) needs the second derivative of tanh.
    let w = Tensor([0.3, -0.7, 1.1], requiresGrad: true)
    func f(_ x: Tensor) -> Tensor {
      let inner = grad(of: tanh(w * x).sum(), withRespectTo: [w], createGraph: true)[0]
      return (inner * inner).sum()
    }
    let x = Tensor([0.5, 1.5, -2])
    let eager = f(x)
    eager.backward()
    let compiled = try compileValueAndGrad(withRespectTo: [w]) { xs in f(xs[0]) }(x)
    #expect(abs(compiled[0].item() - eager.item()) <= 1e-6 * (1 + abs(eager.item())))
    for (a, b) in zip(compiled[1].scalars, w.grad!.scalars) { #expect(abs(a - b) <= 1e-5 * (1 + abs(b))) }
  }

  @Test func learningRateScheduleDoesNotRetrace() throws {
    var generator = RandomGenerator(seed: 2)
    let model = MLP(2, [3, 1], generator: &generator)
    let step = try compile(model, optimizer: SGD(model.parameters(), lr: 0.1)) { x, y in mseLoss(model(x), y) }
    let x = Tensor.normal([4, 2], generator: &generator)
    let y = Tensor.normal([4, 1], generator: &generator)
    for k in 0..<5 { try step(x, y, lr: 0.1 / Double(k + 1)) }
    #expect(step.traceCount == 1)
    try step(Tensor.normal([6, 2], generator: &generator), Tensor.normal([6, 1], generator: &generator))
    #expect(step.traceCount == 2)
  }
}

/// Traces a function that looks at a value (the line of `.item()` is
/// `TracingTests.readLine`).
func readTracedValue() {
  let f = compile { xs in
    let doubled = xs[0] * 2
    _ = doubled.item()
    return [doubled]
  }
  _ = try? f(Tensor([1, 2]))
}

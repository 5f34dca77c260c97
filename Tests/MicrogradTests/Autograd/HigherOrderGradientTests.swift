import Foundation
import Testing

@testable import Micrograd

/// Gradients of gradients: backward rules are tensor ops, so with
/// `createGraph` a gradient is itself a graph that can be differentiated.
@Suite struct HigherOrderGradientTests {
  static let points: [Float] = [-2.5, -1.2, -0.3, 0, 0.4, 1.1, 2.2]

  @Test func secondDerivativeOfTanhMatchesClosedForm() throws {
    let x = Tensor(Self.points, requiresGrad: true)
    // Summing makes the output a scalar; each point's derivative is independent.
    let first = grad(of: tanh(x).sum(), withRespectTo: [x], createGraph: true)[0]
    try #require(first.requiresGrad)
    let second = grad(of: first.sum(), withRespectTo: [x], createGraph: true)[0]
    let third = grad(of: second.sum(), withRespectTo: [x])[0]
    for (i, v) in Self.points.enumerated() {
      let t = Foundation.tanh(Double(v))
      let d1 = 1 - t * t
      let d2 = -2 * t * d1
      let d3 = -2 * d1 * d1 + 4 * t * t * d1  // d/dx of -2 t (1 - t²)
      #expect(abs(Double(first.scalars[i]) - d1) <= 1e-6, "tanh'(\(v))")
      #expect(abs(Double(second.scalars[i]) - d2) <= 1e-6, "tanh''(\(v))")
      #expect(abs(Double(third.scalars[i]) - d3) <= 1e-5, "tanh'''(\(v))")
    }
  }

  /// An elementwise function, its second derivative in closed form, and where to check it.
  struct SecondDerivative: Sendable, CustomTestStringConvertible {
    var name: String
    var f: @Sendable (Tensor) -> Tensor
    var exact: @Sendable (Double) -> Double
    var points: [Float]
    var testDescription: String { name }
  }

  static let secondDerivatives: [SecondDerivative] = [
    SecondDerivative(
      name: "sigmoid", f: { sigmoid($0) },
      exact: { x in
        let s = 1 / (1 + Foundation.exp(-x))
        return s * (1 - s) * (1 - 2 * s)
      }, points: points),
    SecondDerivative(name: "exp", f: { exp($0) }, exact: { Foundation.exp($0) }, points: points),
    SecondDerivative(name: "log", f: { log($0) }, exact: { -1 / ($0 * $0) }, points: [0.5, 1, 1.7, 3]),
    SecondDerivative(name: "pow 3", f: { $0.pow(3) }, exact: { 6 * $0 }, points: points),
    SecondDerivative(
      name: "pow 0.5", f: { $0.pow(0.5) }, exact: { -0.25 * Foundation.pow($0, -1.5) }, points: [0.5, 1, 3]),
    SecondDerivative(name: "pow -1", f: { $0.pow(-1) }, exact: { 2 / ($0 * $0 * $0) }, points: [-2, -0.5, 0.7, 2]),
    SecondDerivative(name: "relu", f: { relu($0) * $0 }, exact: { $0 > 0 ? 2 : 0 }, points: points),
    SecondDerivative(
      name: "select", f: { select($0 .> 0, $0 * $0 * $0, -$0 * $0) }, exact: { $0 > 0 ? 6 * $0 : -2 }, points: points),
  ]

  @Test(arguments: secondDerivatives)
  func secondDerivativeMatchesClosedForm(_ c: SecondDerivative) throws {
    let x = Tensor(c.points, requiresGrad: true)
    let first = grad(of: c.f(x).sum(), withRespectTo: [x], createGraph: true)[0]
    try #require(first.requiresGrad)
    let second = grad(of: first.sum(), withRespectTo: [x])[0].scalars
    for (i, v) in c.points.enumerated() {
      let exact = c.exact(Double(v))
      #expect(abs(Double(second[i]) - exact) <= 1e-5 * (1 + abs(exact)), "\(c.name)''(\(v))")
    }
  }

  @Test func secondDerivativeOfTanhMatchesFiniteDifferences() throws {
    // Central differences of the first derivative (itself from backward).
    let h: Float = 1e-2
    func firstDerivative(_ points: [Float]) -> [Float] {
      let x = Tensor(points, requiresGrad: true)
      return grad(of: tanh(x).sum(), withRespectTo: [x])[0].scalars
    }
    let x = Tensor(Self.points, requiresGrad: true)
    let first = grad(of: tanh(x).sum(), withRespectTo: [x], createGraph: true)[0]
    try #require(first.requiresGrad)
    let second = grad(of: first.sum(), withRespectTo: [x])[0].scalars
    let plus = firstDerivative(Self.points.map { $0 + h })
    let minus = firstDerivative(Self.points.map { $0 - h })
    for i in Self.points.indices {
      let numeric = (plus[i] - minus[i]) / (2 * h)
      #expect(abs(second[i] - numeric) <= 1e-2 * (1 + abs(numeric)), "at \(Self.points[i])")
    }
  }

  @Test func backwardWithCreateGraphGivesDifferentiableGrad() throws {
    // f = x³ → x.grad = 3x² (a graph); d(x.grad)/dx = 6x.
    let x = Tensor([1.5, -0.5], requiresGrad: true)
    x.pow(3).sum().backward(createGraph: true)
    let firstGrad = try #require(x.grad)
    try #require(firstGrad.requiresGrad)
    #expect(firstGrad.scalars == [6.75, 0.75])
    let second = grad(of: firstGrad.sum(), withRespectTo: [x])[0]
    #expect(second.scalars == [9, -3])
  }

  @Test func gradWithoutCreateGraphIsAConstant() {
    let x = Tensor([0.3, 0.7], requiresGrad: true)
    let g = grad(of: tanh(x).sum(), withRespectTo: [x])[0]
    #expect(!g.requiresGrad)
    #expect(g.inputs.isEmpty)
  }

  /// `H(x)·v` by double backward, against central differences of the
  /// gradient along `v`: `(∇f(x + hv) - ∇f(x - hv)) / 2h`.
  func expectHessianVectorProductMatchesFiniteDifferences(
    _ point: [Float], _ direction: [Float], sourceLocation: Testing.SourceLocation = #_sourceLocation,
    _ f: (Tensor) -> Tensor
  ) {
    func gradient(_ values: [Float]) -> [Float] {
      let x = Tensor(values, requiresGrad: true)
      return grad(of: f(x), withRespectTo: [x])[0].scalars
    }
    let x = Tensor(point, requiresGrad: true)
    let v = Tensor(direction)
    let g = grad(of: f(x), withRespectTo: [x], createGraph: true)[0]
    guard g.requiresGrad else {
      Issue.record("the gradient has no graph to differentiate", sourceLocation: sourceLocation)
      return
    }
    let hvp = grad(of: (g * v).sum(), withRespectTo: [x])[0].scalars
    // The same product with `v` as the seed of the second pass.
    let seeded = grad(of: g, withRespectTo: [x], seed: v)[0].scalars
    let h: Float = 1e-2
    let plus = gradient(zip(point, direction).map { $0 + h * $1 })
    let minus = gradient(zip(point, direction).map { $0 - h * $1 })
    for i in point.indices {
      let numeric = (plus[i] - minus[i]) / (2 * h)
      #expect(abs(hvp[i] - numeric) <= 1e-2 * (1 + abs(numeric)), "(Hv)[\(i)]", sourceLocation: sourceLocation)
      #expect(abs(seeded[i] - hvp[i]) <= 1e-5 * (1 + abs(hvp[i])), "seeded (Hv)[\(i)]", sourceLocation: sourceLocation)
    }
  }

  @Test func hessianVectorProductOfTanhLayer() {
    var random = TestRandom(seed: 11)
    let w = random.tensor([4, 3], -1, 1, requiresGrad: false)
    let point = (0..<3).map { _ in random.uniform(-1, 1) }
    let direction = (0..<3).map { _ in random.uniform(-1, 1) }
    expectHessianVectorProductMatchesFiniteDifferences(point, direction) { x in tanh(matmul(w, x)).sum() }
  }

  @Test func hessianVectorProductOfCubicTimesConstant() throws {
    let y = Tensor([0.5, -1.5, 2, 1])
    // f = Σ x³·y: H = diag(6 x y), so Hv = 6 x y v exactly.
    let point: [Float] = [1.2, -0.7, 0.4, -1.9]
    let direction: [Float] = [0.3, 1, -0.6, 0.8]
    expectHessianVectorProductMatchesFiniteDifferences(point, direction) { x in (x.pow(3) * y).sum() }
    let x = Tensor(point, requiresGrad: true)
    let g = grad(of: (x.pow(3) * y).sum(), withRespectTo: [x], createGraph: true)[0]
    try #require(g.requiresGrad)
    let hvp = grad(of: g, withRespectTo: [x], seed: Tensor(direction))[0].scalars
    for i in point.indices {
      let exact = 6 * point[i] * y.scalars[i] * direction[i]
      #expect(abs(hvp[i] - exact) <= 1e-5 * (1 + abs(exact)))
    }
  }

  @Test func hessianVectorProductThroughSigmoidExpLogAndSelect() {
    // Every elementwise rule of this family, differentiated twice.
    let point: [Float] = [0.8, -0.4, 1.3, 0.2, -1.1]
    let direction: [Float] = [-0.5, 0.9, 0.1, 0.7, -0.3]
    expectHessianVectorProductMatchesFiniteDifferences(point, direction) { x in
      let smooth = sigmoid(x) * exp(0.5 * x) + log(x * x + 1) + x.pow(4) / 4 + x.pow(-1)
      return (select(x .> 0, smooth, tanh(x) * x) + relu(x) * x).sum()
    }
  }
}

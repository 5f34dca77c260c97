import Testing

@testable import Micrograd

/// A seeded source of test inputs (SplitMix64), independent of the library's
/// own generator so a bug there cannot hide one here.
struct TestRandom {
  var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in [low, high).
  mutating func uniform(_ low: Float, _ high: Float) -> Float {
    low + (high - low) * Float(next() >> 40) / Float(1 << 24)
  }

  /// A tensor of `shape` with values uniform in [low, high).
  mutating func tensor(_ shape: Shape, _ low: Float = -2, _ high: Float = 2, requiresGrad: Bool = true) -> Tensor {
    Tensor((0..<shape.count).map { _ in uniform(low, high) }, shape: shape, requiresGrad: requiresGrad)
  }
}

/// Checks `f`'s analytic gradients against central finite differences.
///
/// The scalar checked is `sum(f(inputs) * w)` for a fixed random `w`, so every
/// output element counts. Float32 central differences with step `h` carry
/// truncation error ~h²·f''' and rounding error ~ulp(f)/h; with h = 1e-2 on
/// O(1) values both stay near 1e-3, hence the default tolerance
/// `|analytic - numeric| <= 1e-2 * (1 + |numeric|)`. Inputs must keep away
/// from kinks (relu at 0, max ties) by more than h.
func expectGradientsMatchFiniteDifferences(
  _ inputs: [Tensor], step h: Float = 1e-2, tolerance: Float = 1e-2,
  sourceLocation: Testing.SourceLocation = #_sourceLocation, _ f: ([Tensor]) -> Tensor
) {
  var random = TestRandom(seed: 7)
  let probe = f(inputs)
  let weights = random.tensor(probe.shape, -1, 1, requiresGrad: false)
  func objective() -> Double {
    noGrad {
      let out = f(inputs).scalars
      return zip(out, weights.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
  }
  for input in inputs { input.zeroGrad() }
  (f(inputs) * weights).sum().backward()
  for (k, input) in inputs.enumerated() where input.requiresGrad {
    let analytic = input.grad?.scalars ?? [Float](repeating: 0, count: input.count)
    for i in 0..<input.count {
      let original = input.values[i]
      input.updateValues { $0[i] = original + h }
      let plus = objective()
      input.updateValues { $0[i] = original - h }
      let minus = objective()
      input.updateValues { $0[i] = original }
      let numeric = Float((plus - minus) / Double(2 * h))
      if abs(analytic[i] - numeric) > tolerance * (1 + abs(numeric)) {
        Issue.record(
          "input \(k)[\(i)]: analytic \(analytic[i]) vs finite difference \(numeric)", sourceLocation: sourceLocation)
        return
      }
    }
  }
}

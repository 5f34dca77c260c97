import Micrograd
import Testing

/// Checks the gradients of `sum(f(inputs) * weights)` (random weights) with
/// respect to every input that requires grad against central differences.
///
/// float32 central differences with step h = 1e-2 have truncation error
/// O(h²·f''') and rounding error O(ε·|f|/h) ≈ 1e-5: agreement to 1e-2
/// absolute plus 1e-2 relative is what they can show, the same tolerance as
/// the main suite's `expectGradientsMatchFiniteDifferences`.
func expectGradientsMatchFiniteDifferences(
  _ inputs: [Tensor], step h: Float = 1e-2, sourceLocation: Testing.SourceLocation = #_sourceLocation,
  _ f: ([Tensor]) -> Tensor
) {
  var generator = RandomGenerator(seed: 7)
  let weights = Tensor.uniform(f(inputs).shape, low: -1, high: 1, generator: &generator)
  func objective() -> Float { (f(inputs) * weights).sum().item() }
  for input in inputs { input.zeroGrad() }
  (f(inputs) * weights).sum().backward()
  for (k, input) in inputs.enumerated() where input.requiresGrad {
    let analytic = input.grad?.scalars ?? []
    #expect(analytic.count == input.count, "input \(k) has no gradient", sourceLocation: sourceLocation)
    for i in 0..<input.count {
      let original = input.scalars[i]
      input.updateValues { $0[i] = original + h }
      let plus = objective()
      input.updateValues { $0[i] = original - h }
      let minus = objective()
      input.updateValues { $0[i] = original }
      let numeric = (plus - minus) / (2 * h)
      let error = Swift.abs(numeric - analytic[i])
      #expect(
        error <= 1e-2 + 1e-2 * Swift.abs(numeric), "input \(k)[\(i)]: analytic \(analytic[i]), numeric \(numeric)",
        sourceLocation: sourceLocation)
    }
  }
}

@testable import Micrograd

/// `f`'s gradient as a function of the inputs: the gradient of
/// `sum(f(inputs) * w)` with respect to the first input, for a fixed random `w`,
/// built with `createGraph` so that it can itself be differentiated.
///
/// Feeding it to ``expectGradientsMatchFiniteDifferences(_:step:tolerance:sourceLocation:_:)``
/// checks second derivatives, so that every backward rule involved is shown to
/// be differentiable again. Recording is forced on because the finite-difference
/// probe evaluates its function under ``noGrad(_:)``.
func gradientOfFirstInput(_ f: @escaping ([Tensor]) -> Tensor) -> ([Tensor]) -> Tensor {
  { inputs in
    withGradMode(true) {
      let output = f(inputs)
      var random = TestRandom(seed: 11)
      let weights = random.tensor(output.shape, -1, 1, requiresGrad: false)
      return grad(of: (output * weights).sum(), withRespectTo: [inputs[0]], createGraph: true)[0]
    }
  }
}

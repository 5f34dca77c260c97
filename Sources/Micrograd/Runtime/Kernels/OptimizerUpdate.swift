import Foundation

/// Optimizer update rules over raw float32 buffers, shared by the eager
/// optimizers and (later) the compiled training step.
///
/// Each loop computes, element by element, what PyTorch's single-tensor CPU
/// implementation computes with whole-tensor ops, in the same order and in
/// float32, so results agree to float32 rounding (PyTorch's vector loops use
/// fused multiply-adds in places, which round once where we round twice).
enum OptimizerUpdate {
  /// One step of `rule` on `count` elements, in place: adds 1 to the step
  /// count `step` (a float32 scalar), derives the step's coefficients from
  /// the rule, the learning rate and the count (in double, rounded to float32
  /// once, as PyTorch does with Python floats), and updates the parameter and
  /// the rule's `buffers`. The entry point for eager optimizers and compiled
  /// programs alike, so both give the same bits.
  static func apply(
    _ rule: OptimizerRule, _ parameter: UnsafeMutablePointer<Float>, _ gradient: UnsafePointer<Float>,
    learningRate: Float, step: UnsafeMutablePointer<Float>, _ buffers: [UnsafeMutablePointer<Float>], count: Int
  ) {
    step[0] += 1
    let t = Double(step[0])
    let lr = Double(learningRate)
    switch rule {
    case .sgd(let momentum, let dampening, let weightDecay, let nesterov):
      let c = SGDCoefficients(
        negativeLearningRate: Float(-lr), momentum: Float(momentum), gradientWeight: Float(1 - dampening),
        weightDecay: Float(weightDecay), nesterov: nesterov)
      let buffer = momentum != 0 ? buffers[0] : nil
      typealias Context = (
        UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>?, Bool, SGDCoefficients
      )
      // Elements are independent: a large parameter is split across the cores (same bits).
      Parallel.forRange(
        count, minimumChunk: Elementwise.parallelChunk, context: (parameter, gradient, buffer, t == 1, c)
      ) { context, start, end in
        let (parameter, gradient, buffer, isFirstStep, c) = context.load(as: Context.self)
        OptimizerUpdate.sgd(
          parameter + start, gradient + start, momentumBuffer: buffer.map { $0 + start }, isFirstStep: isFirstStep,
          count: end - start, c)
      }
    case .adam(let beta1, let beta2, let epsilon, let weightDecay, let decoupled):
      let biasCorrection1 = 1 - Foundation.pow(beta1, t)
      let biasCorrection2 = 1 - Foundation.pow(beta2, t)
      let c = AdamCoefficients(
        negativeStepSize: Float(-(lr / biasCorrection1)), biasCorrection2Root: Float(biasCorrection2.squareRoot()),
        epsilon: Float(epsilon), averageWeight: Float(1 - beta1), beta2: Float(beta2), squaredWeight: Float(1 - beta2),
        weightDecay: decoupled ? 0 : Float(weightDecay), decayFactor: decoupled ? Float(1 - lr * weightDecay) : 1)
      typealias Context = (
        UnsafeMutablePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
        AdamCoefficients
      )
      Parallel.forRange(
        count, minimumChunk: Elementwise.parallelChunk, context: (parameter, gradient, buffers[0], buffers[1], c)
      ) { context, start, end in
        let (parameter, gradient, average, squared, c) = context.load(as: Context.self)
        OptimizerUpdate.adam(
          parameter + start, gradient + start, average: average + start, squaredAverage: squared + start,
          count: end - start, c)
      }
    }
  }

  /// The float32 coefficients of one SGD step.
  struct SGDCoefficients {
    /// `-lr`.
    var negativeLearningRate: Float
    /// The momentum factor; 0 for plain SGD (then no buffer is passed).
    var momentum: Float
    /// `1 - dampening`, the weight of the new gradient in the buffer.
    var gradientWeight: Float
    /// The coupled L2 weight decay added to the gradient.
    var weightDecay: Float
    /// Whether to look ahead along the momentum (Nesterov).
    var nesterov: Bool

  }

  /// One step of `torch.optim.SGD` on `count` elements:
  ///
  ///     g = grad + weightDecay·p
  ///     buf = first step ? g : momentum·buf + (1 - dampening)·g
  ///     g = nesterov ? g + momentum·buf : buf
  ///     p = p - lr·g
  static func sgd(
    _ parameter: UnsafeMutablePointer<Float>, _ gradient: UnsafePointer<Float>,
    momentumBuffer: UnsafeMutablePointer<Float>?, isFirstStep: Bool, count: Int, _ c: SGDCoefficients
  ) {
    if momentumBuffer == nil && c.weightDecay == 0 {
      // Plain SGD: the loop below with its branches taken out, so it vectorises (same arithmetic).
      for i in 0..<count { parameter[i] = parameter[i] + c.negativeLearningRate * gradient[i] }
      return
    }
    for i in 0..<count {
      var g = gradient[i]
      if c.weightDecay != 0 { g = g + c.weightDecay * parameter[i] }
      if let buffer = momentumBuffer {
        buffer[i] = isFirstStep ? g : buffer[i] * c.momentum + c.gradientWeight * g
        g = c.nesterov ? g + c.momentum * buffer[i] : buffer[i]
      }
      parameter[i] = parameter[i] + c.negativeLearningRate * g
    }
  }

  /// The float32 coefficients of one Adam or AdamW step.
  struct AdamCoefficients {
    /// `-lr / (1 - beta1^t)`.
    var negativeStepSize: Float
    /// `√(1 - beta2^t)`.
    var biasCorrection2Root: Float
    /// Added to the denominator.
    var epsilon: Float
    /// `1 - beta1`, the interpolation weight of the new gradient in the first moment.
    var averageWeight: Float
    /// The decay of the second moment.
    var beta2: Float
    /// `1 - beta2`.
    var squaredWeight: Float
    /// Adam's coupled L2 weight decay added to the gradient (0 for AdamW).
    var weightDecay: Float
    /// AdamW's decoupled decay factor `1 - lr·weightDecay` (1 for Adam).
    var decayFactor: Float

  }

  /// One step of `torch.optim.Adam` / `AdamW` on `count` elements, with the
  /// bias corrections folded into the coefficients:
  ///
  ///     p = p·(1 - lr·λ)                                (AdamW only)
  ///     g = grad + λ·p                                  (Adam only)
  ///     m = lerp(m, g, 1 - beta1)
  ///     v = beta2·v + (1 - beta2)·g²
  ///     p = p - stepSize·m / (√v / √(1 - beta2^t) + eps)
  static func adam(
    _ parameter: UnsafeMutablePointer<Float>, _ gradient: UnsafePointer<Float>,
    average: UnsafeMutablePointer<Float>, squaredAverage: UnsafeMutablePointer<Float>, count: Int,
    _ c: AdamCoefficients
  ) {
    for i in 0..<count {
      if c.decayFactor != 1 { parameter[i] = parameter[i] * c.decayFactor }
      var g = gradient[i]
      if c.weightDecay != 0 { g = g + c.weightDecay * parameter[i] }
      average[i] = lerp(average[i], g, weight: c.averageWeight)
      squaredAverage[i] = squaredAverage[i] * c.beta2 + c.squaredWeight * g * g
      let denominator = squaredAverage[i].squareRoot() / c.biasCorrection2Root + c.epsilon
      parameter[i] = parameter[i] + c.negativeStepSize * average[i] / denominator
    }
  }

  /// `a + weight·(b - a)`, computed from the nearer end as ATen's `lerp` does.
  @inline(__always)
  static func lerp(_ a: Float, _ b: Float, weight: Float) -> Float {
    abs(weight) < 0.5 ? a + weight * (b - a) : b - (b - a) * (1 - weight)
  }
}

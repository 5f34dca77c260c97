// Adam and AdamW: adaptive moment estimation, with coupled or decoupled weight decay.

import Foundation

/// Adam, like `torch.optim.Adam` with the same defaults and the same
/// bias-corrected update (see `OptimizerUpdate.adam`).
///
/// Each parameter keeps its own step count and first and second moment
/// buffers, created at its first step. Weight decay here is the coupled L2
/// penalty added to the gradient; ``AdamW`` decouples it.
public class Adam: Optimizer {
  /// The decay rates of the first and second moment averages.
  public let betas: (Double, Double)
  /// Added to the denominator for numerical stability.
  public let epsilon: Double
  /// The weight decay coefficient.
  public let weightDecay: Double
  /// Whether weight decay shrinks the parameters directly (AdamW) instead of
  /// being added to the gradient.
  public let decoupledWeightDecay: Bool
  /// The step count and moment buffers of each parameter, once it has taken a step.
  var states: [State?]

  /// One parameter's optimizer state.
  struct State {
    var step: Int
    let average: Tensor
    let squaredAverage: Tensor
  }

  /// Creates the optimizer, with PyTorch's defaults.
  public convenience init(
    _ parameters: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
    weightDecay: Double = 0, file: StaticString = #fileID, line: UInt = #line
  ) {
    self.init(
      parameters, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, decoupledWeightDecay: false,
      site: CallSite(file, line))
  }

  init(
    _ parameters: [Tensor], lr: Double, betas: (Double, Double), eps: Double, weightDecay: Double,
    decoupledWeightDecay: Bool, site: CallSite
  ) {
    let name = decoupledWeightDecay ? "AdamW" : "Adam"
    if !(0..<1).contains(betas.0) || !(0..<1).contains(betas.1) {
      fail(TensorError(op: name, message: "betas \(betas) must lie in [0, 1)", location: site.location))
    }
    if !(eps >= 0) || !(weightDecay >= 0) {
      fail(
        TensorError(
          op: name, message: "eps \(eps) and weight decay \(weightDecay) must be >= 0", location: site.location))
    }
    self.betas = betas
    self.epsilon = eps
    self.weightDecay = weightDecay
    self.decoupledWeightDecay = decoupledWeightDecay
    states = Array(repeating: nil, count: parameters.count)
    super.init(parameters, learningRate: lr, file: site.file, line: site.line)
  }

  public override var compiledRule: OptimizerRule? { .adam }

  override func stateTensors(_ index: Int) -> [Tensor] {
    let shape = parameters[index].shape
    let state = states[index] ?? State(step: 0, average: Tensor.zeros(shape), squaredAverage: Tensor.zeros(shape))
    states[index] = state
    return [state.average, state.squaredAverage]
  }

  override func stateNames(_ index: Int) -> [String] { ["exp_avg", "exp_avg_sq"] }

  override func nextCoefficients(_ index: Int) -> [Float] {
    _ = stateTensors(index)
    states[index]!.step += 1
    let (beta1, beta2) = betas
    let step = Double(states[index]!.step)
    let biasCorrection1 = 1 - pow(beta1, step)
    let biasCorrection2 = 1 - pow(beta2, step)
    return OptimizerUpdate.AdamCoefficients(
      negativeStepSize: Float(-(learningRate / biasCorrection1)),
      biasCorrection2Root: Float(pow(biasCorrection2, 0.5)),
      epsilon: Float(epsilon), averageWeight: Float(1 - beta1), beta2: Float(beta2), squaredWeight: Float(1 - beta2),
      weightDecay: decoupledWeightDecay ? 0 : Float(weightDecay),
      decayFactor: decoupledWeightDecay ? Float(1 - learningRate * weightDecay) : 1
    ).row
  }
}

/// AdamW, like `torch.optim.AdamW`: Adam whose weight decay shrinks the
/// parameters by `lr·weightDecay` each step instead of entering the gradient
/// (decoupled weight decay, Loshchilov & Hutter), default 0.01.
public final class AdamW: Adam {
  /// Creates the optimizer, with PyTorch's defaults.
  public init(
    _ parameters: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
    weightDecay: Double = 1e-2, file: StaticString = #fileID, line: UInt = #line
  ) {
    super.init(
      parameters, lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, decoupledWeightDecay: true,
      site: CallSite(file, line))
  }
}

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
    super.init(parameters, learningRate: lr, file: site.file, line: site.line)
  }

  public override var compiledRule: OptimizerRule? {
    .adam(beta1: betas.0, beta2: betas.1, epsilon: epsilon, weightDecay: weightDecay, decoupled: decoupledWeightDecay)
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

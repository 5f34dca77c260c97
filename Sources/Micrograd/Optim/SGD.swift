// SGD: stochastic gradient descent with momentum, dampening, weight decay and Nesterov.

/// Stochastic gradient descent, like `torch.optim.SGD` with the same
/// defaults and the same update (see `OptimizerUpdate.sgd`).
///
/// With momentum, each parameter keeps a velocity buffer, created from its
/// first gradient (undamped, as in PyTorch).
public final class SGD: Optimizer {
  /// The momentum factor (0: none).
  public let momentum: Double
  /// How much of each new gradient the momentum buffer leaves out.
  public let dampening: Double
  /// The L2 penalty coefficient, added to the gradient as `weightDecay·p`.
  public let weightDecay: Double
  /// Whether the step looks ahead along the momentum (Nesterov momentum).
  public let nesterov: Bool

  /// Creates the optimizer, with PyTorch's defaults.
  public init(
    _ parameters: [Tensor], lr: Double = 1e-3, momentum: Double = 0, dampening: Double = 0, weightDecay: Double = 0,
    nesterov: Bool = false, file: StaticString = #fileID, line: UInt = #line
  ) {
    let site = CallSite(file, line)
    if !(momentum >= 0) || !(weightDecay >= 0) {
      fail(
        TensorError(
          op: "SGD", message: "momentum \(momentum) and weight decay \(weightDecay) must be >= 0",
          location: site.location))
    }
    if nesterov && (momentum <= 0 || dampening != 0) {
      fail(
        TensorError(
          op: "SGD", message: "Nesterov momentum requires a momentum and zero dampening", location: site.location))
    }
    self.momentum = momentum
    self.dampening = dampening
    self.weightDecay = weightDecay
    self.nesterov = nesterov
    super.init(parameters, learningRate: lr, file: file, line: line)
  }

  public override var compiledRule: OptimizerRule? {
    .sgd(momentum: momentum, dampening: dampening, weightDecay: weightDecay, nesterov: nesterov)
  }
}

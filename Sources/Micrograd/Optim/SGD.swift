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
  /// The momentum buffer of each parameter, once made.
  var momentumBuffers: [Tensor?]
  /// Whether each parameter has taken a step (the first fills the buffer).
  var hasStepped: [Bool]

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
    momentumBuffers = Array(repeating: nil, count: parameters.count)
    hasStepped = Array(repeating: false, count: parameters.count)
    super.init(parameters, learningRate: lr, file: file, line: line)
  }

  public override var compiledRule: OptimizerRule? { .sgd(momentum: momentum != 0, nesterov: nesterov) }

  override func stateTensors(_ index: Int) -> [Tensor] {
    guard momentum != 0 else { return [] }
    if momentumBuffers[index] == nil { momentumBuffers[index] = Tensor.zeros(parameters[index].shape) }
    return [momentumBuffers[index]!]
  }

  override func stateNames(_ index: Int) -> [String] { momentum != 0 ? ["momentum_buffer"] : [] }

  override func nextCoefficients(_ index: Int) -> [Float] {
    let isFirstStep = !hasStepped[index]
    hasStepped[index] = true
    let coefficients = OptimizerUpdate.SGDCoefficients(
      negativeLearningRate: Float(-learningRate), momentum: Float(momentum), gradientWeight: Float(1 - dampening),
      weightDecay: Float(weightDecay), nesterov: nesterov)
    return coefficients.row(isFirstStep: isFirstStep)
  }
}

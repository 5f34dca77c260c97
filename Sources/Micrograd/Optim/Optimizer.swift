// Optimizer: the base class of SGD, Adam and AdamW.

/// Updates parameters from their gradients, like `torch.optim.Optimizer`.
///
/// A training step is `optimizer.zeroGrad(); loss.backward(); optimizer.step()`.
/// ``step()`` changes the parameters' values in place, outside autograd (as
/// PyTorch does under `no_grad`), skipping parameters that have no gradient.
/// Hyper-parameters are `Double`, as Python floats are in PyTorch: scalars
/// derived from them are computed in double and rounded to float32 once.
///
/// Subclass it and override ``step()``, using
/// ``forEachParameterWithGradient(_:)`` to reach the raw buffers.
open class Optimizer {
  /// The tensors updated, each a leaf.
  public let parameters: [Tensor]
  /// The step size; change it between steps for a schedule.
  public var learningRate: Double

  /// Creates an optimizer over `parameters` (distinct leaf tensors).
  public init(_ parameters: [Tensor], learningRate: Double, file: StaticString = #fileID, line: UInt = #line) {
    let site = CallSite(file, line)
    var seen: Set<ObjectIdentifier> = []
    for (index, parameter) in parameters.enumerated() {
      if !parameter.isLeaf {
        fail(
          TensorError(
            op: "optimizer",
            message: "parameter \(index) (\(parameter.opName) of shape \(parameter.shape)) is not a leaf",
            location: site.location))
      }
      if !seen.insert(ObjectIdentifier(parameter)).inserted {
        fail(
          TensorError(
            op: "optimizer", message: "parameter \(index) of shape \(parameter.shape) is listed twice",
            location: site.location))
      }
    }
    if !(learningRate >= 0) {
      fail(TensorError(op: "optimizer", message: "invalid learning rate \(learningRate)", location: site.location))
    }
    self.parameters = parameters
    self.learningRate = learningRate
  }

  /// Updates every parameter that has a gradient by one step.
  ///
  /// Built-in optimizers run `OptimizerUpdate.apply` on the parameter, its
  /// step count and buffers (`state(_:)`), the same kernel a compiled step
  /// runs; a custom optimizer overrides this (and then cannot be compiled).
  open func step() {
    guard let rule = compiledRule else { fatalError("\(type(of: self)) does not override step()") }
    let learningRate = Float(learningRate)
    forEachParameterWithGradient { index, values, gradient in
      let state = state(index)
      OptimizerUpdate.apply(
        rule, values.baseAddress!, gradient.baseAddress!, learningRate: learningRate, step: state.step.storage.base,
        state.buffers.map(\.storage.base), count: values.count)
    }
  }

  /// The update rule with its hyper-parameters, as a compiled training step
  /// runs it; nil for an optimizer that only has a custom ``Optimizer/step()``.
  open var compiledRule: OptimizerRule? { nil }

  /// Each parameter's state, made when first asked for: the step count (a
  /// 0-d tensor, as PyTorch's `state["step"]`) and the rule's buffers.
  private var states: [ObjectIdentifier: (step: Tensor, buffers: [Tensor])] = [:]

  /// Parameter `index`'s step count and buffers (momentum; moments), updated
  /// in place by every step, eager or compiled.
  func state(_ index: Int) -> (step: Tensor, buffers: [Tensor]) {
    let key = ObjectIdentifier(parameters[index])
    if let state = states[key] { return state }
    let shape = parameters[index].shape
    let state = (
      step: Tensor.zeros([]), buffers: (0..<(compiledRule?.bufferCount ?? 0)).map { _ in Tensor.zeros(shape) }
    )
    states[key] = state
    return state
  }

  /// The names of the rule's buffers, as PyTorch's state dict spells them.
  var bufferNames: [String] {
    switch compiledRule {
    case .sgd(let momentum, _, _, _): momentum != 0 ? ["momentum_buffer"] : []
    case .adam: ["exp_avg", "exp_avg_sq"]
    case nil: []
    }
  }

  /// How many steps parameter `index` has taken (0 without making state).
  func stepCount(_ index: Int) -> Int {
    states[ObjectIdentifier(parameters[index])].map { Int($0.step.values[0]) } ?? 0
  }

  /// Whether parameter `index` has state yet (it gets it at its first step).
  func hasState(_ index: Int) -> Bool { states[ObjectIdentifier(parameters[index])] != nil }

  /// Clears the gradient of every parameter (set to none, as PyTorch does by default).
  public func zeroGrad() {
    for parameter in parameters { parameter.zeroGrad() }
  }

  /// Calls `update` with the index, the writable values and the gradient of
  /// each parameter that has a gradient, in order.
  public final func forEachParameterWithGradient(
    _ update: (_ index: Int, _ values: UnsafeMutableBufferPointer<Float>, _ gradient: UnsafeBufferPointer<Float>) ->
      Void
  ) {
    for (index, parameter) in parameters.enumerated() {
      guard let gradient = parameter.grad else { continue }
      if gradient.shape != parameter.shape {
        fail(
          TensorError(
            op: "optimizer",
            message: "gradient of shape \(gradient.shape) for parameter \(index) of shape \(parameter.shape)",
            location: parameter.site.location))
      }
      parameter.updateValues { values in
        update(index, values, UnsafeBufferPointer(start: gradient.values, count: gradient.count))
      }
    }
  }
}
